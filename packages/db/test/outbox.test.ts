import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createTestDatabase, waitFor } from '@ocp/testkit';
// The outbox is proven against a real JetStream through the bus that services wire it to.
import {
  type BusRig,
  cleanups,
  startBus,
  storedMessages,
  subjectOf,
  tenantCreated,
  testLogger,
} from '../../bus/test/helpers.ts';
import {
  claimInbox,
  createOutboxRelay,
  createPool,
  enqueueOutbox,
  migrate,
  type OutboxMessage,
  type OutboxRelay,
  type Pool,
  type Publish,
  withTransaction,
} from '../src/index.ts';

const limit = { timeout: 20_000 };
const logger = testLogger();
const EVENTS = 'EVENTS_TENANT';

/** A service's migration directory with one SQL migration in node-pg-migrate's format. */
async function serviceMigrations(defer: (step: () => unknown) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-migrations-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, '1800000000000_widgets.sql'),
    [
      '-- Up Migration',
      'CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL);',
      '',
      '-- Down Migration',
      'DROP TABLE widgets;',
      '',
    ].join('\n'),
  );
  return dir;
}

interface Db {
  url: string;
  pool: Pool;
}

/** A migrated database of the test's own, with a pool; dropped after the test. */
async function migratedDatabase(defer: (step: () => unknown) => void): Promise<Db> {
  const db = await createTestDatabase();
  defer(() => db.drop());
  await migrate({ databaseUrl: db.url, dir: await serviceMigrations(defer), logger });
  const pool = createPool({ url: db.url, name: 'outbox-test', logger });
  defer(() => pool.end());
  return { url: db.url, pool };
}

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

function outboxMessage(): OutboxMessage {
  const event = tenantCreated();
  return {
    eventId: event.id,
    subject: subjectOf(event.type),
    payload: event,
    headers: { traceparent: traceparent() },
  };
}

/** A relay publishing through `publish`, polling often so a test does not wait on the fallback. */
function relay(rig: BusRig, db: Db, publish: Publish = rig.bus.publishRaw): OutboxRelay {
  const r = createOutboxRelay({ pool: db.pool, databaseUrl: db.url, publish, logger, pollMs: 100 });
  rig.defer(() => r.stop());
  return r;
}

async function published(
  jsm: BusRig['jsm'],
): Promise<Array<{ msgId: string; eventId: string; traceparent: string }>> {
  return (await storedMessages(jsm, EVENTS)).map((m) => ({
    msgId: m.header.get('Nats-Msg-Id'),
    eventId: m.json<{ id: string }>().id,
    traceparent: m.header.get('traceparent'),
  }));
}

async function drained(r: OutboxRelay): Promise<void> {
  await waitFor('the outbox to drain', async () => ((await r.pending()) === 0 ? true : undefined));
}

async function setup(t: TestContext): Promise<{ rig: BusRig; db: Db }> {
  const rig = await startBus(t, 'outbox-test');
  const db = await migratedDatabase(rig.defer);
  return { rig, db };
}

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

    const tables = await pool.query<{ t: string | null }>(
      "SELECT to_regclass(x) AS t FROM unnest(ARRAY['ocp_outbox', 'ocp_inbox', 'widgets']) AS x",
    );
    assert.deepEqual(
      tables.rows.map((r) => r.t),
      ['ocp_outbox', 'ocp_inbox', 'widgets'],
    );
    assert.deepEqual(
      first.kit.map((r) => r.name),
      ['1700000000000_outbox-inbox'],
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
    const lost = outboxMessage();
    const first = [outboxMessage(), outboxMessage(), outboxMessage()];
    const second = [outboxMessage(), outboxMessage()];

    await assert.rejects(
      withTransaction(db.pool, async (c) => {
        await enqueueOutbox(c, [lost]);
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    await withTransaction(db.pool, (c) => enqueueOutbox(c, first));
    await withTransaction(db.pool, (c) => enqueueOutbox(c, second));
    const r = relay(rig, db);
    r.start();
    await drained(r);

    const expected = [...first, ...second];
    assert.deepEqual(
      await published(rig.jsm),
      expected.map((m) => ({ msgId: m.eventId, eventId: m.eventId, traceparent: m.headers?.traceparent })),
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
    const r = createOutboxRelay({
      pool: db.pool,
      databaseUrl: db.url,
      publish: rig.bus.publishRaw,
      logger,
      pollMs: 60_000,
    });
    rig.defer(() => r.stop());
    r.start();
    await waitFor('the relay to hold the lock', async () => (r.leading() ? true : undefined));
    const msg = outboxMessage();

    // The fallback poll is a minute away: only the NOTIFY of the commit can bring this out in time.
    await withTransaction(db.pool, (c) => enqueueOutbox(c, [msg]));
    await drained(r);

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
    const msgs = [outboxMessage(), outboxMessage(), outboxMessage()];
    await withTransaction(db.pool, (c) => enqueueOutbox(c, msgs));
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
    const msgs = [outboxMessage(), outboxMessage(), outboxMessage()];
    await withTransaction(db.pool, (c) => enqueueOutbox(c, msgs));
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
  'of two relays on one database only the lock holder publishes, and the other takes over when it stops',
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
    await waitFor('relay a to hold the lock', async () => (a.leading() ? true : undefined));
    b.start();
    const early = [outboxMessage(), outboxMessage(), outboxMessage()];

    await withTransaction(db.pool, (c) => enqueueOutbox(c, early));
    await drained(a);

    assert.deepEqual(
      log,
      early.map((m) => `a:${m.eventId}`),
    );
    assert.equal(b.leading(), false, 'relay b does not hold the lock');
    assert.equal(b.healthy(), true, 'a standby relay is healthy');

    await a.stop();
    const late = [outboxMessage(), outboxMessage()];
    await withTransaction(db.pool, (c) => enqueueOutbox(c, late));
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
