import type { PoolClient, Queryable } from './pool.ts';

/**
 * How long inbox entries are kept: longer than the longest max-age of a stream a consumer may
 * replay from its start (30 days today, `streams` in the contracts). An entry pruned earlier could
 * let a replayed event take effect a second time.
 */
export const INBOX_RETENTION_MS = 35 * 24 * 60 * 60 * 1000;

/**
 * Records that `consumer` handled `eventId`, inside the caller's transaction. Returns false when it
 * was handled before: the caller then skips its effect, so a redelivered event has one effect.
 */
export async function claimInbox(client: PoolClient, consumer: string, eventId: string): Promise<boolean> {
  const res = await client.query(
    'INSERT INTO ocp_inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [consumer, eventId],
  );
  return res.rowCount === 1;
}

/**
 * Deletes inbox entries handled more than `olderThanMs` ago, a batch at a time so no statement
 * holds many row locks or runs long; returns how many went.
 */
export async function pruneInbox(
  db: Queryable,
  olderThanMs: number = INBOX_RETENTION_MS,
  batchSize = 5000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await db.query(
      `DELETE FROM ocp_inbox WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM ocp_inbox
         WHERE handled_at < now() - $1::bigint * interval '1 millisecond'
         LIMIT $2))`,
      [olderThanMs, batchSize],
    );
    total += res.rowCount ?? 0;
    if ((res.rowCount ?? 0) < batchSize) return total;
  }
}
