export {
  classifyDbError,
  classifyDbFailure,
  type DbErrorClass,
  isTransientDbError,
  permanentDbError,
} from './errors.ts';
export { type EventFields, enqueueEvent } from './event-writer.ts';
export {
  applyRuntimeGrants,
  GrantsError,
  NO_OUTBOX_GRANTS,
  OUTBOX_GRANTS,
  type RuntimeGrants,
  roleOfUrl,
  type TablePrivilege,
} from './grants.ts';
export { claimInbox, INBOX_RETENTION_MS, pruneInbox } from './inbox.ts';
export { createLease, type Lease } from './lease.ts';
export { migrate, prepareDatabase } from './migrate.ts';
export {
  classifyPublishFailure,
  createOutboxRelay,
  OUTBOX_LEASE_MS,
  OUTBOX_MAX_ATTEMPTS,
  type OutboxRelay,
  type Publish,
  type PublishFailure,
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
