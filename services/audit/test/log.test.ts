import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RpcError } from '@ocp/bus';
import type { AuditEntry, AuditQueryRequestV1 } from '@ocp/contracts';
import { createPool, migrate, type Pool } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import pg from 'pg';
import { pino } from 'pino';
import { appendEntries, readHead, readRange } from '../src/db/log.ts';
import { ChainVerifier, canonicalData, type EntryContent, GENESIS } from '../src/domain/chain.ts';
import type { HandlerContext } from '../src/handlers/context.ts';
import { queryHandler } from '../src/handlers/query.ts';

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

describe('queries oldest first and newest first', () => {
  const run = `q${Date.now().toString(36)}`;
  const tenant = (i: number) => `${run}-tenant-${i % 40}`;
  const actor = (i: number) => `operator:${run}-${i % 7}`;
  const action = (i: number) => `${run}.action-${i % 3}`;
  // One of every 100 entries: a tenant, an actor, an action among thousands on a real log.
  const rare = { tenantId: `${run}-rare`, actor: `operator:${run}-rare`, action: `${run}.rare` };
  const ask = (req: AuditQueryRequestV1) =>
    queryHandler({ pool, maxReplyBytes: 1_000_000 } as unknown as HandlerContext)(req, { traceparent: '' });

  /** Every page of a query, in its order, with pages of `limit`. */
  async function pages(req: Omit<AuditQueryRequestV1, 'limit' | 'cursor'>, limit: number) {
    const out: AuditEntry[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await ask({ ...req, limit, ...(cursor ? { cursor } : {}) });
      out.push(page.items);
      if (page.nextCursor === null) return out;
      assert.equal(page.items.length, limit, 'only the last page is short');
      cursor = page.nextCursor;
    }
  }

  before(async () => {
    // Enough entries that the planner reads indexes, as it does on a real log.
    for (let b = 0; b < 8; b++)
      await appendEntries(
        pool,
        Array.from({ length: 2500 }, (_, j) => {
          const i = b * 2500 + j;
          return content({
            actor: actor(i),
            action: action(i),
            tenantId: tenant(i),
            outcome: i % 97 === 0 ? 'denied' : 'success',
            ...(i % 100 === 0 ? rare : {}),
          });
        }),
      );
    await pool.query('ANALYZE audit_entries');
  });

  test('both orders page through the same entries exactly once, one the reverse of the other', async () => {
    const filters: Omit<AuditQueryRequestV1, 'limit' | 'cursor'>[] = [
      { tenantId: tenant(3) },
      { tenantIds: [tenant(5), tenant(6)] },
      { actor: actor(2), action: action(1) },
      { action: action(0), outcome: 'denied' },
      { tenantId: tenant(7), from: '2024-05-01T10:00:00.100Z', to: '2024-05-01T10:00:10.000Z' },
    ];
    for (const filter of filters) {
      const asc = await pages(filter, 7);
      const desc = await pages({ ...filter, order: 'desc' }, 7);
      const ascSeqs = asc.flat().map((e) => e.seq);
      const descSeqs = desc.flat().map((e) => e.seq);
      const label = JSON.stringify(filter);
      assert.ok(ascSeqs.length > 7, `${label}: more than one page`);
      assert.equal(new Set(ascSeqs).size, ascSeqs.length, `${label}: each entry once`);
      assert.deepEqual(descSeqs, [...ascSeqs].reverse(), `${label}: newest first is the reverse`);
      assert.deepEqual(
        ascSeqs,
        [...ascSeqs].sort((a, b) => a - b),
        `${label}: oldest first is chain order`,
      );
      const all = (await ask({ ...filter, limit: 5000 })).items.map((e) => e.seq);
      assert.deepEqual(ascSeqs, all, `${label}: the pages hold every matching entry`);
    }
    const newest = await ask({ limit: 1, order: 'desc' });
    assert.equal(newest.items[0]?.seq, (await readHead(pool)).seq, 'unfiltered, the head comes first');
  });

  test('a cursor of one order given with the other is refused, naming the cursor', async () => {
    const asc = await ask({ limit: 2, tenantId: tenant(1) });
    const desc = await ask({ limit: 2, tenantId: tenant(1), order: 'desc' });
    await assert.rejects(
      ask({ limit: 2, tenantId: tenant(1), order: 'desc', cursor: asc.nextCursor! }),
      (e: RpcError) =>
        e instanceof RpcError &&
        e.code === 'VALIDATION_FAILED' &&
        e.field === '/cursor' &&
        /order asc/.test(e.message),
    );
    await assert.rejects(
      ask({ limit: 2, tenantId: tenant(1), cursor: desc.nextCursor! }),
      (e: RpcError) =>
        e.code === 'VALIDATION_FAILED' && e.field === '/cursor' && /order desc/.test(e.message),
    );
    // A cursor from before newest first existed (the position alone) still goes on oldest first.
    const old = Buffer.from(JSON.stringify({ seq: asc.items[1]!.seq })).toString('base64url');
    assert.deepEqual(
      (await ask({ limit: 2, tenantId: tenant(1), cursor: old })).items,
      (await ask({ limit: 2, tenantId: tenant(1), cursor: asc.nextCursor! })).items,
    );
  });

  test('a newest-first page reads an index backwards and stops at the page, with no sort', async () => {
    const plan = async (where: string, values: unknown[]) => {
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT seq FROM audit_entries WHERE ${where} ORDER BY seq DESC LIMIT 51`,
        values,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    // A value in every few entries is found soonest along seq itself; a rare one through its own index.
    for (const [where, values, index] of [
      ['true', [], 'audit_entries_pkey'],
      ['tenant_id = $1', [tenant(9)], '\\w+'],
      ['tenant_id = $1', [rare.tenantId], 'audit_entries_tenant_seq'],
      ['tenant_id = $1 AND seq < $2', [rare.tenantId, 15_000], 'audit_entries_tenant_seq'],
      ['actor = $1', [rare.actor], 'audit_entries_actor_seq'],
      ['action = $1 AND seq < $2', [rare.action, 15_000], 'audit_entries_action_seq'],
      ["outcome = 'denied'", [], '\\w+'],
    ] as const) {
      const text = await plan(where, [...values]);
      assert.match(text, new RegExp(`Index (Only )?Scan Backward using ${index} `), `${where}:\n${text}`);
      assert.doesNotMatch(text, /Sort/, `${where}:\n${text}`);
    }
  });
});
