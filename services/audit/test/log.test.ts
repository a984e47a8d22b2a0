import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPool, migrate, type Pool } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import pg from 'pg';
import { pino } from 'pino';
import { appendEntries, readHead, readRange } from '../src/db/log.ts';
import { ChainVerifier, canonicalData, type EntryContent, GENESIS } from '../src/domain/chain.ts';

const migrations = fileURLToPath(new URL('../src/db/migrations', import.meta.url));
const logger = pino({ level: 'warn' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;

before(async () => {
  db = await createTestDatabase('ocp_test_audit_');
  await migrate({ databaseUrl: db.url, dir: migrations, logger });
  pool = createPool({ url: db.url, name: 'audit-test', max: 12, logger });
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

let n = 0;
function content(over: Partial<EntryContent> = {}): EntryContent {
  n++;
  return {
    id: `log-test-${n}`,
    time: new Date(Date.UTC(2024, 4, 1, 10, 0, 0, n)).toISOString(),
    source: 'ocp/gateway',
    type: 'ocp.audit.request.v1',
    actor: `operator:${n % 3}`,
    action: 'tenant.suspend',
    target: null,
    tenantId: null,
    outcome: 'success',
    data: canonicalData({ n }),
    ...over,
  };
}

/** Reads the whole log back and checks it, as verify does. */
async function verifyAll() {
  const head = await readHead(pool);
  const v = new ChainVerifier(GENESIS);
  for (const e of await readRange(pool, 1, head.seq, 1_000_000)) {
    const broken = v.next(e);
    if (broken) return { broken, checked: v.checked };
  }
  return { broken: v.end(head.seq), checked: v.checked };
}

/** A superuser's session that skips ordinary triggers, as someone editing the table by hand. */
async function byHand(sql: string, values: unknown[] = []): Promise<void> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query('SET session_replication_role = replica');
    await c.query(sql, values);
  } finally {
    await c.end();
  }
}

test('appends racing from many callers make one chain without gaps that verifies', async () => {
  const start = (await readHead(pool)).seq;
  const batches = Array.from({ length: 10 }, () => Array.from({ length: 50 }, () => content()));

  const results = await Promise.all(batches.map((b) => appendEntries(pool, b)));

  assert.equal(
    results.reduce((a, r) => a + r.appended.length, 0),
    500,
  );
  const head = await readHead(pool);
  assert.equal(head.seq, start + 500);
  const seqs = results.flatMap((r) => r.appended.map((e) => e.seq)).sort((a, b) => a - b);
  assert.deepEqual(
    seqs,
    Array.from({ length: 500 }, (_, i) => start + i + 1),
  );
  assert.deepEqual(await verifyAll(), { broken: undefined, checked: head.seq });
});

test('an event id already in the log, or twice in one batch, is stored once', async () => {
  const a = content();
  const b = content();
  const first = await appendEntries(pool, [a, a, b]);
  assert.equal(first.appended.length, 2);
  assert.equal(first.duplicates, 1);

  const again = await appendEntries(pool, [b, content({ id: a.id, actor: 'operator:other' }), a]);

  assert.deepEqual(again.appended, []);
  assert.equal(again.duplicates, 3);
  assert.equal(again.head.seq, first.head.seq, 'the head did not move');
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM audit_entries WHERE id = ANY($1)', [
    [a.id, b.id],
  ]);
  assert.equal(rows[0].n, 2);
});

test('data read back from the table is the text that was hashed, NUL and unusual numbers included', async () => {
  const odd = content({
    data: canonicalData({ z: 'nul\u0000here', a: [1.5, 1e21, -0, 1e-7], m: { y: 1, x: 2 } }),
  });
  const { appended } = await appendEntries(pool, [odd]);
  const [stored] = await readRange(pool, appended[0]!.seq, appended[0]!.seq, 1);
  assert.deepEqual(stored, appended[0]);
  assert.deepEqual(await verifyAll(), { broken: undefined, checked: (await readHead(pool)).seq });
});

test('the log refuses UPDATE, DELETE and TRUNCATE', async () => {
  await appendEntries(pool, [content()]);
  await assert.rejects(pool.query("UPDATE audit_entries SET actor = 'x'"), /append-only: UPDATE/);
  await assert.rejects(pool.query('DELETE FROM audit_entries'), /append-only: DELETE/);
  await assert.rejects(pool.query('TRUNCATE audit_entries'), /append-only: TRUNCATE/);
});

// Last: it leaves the chain broken.
test('a time moved by one microsecond by hand no longer gives the hash', async () => {
  const { appended } = await appendEntries(pool, [content()]);
  const seq = appended[0]!.seq;
  assert.equal((await verifyAll()).broken, undefined);

  await byHand("UPDATE audit_entries SET time = time + interval '1 microsecond' WHERE seq = $1", [seq]);

  const [read] = await readRange(pool, seq, seq, 1);
  assert.equal(read?.time, appended[0]!.time.replace('Z', '001Z'));
  const { broken } = await verifyAll();
  assert.equal(broken?.seq, seq);
  assert.equal(broken?.problem, 'changed');
});
