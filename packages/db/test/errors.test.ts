import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase } from '@ocp/testkit';
import pg from 'pg';
import { testLogger } from '../../bus/test/helpers.ts';
import { classifyDbError, createPool, isTransientDbError, permanentDbError } from '../src/index.ts';

const limit = { timeout: 20_000 };

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a failure');
}

test(
  'failures that pass by themselves are told apart from errors of the statement, on a real server',
  limit,
  async (t) => {
    const db = await createTestDatabase('ocp_errors_');
    const pool = createPool({ url: db.url, name: 'errors-test', max: 1, logger: testLogger() });
    // Raw clients are ended before the database is dropped; their errors are expected.
    const clients: pg.Client[] = [];
    t.after(async () => {
      for (const c of clients) await c.end().catch(() => {});
      await pool.end();
      await db.drop();
    });
    await pool.query('CREATE TABLE t (id int PRIMARY KEY)');

    // A lock held elsewhere, with lock_timeout: 55P03.
    const holder = new pg.Client({ connectionString: db.url });
    holder.on('error', () => {});
    await holder.connect();
    clients.push(holder);
    await holder.query('BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    const other = new pg.Client({ connectionString: db.url });
    other.on('error', () => {});
    await other.connect();
    clients.push(other);
    const lockTimeout = await failure(other.query("SET lock_timeout = '50ms'; SELECT * FROM t"));
    assert.deepEqual(classifyDbError(lockTimeout), { transient: true, reason: 'lock not available' });

    // The pool's only connection is checked out: the next checkout times out.
    const small = new pg.Pool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 50 });
    const held = await small.connect();
    const checkout = await failure(small.query('SELECT 1'));
    held.release();
    await small.end();
    assert.deepEqual(classifyDbError(checkout), { transient: true, reason: 'pool checkout timeout' });
    await holder.query('ROLLBACK');

    // A session terminated by the server (a restart, a failover): 57P01 on the victim.
    const victim = new pg.Client({ connectionString: db.url });
    victim.on('error', () => {});
    await victim.connect();
    clients.push(victim);
    const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const sleeping = failure(victim.query('SELECT pg_sleep(5)'));
    await other.query('SELECT pg_terminate_backend($1)', [pid]);
    assert.equal(isTransientDbError(await sleeping), true);

    // Errors of the statement or the data are not retried.
    assert.equal(isTransientDbError(await failure(pool.query('SELECT * FROM missing_table'))), false);
    assert.equal(isTransientDbError(await failure(pool.query('INSERT INTO t VALUES (1), (1)'))), false);
    assert.equal(isTransientDbError(await failure(pool.query('SELECT 1/0'))), false);
  },
);

test('a server starting up or in recovery, and causes wrapped in other errors, are transient', () => {
  const recovering = Object.assign(new Error('the database system is in recovery mode'), { code: '57P03' });
  assert.deepEqual(classifyDbError(recovering), {
    transient: true,
    reason: 'server starting up or in recovery',
  });
  // Seen without a code when the server refuses the startup packet before a session exists.
  assert.equal(isTransientDbError(new Error('the database system is starting up')), true);
  assert.equal(isTransientDbError(new Error('step failed', { cause: recovering })), true);
  assert.equal(isTransientDbError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), true);
  assert.equal(isTransientDbError(new Error('duplicate key value violates unique constraint')), false);
  assert.equal(isTransientDbError(undefined), false);
});

test(
  'data that can never be stored is told apart from failures that may pass, on a real server',
  limit,
  async (t) => {
    const db = await createTestDatabase('ocp_errors_');
    const pool = createPool({ url: db.url, name: 'errors-test', max: 1, logger: testLogger() });
    t.after(async () => {
      await pool.end();
      await db.drop();
    });
    await pool.query('CREATE TABLE p (t text, j jsonb, n smallint, c int NOT NULL CHECK (c > 0) DEFAULT 1)');
    const cases: Array<[string, Promise<unknown>, RegExp]> = [
      ['a NUL in text', pool.query('INSERT INTO p (t) VALUES ($1)', ['a\u0000b']), /22021/],
      ['a NUL escape in jsonb', pool.query('INSERT INTO p (j) VALUES ($1)', ['{"a":"\\u0000"}']), /22P05/],
      [
        'a lone surrogate in jsonb',
        pool.query('INSERT INTO p (j) VALUES ($1)', ['{"a":"\\ud800"}']),
        /22P02/,
      ],
      ['a number out of range', pool.query('INSERT INTO p (n) VALUES ($1)', [70000]), /22003/],
      ['a not-null violation', pool.query('INSERT INTO p (c) VALUES (NULL)'), /23502/],
      ['a check violation', pool.query('INSERT INTO p (c) VALUES (-1)'), /23514/],
    ];
    for (const [what, p, code] of cases) {
      const err = await failure(p);
      const reason = permanentDbError(new Error('handler failed', { cause: err }));
      assert.match(reason ?? '', code, what);
      assert.equal(isTransientDbError(err), false, what);
    }
    // Failures that may pass, or that a deploy may fix, are not permanent.
    assert.equal(permanentDbError(await failure(pool.query('SELECT * FROM missing_table'))), undefined);
    assert.equal(permanentDbError(Object.assign(new Error('x'), { code: '57P01' })), undefined);
    assert.equal(permanentDbError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), undefined);
    assert.equal(permanentDbError(new Error('Connection terminated unexpectedly')), undefined);
  },
);
