export { classifyDbError, type DbErrorClass, isTransientDbError } from './errors.ts';
export { claimInbox } from './inbox.ts';
export { migrate } from './migrate.ts';
export {
  createOutboxRelay,
  enqueueOutbox,
  type OutboxMessage,
  type OutboxRelay,
  type Publish,
} from './outbox.ts';
export {
  createPool,
  type Pool,
  type PoolClient,
  ping,
  type Queryable,
  quoteIdent,
  quoteLiteral,
  withTransaction,
} from './pool.ts';
