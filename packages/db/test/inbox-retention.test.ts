import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streams } from '@ocp/contracts';
import { waitFor } from '@ocp/testkit';
import { cleanups } from '../../bus/test/helpers.ts';
import { INBOX_RETENTION_MS, pruneInbox } from '../src/index.ts';
import { type Db, limit, migratedDatabase, relay, setup } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Inbox entries of `consumer` handled `ageDays` ago. */
async function handled(db: Db, consumer: string, ageDays: number[]): Promise<void> {
  await db.pool.query(
    `INSERT INTO ocp_inbox (consumer, event_id, handled_at)
     SELECT $1, 'e-' || i || '-' || age, now() - age * interval '1 day'
     FROM unnest($2::numeric[]) WITH ORDINALITY AS a(age, i)`,
    [consumer, ageDays],
  );
}

const left = async (db: Db) =>
  (await db.pool.query<{ event_id: string }>('SELECT event_id FROM ocp_inbox ORDER BY event_id')).rows.map(
    (r) => r.event_id,
  );

test(
  'pruneInbox deletes the entries older than the retention and keeps the recent ones',
  limit,
  async (t) => {
    const db = await migratedDatabase(cleanups(t));
    await handled(db, 'billing', [40, 36, 34, 1, 0]);

    const pruned = await pruneInbox(db.pool, 35 * DAY, 1);

    assert.equal(pruned, 2, 'in batches of one, until none is left');
    assert.deepEqual(await left(db), ['e-3-34', 'e-4-1', 'e-5-0']);
  },
);

test('the inbox is kept longer than the longest stream max-age, so a replay from the start is still deduplicated', () => {
  const longest = Math.max(...Object.values(streams).map((s) => s.maxAgeDays));
  assert.ok(INBOX_RETENTION_MS > longest * DAY, `${INBOX_RETENTION_MS / DAY} days <= ${longest} days`);
});

test('the leading relay prunes its database’s inbox', limit, async (t) => {
  const { rig, db } = await setup(t);
  await handled(db, 'billing', [36, 2]);
  const r = relay(rig, db);

  r.start();

  await waitFor('the old entry to be pruned', async () => ((await left(db)).length === 1 ? true : undefined));
  assert.deepEqual(await left(db), ['e-2-2']);
});
