import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type Pool } from '@ocp/db';
import { createTestDatabase, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import {
  type OperationRowBase,
  type OperationRunner,
  type OperationTable,
  type OperationWorker,
  startOperationWorker,
} from '../src/index.ts';

const limit = { timeout: 60_000 };
const logger = (): Logger => pino({ level: process.env.TEST_LOG_LEVEL ?? 'fatal' });
const table: OperationTable = { table: 'jobs', scope: 'owner_id', channel: 'jobs_runnable' };

interface JobRow extends OperationRowBase {
  owner_id: string;
  finished_at: Date | null;
}

/** The table the worker needs, with the trigger that wakes workers at commit. */
const schema = `
  CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    owner_id text NOT NULL,
    state text NOT NULL DEFAULT 'queued',
    attempts integer NOT NULL DEFAULT 0,
    error text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    leased_by text,
    lease_expires_at timestamptz,
    run_after timestamptz NOT NULL DEFAULT now()
  );
  CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN PERFORM pg_notify('jobs_runnable', NEW.owner_id); RETURN NULL; END $$;
  CREATE TRIGGER jobs_queued AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify();
  CREATE TRIGGER jobs_freed AFTER UPDATE ON jobs FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR (OLD.leased_by IS NOT NULL AND NEW.leased_by IS NULL))
    EXECUTE FUNCTION jobs_notify();`;

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const db = await createTestDatabase('ocp_ops_');
  const pools: Pool[] = [];
  const workers: OperationWorker[] = [];
  const clients: pg.Client[] = [];
  t.after(async () => {
    await Promise.all(workers.map((w) => w.stop(1000)));
    for (const c of clients) await c.end().catch(() => {});
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });
  const pool = createPool({ url: db.url, name: 'ops-test', max: 4, logger: logger() });
  pools.push(pool);
  await pool.query(schema);
  return {
    url: db.url,
    pool,
    track: <T extends pg.Client | Pool>(x: T): T => {
      if (x instanceof pg.Client) clients.push(x);
      else pools.push(x as Pool);
      return x;
    },
    worker(
      runners: Record<string, OperationRunner<JobRow>>,
      extra: { leaseMs?: number; maxAttempts?: number; onEnded?: (row: JobRow) => void } = {},
    ) {
      const own = createPool({ url: db.url, name: 'ops-worker', max: 4, logger: logger() });
      pools.push(own);
      const w = startOperationWorker<JobRow>({
        pool: own,
        databaseUrl: db.url,
        table,
        runners,
        logger: logger(),
        concurrency: 3,
        pollMs: 1000,
        retryDelayMs: () => 50,
        ...extra,
      });
      workers.push(w);
      return w;
    },
    async queue(owner: string, kind = 'step'): Promise<string> {
      const id = randomUUID();
      await pool.query('INSERT INTO jobs (id, kind, owner_id) VALUES ($1, $2, $3)', [id, kind, owner]);
      return id;
    },
    async job(id: string): Promise<JobRow> {
      const { rows } = await pool.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
      return rows[0]!;
    },
  };
}

const ended = (row: JobRow | undefined) => row && (row.state === 'succeeded' || row.state === 'failed');

test(
  'with several workers, two operations of one scope never run at once, and they run oldest first',
  limit,
  async (t) => {
    const s = await setup(t);
    const running = new Map<string, number>();
    const overlaps: string[] = [];
    const started: Array<{ owner: string; id: string }> = [];
    const step: OperationRunner<JobRow> = async (op) => {
      const now = (running.get(op.owner_id) ?? 0) + 1;
      running.set(op.owner_id, now);
      if (now > 1) overlaps.push(`${op.owner_id}: ${now} at once`);
      started.push({ owner: op.owner_id, id: op.id });
      await sleep(5 + Math.floor(Math.random() * 30));
      running.set(op.owner_id, (running.get(op.owner_id) ?? 1) - 1);
      await s.pool.query("UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE id = $1", [op.id]);
    };
    for (let i = 0; i < 3; i++) s.worker({ step });

    const owners = ['a', 'b', 'c'];
    const queued = new Map<string, string[]>(owners.map((o) => [o, []]));
    for (let i = 0; i < 8; i++) {
      for (const owner of owners) queued.get(owner)!.push(await s.queue(owner));
    }
    const all = [...queued.values()].flat();
    await waitFor(
      'every operation to end and give its lease back',
      async () => {
        const { rows } = await s.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM jobs WHERE state = 'succeeded' AND leased_by IS NULL",
        );
        return rows[0]?.n === all.length ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(overlaps, []);
    for (const owner of owners) {
      assert.deepEqual(
        started.filter((x) => x.owner === owner).map((x) => x.id),
        queued.get(owner),
        `the operations of ${owner} ran in the order they were queued, each once`,
      );
    }
    const { rows } = await s.pool.query<{ attempts: number }>(
      'SELECT max(attempts)::int AS attempts FROM jobs',
    );
    assert.equal(rows[0]?.attempts, 1, 'no operation ran twice');
  },
);

test('a pool checkout timeout during a step is retried, not a permanent failure', limit, async (t) => {
  const s = await setup(t);
  // The step's own pool: one connection, which the test holds, and a short checkout timeout.
  const tiny = s.track(new pg.Pool({ connectionString: s.url, max: 1, connectionTimeoutMillis: 200 }));
  const held = await tiny.connect();
  s.worker({
    step: async (op) => {
      await tiny.query('SELECT 1');
      await s.pool.query("UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE id = $1", [op.id]);
    },
  });
  const id = await s.queue('tiny');
  const retried = await waitFor('the checkout timeout to be recorded', async () => {
    const row = await s.job(id);
    return row.error ? row : undefined;
  });
  assert.match(retried.error ?? '', /timeout exceeded when trying to connect/);
  assert.equal(retried.state, 'queued', 'the operation stays open for another attempt');
  held.release();
  const done = await waitFor('the operation to end', async () => {
    const row = await s.job(id);
    return ended(row) ? row : undefined;
  });
  assert.equal(done.state, 'succeeded');
  assert.ok(done.attempts >= 2, `attempts: ${done.attempts}`);
});

test(
  'a permanent failure fails the operation at once, and the next one of its scope runs',
  limit,
  async (t) => {
    const s = await setup(t);
    s.worker({
      broken: async () => {
        throw new Error('the template does not exist');
      },
      step: async (op) => {
        await s.pool.query("UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE id = $1", [op.id]);
      },
    });
    const bad = await s.queue('x', 'broken');
    const next = await s.queue('x', 'step');
    const second = await waitFor('the second operation to end', async () => {
      const row = await s.job(next);
      return ended(row) ? row : undefined;
    });
    assert.equal(second.state, 'succeeded');
    const first = await s.job(bad);
    assert.equal(first.state, 'failed');
    assert.equal(first.attempts, 1);
    assert.equal(first.error, 'the template does not exist');
  },
);

test(
  'an operation interrupted by a stop is not failed, gives its lease back, and the next worker resumes it',
  limit,
  async (t) => {
    const s = await setup(t);
    let entered: () => void = () => {};
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const first = s.worker({
      step: async (_op, { signal }) => {
        entered();
        // A long step that stops at its next safe point when asked; what it throws then is no failure.
        await new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    const id = await s.queue('long');
    await inside;
    await first.stop(5000);
    const mid = await s.job(id);
    assert.equal(mid.state, 'queued');
    assert.equal(mid.leased_by, null, 'the lease was given back');
    assert.equal(mid.error, null);

    s.worker({
      step: async (op) => {
        await s.pool.query("UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE id = $1", [op.id]);
      },
    });
    const done = await waitFor('the operation to end', async () => {
      const row = await s.job(id);
      return ended(row) ? row : undefined;
    });
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 2);
  },
);

test('the operation of a worker that died is resumed once its lease runs out', limit, async (t) => {
  const s = await setup(t);
  const id = await s.queue('orphan');
  // A worker that claimed it and died: its lease is on the row, and nothing renews it.
  await s.pool.query(
    "UPDATE jobs SET leased_by = 'dead', lease_expires_at = now() + interval '1 second', attempts = 1 WHERE id = $1",
    [id],
  );
  const ran: string[] = [];
  s.worker({
    step: async (op) => {
      ran.push(op.leased_by ?? '');
      await s.pool.query("UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE id = $1", [op.id]);
    },
  });
  const done = await waitFor('the operation to end', async () => {
    const row = await s.job(id);
    return ended(row) ? row : undefined;
  });
  assert.equal(done.state, 'succeeded');
  assert.equal(done.attempts, 2);
  assert.equal(ran.length, 1);
  assert.notEqual(ran[0], 'dead');
});

test(
  'a step still running at the stop deadline is not failed when its next query fails after the pools closed; its lease runs out and the next worker resumes it',
  limit,
  async (t) => {
    const s = await setup(t);
    // The step's own pool (a database server's admin pool), closed by the stop while the step runs.
    const admin = new pg.Pool({ connectionString: s.url, max: 1 });
    let entered: () => void = () => {};
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    let goOn: () => void = () => {};
    const gate = new Promise<void>((r) => {
      goOn = r;
    });
    let settled: () => void = () => {};
    const after = new Promise<void>((r) => {
      settled = r;
    });
    const first = s.worker(
      {
        step: async () => {
          entered();
          try {
            // A long step that does not look at the signal (one statement that waits on a lock).
            await gate;
            try {
              await admin.query('SELECT 1');
            } catch (e) {
              // What a step that words its own failure throws: nothing says it may pass.
              throw new Error(`the step failed: ${(e as Error).message}`);
            }
          } finally {
            setImmediate(settled);
          }
        },
      },
      { leaseMs: 1500 },
    );
    const id = await s.queue('deadline');
    await inside;
    await first.stop(200);
    await admin.end();
    goOn();
    await after;
    // The worker's own pool is still open here: had it judged the failure, it could have written it.
    await sleep(200);
    const mid = await s.job(id);
    assert.notEqual(mid.state, 'failed', JSON.stringify(mid));
    assert.equal(mid.error, null);

    s.worker({
      step: async (op) => {
        await s.pool.query("UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE id = $1", [op.id]);
      },
    });
    const done = await waitFor('the operation to end', async () => {
      const row = await s.job(id);
      return ended(row) ? row : undefined;
    });
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 2);
  },
);

test(
  'onEnded reports each operation after the commit that ended it, as it ended: by its runner, by the worker, failed',
  limit,
  async (t) => {
    const s = await setup(t);
    const reported: Array<{ id: string; kind: string; state: string; finished: boolean }> = [];
    s.worker(
      {
        // Ends its operation itself, in a transaction of its own.
        own: async (op) => {
          await s.pool.query(`UPDATE jobs SET state = 'succeeded', finished_at = now() WHERE id = $1`, [
            op.id,
          ]);
        },
        // Returns without ending it: the worker marks it succeeded.
        plain: async () => {},
        broken: async () => {
          throw new Error('not transient');
        },
      },
      {
        maxAttempts: 1,
        onEnded: (row) =>
          reported.push({
            id: row.id,
            kind: row.kind,
            state: row.state,
            finished: row.finished_at instanceof Date,
          }),
      },
    );
    const ids = [await s.queue('a', 'own'), await s.queue('b', 'plain'), await s.queue('c', 'broken')];
    await waitFor('three operations reported', async () => (reported.length === 3 ? true : undefined));
    const byId = new Map(reported.map((r) => [r.id, r]));
    assert.deepEqual(
      ids.map((id) => byId.get(id)),
      [
        { id: ids[0], kind: 'own', state: 'succeeded', finished: true },
        { id: ids[1], kind: 'plain', state: 'succeeded', finished: true },
        { id: ids[2], kind: 'broken', state: 'failed', finished: true },
      ],
    );
  },
);
