import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase, waitFor } from '@ocp/testkit';
import { cleanups, tenantCreated } from '../../bus/test/helpers.ts';
import { claimInbox, createPool, migrate, type Publish, withTransaction } from '../src/index.ts';
import {
  drained,
  limit,
  logger,
  migratedDatabase,
  published,
  queueEvent,
  queueEvents,
  relay,
  serviceMigrations,
  setup,
} from './helpers.ts';

test(
  'migrate applies the kit tables and the service migrations, and running it again changes nothing',
  limit,
  async (t) => {
    const defer = cleanups(t);
    const db = await createTestDatabase();
    defer(() => db.drop());
    const dir = await serviceMigrations(defer);
    const pool = createPool({ url: db.url, name: 'migrate-test', logger });
    defer(() => pool.end());
    const history = async () => ({
      kit: (await pool.query('SELECT name, run_on FROM ocp_kit_migrations ORDER BY id')).rows,
      service: (await pool.query('SELECT name, run_on FROM migrations ORDER BY id')).rows,
    });

    await migrate({ databaseUrl: db.url, dir, logger });
    const first = await history();
    await migrate({ databaseUrl: db.url, dir, logger });

    const kitTables = ['ocp_outbox', 'ocp_outbox_dead', 'ocp_lease', 'ocp_inbox', 'widgets'];
    const tables = await pool.query<{ t: string | null }>(
      'SELECT to_regclass(x) AS t FROM unnest($1::text[]) AS x',
      [kitTables],
    );
    assert.deepEqual(
      tables.rows.map((r) => r.t),
      kitTables,
    );
    assert.deepEqual(
      first.kit.map((r) => r.name),
      ['1700000000000_outbox-inbox', '1700000000001_outbox-attempts-dead-letters-lease'],
    );
    assert.deepEqual(
      first.service.map((r) => r.name),
      ['1800000000000_widgets'],
    );
    assert.deepEqual(await history(), first, 'the second run applied nothing');
  },
);

test('two replicas migrating a fresh database at once both succeed', limit, async (t) => {
  const defer = cleanups(t);
  const db = await createTestDatabase();
  defer(() => db.drop());
  const dir = await serviceMigrations(defer);

  await Promise.all([1, 2, 3].map(() => migrate({ databaseUrl: db.url, dir, logger })));

  const pool = createPool({ url: db.url, name: 'migrate-test', logger });
  defer(() => pool.end());
  const { rows } = await pool.query('SELECT name FROM migrations');
  assert.equal(rows.length, 1);
});

test(
  'an outbox write in a rolled-back transaction is never published; a committed one is, in order, with the event id as message id',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    await assert.rejects(
      withTransaction(db.pool, async (c) => {
        await queueEvent(c);
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    const first = await withTransaction(db.pool, (c) => queueEvents(c, 3));
    const second = await withTransaction(db.pool, (c) => queueEvents(c, 2));
    const r = relay(rig, db);
    r.start();
    await drained(r);

    const expected = [...first, ...second];
    assert.deepEqual(
      await published(rig.jsm),
      expected.map((m) => ({ msgId: m.eventId, eventId: m.eventId, traceparent: m.traceparent })),
    );
    const rows = await db.pool.query<{ event_id: string; published: boolean }>(
      'SELECT event_id, published_at IS NOT NULL AS published FROM ocp_outbox ORDER BY id',
    );
    assert.deepEqual(
      rows.rows,
      expected.map((m) => ({ event_id: m.eventId, published: true })),
    );
  },
);

test(
  'a running relay publishes a commit on its notification, without waiting for the poll',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    // The lease is renewed (and the outbox read) every 15 s, the fallback poll is a minute away:
    // only the NOTIFY of the commit can bring the event out within the 10 s waited for.
    const r = relay(rig, db, rig.bus.publishRaw, { pollMs: 60_000, leaseMs: 60_000 });
    r.start();
    await waitFor('the relay to hold the lease', async () => (r.leading() ? true : undefined));

    const msg = await withTransaction(db.pool, (c) => queueEvent(c));
    await waitFor('the outbox to drain', async () => ((await r.pending()) === 0 ? true : undefined), {
      timeoutMs: 10_000,
    });

    assert.deepEqual(
      (await published(rig.jsm)).map((m) => m.eventId),
      [msg.eventId],
    );
  },
);

test(
  'a relay stopped between publishing and marking re-publishes, and JetStream keeps one copy per event id',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    const msgs = await withTransaction(db.pool, (c) => queueEvents(c, 3));
    const before = relay(rig, db);
    before.start();
    await drained(before);
    await before.stop();
    // What a relay killed after its publishes and before its UPDATE leaves behind.
    await db.pool.query('UPDATE ocp_outbox SET published_at = NULL');
    const republished: string[] = [];
    const after = relay(rig, db, async (subject, payload, msgId, headers) => {
      await rig.bus.publishRaw(subject, payload, msgId, headers);
      republished.push(msgId);
    });

    after.start();
    await drained(after);

    const ids = msgs.map((m) => m.eventId);
    assert.deepEqual(republished, ids, 'the new relay published every unmarked row again');
    assert.deepEqual(
      (await published(rig.jsm)).map((m) => m.eventId),
      ids,
    );
  },
);

test(
  'a publish that fails after reaching JetStream is retried in order, and JetStream keeps one copy',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    const msgs = await withTransaction(db.pool, (c) => queueEvents(c, 3));
    const calls: string[] = [];
    let failed = false;
    const r = relay(rig, db, async (subject, payload, msgId, headers) => {
      calls.push(msgId);
      await rig.bus.publishRaw(subject, payload, msgId, headers);
      // The acknowledgement is lost once, after JetStream stored the second message.
      if (msgId === msgs[1]?.eventId && !failed) {
        failed = true;
        throw new Error('connection lost before the acknowledgement');
      }
    });

    r.start();
    await drained(r);

    const [a, b, c] = msgs.map((m) => m.eventId);
    assert.deepEqual(
      calls,
      [a, b, b, c],
      'the first was marked; the second was tried again before the third',
    );
    assert.deepEqual(
      (await published(rig.jsm)).map((m) => m.eventId),
      [a, b, c],
    );
  },
);

test(
  'of two relays on one database only the lease holder publishes, and the other takes over when it stops',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    const by =
      (name: string, log: string[]): Publish =>
      async (subject, payload, msgId, headers) => {
        await rig.bus.publishRaw(subject, payload, msgId, headers);
        log.push(`${name}:${msgId}`);
      };
    const log: string[] = [];
    const a = relay(rig, db, by('a', log));
    const b = relay(rig, db, by('b', log));
    a.start();
    await waitFor('relay a to hold the lease', async () => (a.leading() ? true : undefined));
    b.start();
    await waitFor('relay b to stand by', async () => (b.healthy() ? true : undefined));

    const early = await withTransaction(db.pool, (c) => queueEvents(c, 3));
    await drained(a);

    assert.deepEqual(
      log,
      early.map((m) => `a:${m.eventId}`),
    );
    assert.equal(b.leading(), false, 'relay b does not hold the lease');
    assert.equal(b.healthy(), true, 'a standby relay is healthy');

    // A relay that stops gives the lease up: the standby takes it at its next try.
    await a.stop();
    const late = await withTransaction(db.pool, (c) => queueEvents(c, 2));
    await drained(b);

    assert.deepEqual(log, [...early.map((m) => `a:${m.eventId}`), ...late.map((m) => `b:${m.eventId}`)]);
    assert.equal(b.leading(), true);
    assert.deepEqual(
      (await published(rig.jsm)).map((m) => m.eventId),
      [...early, ...late].map((m) => m.eventId),
    );
  },
);

test('claimInbox claims an event once per consumer; a rolled-back claim does not count', limit, async (t) => {
  const defer = cleanups(t);
  const db = await migratedDatabase(defer);
  const eventId = tenantCreated().id;
  const claim = (consumer: string, id = eventId) =>
    withTransaction(db.pool, (c) => claimInbox(c, consumer, id));

  assert.equal(await claim('billing'), true);
  assert.equal(await claim('billing'), false, 'the same consumer sees it handled');
  assert.equal(await claim('audit'), true, 'another consumer claims it for itself');

  const other = tenantCreated().id;
  await assert.rejects(
    withTransaction(db.pool, async (c) => {
      assert.equal(await claimInbox(c, 'billing', other), true);
      throw new Error('the effect failed');
    }),
    /the effect failed/,
  );
  assert.equal(await claim('billing', other), true, 'the rolled-back claim left nothing behind');
});

test(
  'a claim racing an uncommitted claim of the same event waits for it and then loses',
  limit,
  async (t) => {
    const defer = cleanups(t);
    const db = await migratedDatabase(defer);
    const eventId = tenantCreated().id;
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    defer(() => second.release());
    defer(() => first.release());
    await first.query('BEGIN');
    await second.query('BEGIN');

    assert.equal(await claimInbox(first, 'billing', eventId), true);
    const racing = claimInbox(second, 'billing', eventId);
    await waitFor('the second claim to wait on the first', async () => {
      const { rows } = await db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return rows[0]?.n === 1 ? true : undefined;
    });
    await first.query('COMMIT');

    assert.equal(await racing, false);
    await second.query('COMMIT');
  },
);

test(
  'the age of the oldest unpublished event is that of the first row left, and 0 once all are published',
  limit,
  async (t) => {
    const { rig, db } = await setup(t);
    const r = relay(rig, db);
    assert.equal(await r.oldestPendingAgeSeconds(), 0, 'nothing waits');
    await queueEvents(db.pool, 2);
    // As if the first had been written ten minutes ago and the relay had been away since.
    await db.pool.query(
      `UPDATE ocp_outbox SET created_at = now() - interval '10 minutes'
       WHERE id = (SELECT min(id) FROM ocp_outbox)`,
    );
    const age = await r.oldestPendingAgeSeconds();
    assert.ok(age >= 600 && age < 3600, `age ${age}`);
    r.start();
    await drained(r);
    assert.equal(await r.oldestPendingAgeSeconds(), 0);
  },
);
