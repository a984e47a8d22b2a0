import type { PoolClient } from './pool.ts';

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
