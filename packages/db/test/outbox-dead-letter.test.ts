import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@ocp/testkit';
import { withTransaction } from '../src/index.ts';
import { type Db, limit, published, queueEvent, queueEvents, relay, setup } from './helpers.ts';

interface Dead {
  event_id: string;
  subject: string;
  attempts: number;
  error: string;
}

/** Writes a row the way a bad writer could, bypassing the event writer's checks. */
async function insertRaw(db: Db, eventId: string, subject: string, payload: unknown): Promise<void> {
  await db.pool.query('INSERT INTO ocp_outbox (event_id, subject, payload) VALUES ($1, $2, $3)', [
    eventId,
    subject,
    JSON.stringify(payload),
  ]);
}

async function deadRows(db: Db): Promise<Dead[]> {
  const { rows } = await db.pool.query<Dead>(
    'SELECT event_id, subject, attempts, error FROM ocp_outbox_dead ORDER BY id',
  );
  return rows;
}

test(
  'an event larger than the server max_payload is dead-lettered at once with its error, and the events after it are published',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    const before = await withTransaction(db.pool, (c) => queueEvent(c));
    // The test server's max_payload is the default 1 MiB.
    await insertRaw(db, 'too-large', 'events.tenant.created.v1', { pad: 'x'.repeat(1024 * 1024 + 1) });
    const after = await withTransaction(db.pool, (c) => queueEvents(c, 2));
    const r = relay(rig, db);

    r.start();
    await waitFor('the events after it to be published', async () =>
      (await r.pending()) === 0 ? true : undefined,
    );

    assert.deepEqual(
      (await published(rig.jsm)).map((m) => m.eventId),
      [before, ...after].map((m) => m.eventId),
    );
    const dead = await deadRows(db);
    assert.equal(dead.length, 1);
    assert.equal(dead[0]?.event_id, 'too-large');
    assert.equal(dead[0]?.attempts, 1, 'never retried: it can never be published');
    assert.match(dead[0]?.error ?? '', /max_payload/);
    assert.equal(await r.deadLettered(), 1);
    const left = await db.pool.query("SELECT 1 FROM ocp_outbox WHERE event_id = 'too-large'");
    assert.equal(left.rowCount, 0, 'it left the outbox');
  },
);

test(
  'an event on a subject no stream holds is retried up to the attempt limit, then dead-lettered, and the events after it are published',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    const before = await withTransaction(db.pool, (c) => queueEvent(c));
    await insertRaw(db, 'nowhere', 'events.nowhere.v1', { hello: 'world' });
    const after = await withTransaction(db.pool, (c) => queueEvents(c, 2));
    const r = relay(rig, db, rig.bus.publishRaw, { maxAttempts: 3 });

    r.start();
    await waitFor('the events after it to be published', async () =>
      (await r.pending()) === 0 ? true : undefined,
    );

    assert.deepEqual(
      (await published(rig.jsm)).map((m) => m.eventId),
      [before, ...after].map((m) => m.eventId),
    );
    const dead = await deadRows(db);
    assert.deepEqual(
      dead.map((d) => ({ event_id: d.event_id, subject: d.subject, attempts: d.attempts })),
      [{ event_id: 'nowhere', subject: 'events.nowhere.v1', attempts: 3 }],
    );
    assert.match(dead[0]?.error ?? '', /JetStreamNotEnabled/);
    assert.equal(await r.deadLettered(), 1);
  },
);

test('while NATS is away an event is retried without counting attempts, and is published when NATS is back', {
  timeout: 60_000,
}, async (t) => {
  const { rig, db } = await setup(t);
  // One counted refusal would dead-letter it.
  const r = relay(rig, db, rig.bus.publishRaw, { maxAttempts: 1 });
  r.start();
  await waitFor('the relay to lead', async () => (r.leading() ? true : undefined));
  await rig.nats.stop();

  const event = await withTransaction(db.pool, (c) => queueEvent(c));
  const failed = await waitFor('a failed publish', async () => {
    const { rows } = await db.pool.query<{ attempts: number; last_error: string | null }>(
      'SELECT attempts, last_error FROM ocp_outbox WHERE event_id = $1',
      [event.eventId],
    );
    return rows[0]?.last_error ? rows[0] : undefined;
  });
  assert.equal(failed.attempts, 0, 'an unreachable server is not the event’s fault');
  await waitFor('the relay to report NATS unreachable', async () => (r.healthy() ? undefined : true));
  assert.equal(await r.deadLettered(), 0);

  await rig.nats.start();
  await waitFor('the event to be published', async () => ((await r.pending()) === 0 ? true : undefined), {
    timeoutMs: 30_000,
  });
  assert.deepEqual(
    (await published(rig.jsm)).map((m) => m.eventId),
    [event.eventId],
  );
  assert.equal(await r.deadLettered(), 0);
  await waitFor('the relay to be healthy again', async () => (r.healthy() ? true : undefined));
});
