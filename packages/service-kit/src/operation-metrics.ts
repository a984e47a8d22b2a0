import { Counter, Histogram, type Registry } from 'prom-client';

/** An operation as it ended: its kind, its final state, and when it was asked for and ended. */
export interface EndedOperation {
  kind: string;
  /** How it ended: `succeeded`, `failed`, or `cancelled` (undone before it ran). */
  state: string;
  created_at: Date;
  finished_at?: Date | null;
}

/** Counts and times a service's operations as they end. */
export interface OperationMetrics {
  ended(op: EndedOperation): void;
}

/**
 * `ocp_operations_total{kind,outcome}` and `ocp_operation_duration_seconds{kind,outcome}`, counted
 * by the process that ended the operation, so the sum across replicas is the fleet's. The duration
 * runs from the request to the end: what the operator waited, queueing and retries included.
 */
export function createOperationMetrics(registry: Registry): OperationMetrics {
  const total = new Counter({
    name: 'ocp_operations_total',
    help: 'Operations ended, by kind and outcome (succeeded, failed; cancelled: undone before it ran).',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'ocp_operation_duration_seconds',
    help: 'Time from an operation being asked for to its end, by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600],
    registers: [registry],
  });
  return {
    ended(op) {
      const labels = { kind: op.kind, outcome: op.state };
      total.inc(labels);
      const end = op.finished_at ?? new Date();
      seconds.observe(labels, Math.max(0, (end.getTime() - op.created_at.getTime()) / 1000));
    },
  };
}
