import type { Queryable } from '@ocp/db';

/**
 * How long an `Idempotency-Key` answers with its first result (as Stripe keeps keys, 24 hours):
 * long enough for any client retry, short enough that the table stays small. A key used again
 * after that is a new request.
 */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Deletes idempotency keys older than `olderThanMs`; returns how many went. */
export async function pruneIdempotencyKeys(
  db: Queryable,
  olderThanMs: number = IDEMPOTENCY_KEY_RETENTION_MS,
): Promise<number> {
  const res = await db.query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - $1::bigint * interval '1 millisecond'",
    [olderThanMs],
  );
  return res.rowCount ?? 0;
}
