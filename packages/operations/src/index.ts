export { listOperationPage, type OperationPageRequest } from './page.ts';
export { type Reconciler, startReconciler } from './reconciler.ts';
export { type OperationRowBase, type OperationTable, operationSql } from './table.ts';
export {
  type OperationRunner,
  type OperationWorker,
  type OperationWorkerOptions,
  type RunnerContext,
  startOperationWorker,
} from './worker.ts';
