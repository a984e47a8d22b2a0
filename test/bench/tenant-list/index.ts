/**
 * `pnpm bench:tenant-list`: seeds `--tenants` tenant rows (100,000 by default) straight into the
 * tenant service's database (one INSERT ... SELECT over generate_series: slugs, names, domains,
 * billing customer ids, states and plans of a plausible fleet), then times pages of 50 through the
 * gateway (real HTTP, a logged-in operator, NATS to the tenant service) against the same SQL
 * statement run straight on PostgreSQL: the first page, deep pages by cursor, a state filter, a slug
 * prefix, each sort, free-text search, and the counts by state. It prints p50 and p99 of each and
 * the ratio; it never fails on them.
 *
 *   pnpm bench:tenant-list [--tenants 100000] [--samples 200] [--explain]
 *
 * `--explain` prints PostgreSQL's plan of each scenario's statement (EXPLAIN ANALYZE) after its figures.
 */
import { parseArgs } from 'node:util';
import type { TenantListRequestV1 } from '@ocp/contracts';
import pg from 'pg';
import { tenantListQuery } from '../../../services/tenant/src/handlers/tenant-list.ts';
import { type Platform, startPlatform } from '../../support/platform.ts';
import { type Summary, summarize } from '../audit/stats.ts';
import { positiveInt } from '../support/args.ts';

const usage = 'usage: pnpm bench:tenant-list [--tenants 100000] [--samples 200] [--explain]';
const progress = (line: string) => process.stderr.write(`${line}\n`);
const PAGE_TARGET_MS = 10;
const SEARCH_TARGET_MS = 50;
const WARMUP = 20;

type ListQuery = Omit<TenantListRequestV1, 'limit' | 'tenantIds'>;

interface Scenario {
  label: string;
  target: number;
  /** The query string parameters of each sample (one is picked per sample, in turn). */
  queries: ListQuery[];
}

/** The fleet: words for names and slugs, a state and plan mix, three years of creation times. */
const SEED_SQL = `
WITH w AS (
  SELECT
    ARRAY['acme','blue','harbor','north','delta','summit','cedar','pixel','lumen','vertex','orbit','maple',
          'atlas','nova','quartz','river','solar','tango','urban','willow','zenith','amber','bright','crown',
          'ember','fjord','granite','hazel','iris','jade','koala','lotus','meadow','nimbus','onyx','pine',
          'quill','raven','sage','timber','umbra','violet','wave','xenon','yarrow','zephyr','alpine','birch',
          'coral','dune'] AS a,
    ARRAY['trading','systems','foods','logistics','studio','labs','partners','retail','works','consulting',
          'health','energy','media','motors','textiles','farms','bakery','clinic','legal','travel'] AS b,
    ARRAY['GmbH','Ltd','SA','Inc','BV','SRL','Oy','AB','LLC','SARL'] AS c
), g AS (
  SELECT i, w.a[1 + (hashint4(i) & 2147483647) % 50] AS w1, w.a[1 + (hashint4(i + 7) & 2147483647) % 50] AS w2,
         w.b[1 + (hashint4(i + 13) & 2147483647) % 20] AS w3, w.c[1 + (hashint4(i + 29) & 2147483647) % 10] AS w4,
         (hashint4(i + 41) & 2147483647) % 1000 AS r
  FROM generate_series(1, $1::int) AS i, w
)
INSERT INTO tenants (id, slug, display_name, plan, state, database_name, created_at, updated_at,
  base_url, billing_customer_id, deleted_at)
SELECT gen_random_uuid(),
  left(w1 || '-' || w3 || '-' || i, 32),
  initcap(w1) || ' ' || initcap(w2) || ' ' || initcap(w3) || ' ' || w4,
  CASE WHEN r % 10 < 6 THEN 'starter' WHEN r % 10 < 9 THEN 'pro' ELSE 'enterprise' END,
  CASE WHEN r < 800 THEN 'active' WHEN r < 900 THEN 'suspended' WHEN r < 930 THEN 'failed'
       WHEN r < 950 THEN 'pending' ELSE 'deleted' END,
  'bench_' || i,
  date_trunc('milliseconds', now() - (i * interval '15 minutes')),
  date_trunc('milliseconds', now() - (i * interval '15 minutes') + (r * interval '1 minute')),
  CASE WHEN r % 5 = 0 THEN 'https://www.' || w2 || w1 || '.com'
       ELSE 'https://' || left(w1 || '-' || w3 || '-' || i, 32) || '.odoo.example.net' END,
  CASE WHEN r % 10 < 7 THEN 'cus_' || substr(md5(i::text), 1, 14) END,
  CASE WHEN r >= 950 THEN now() END
FROM g`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenants: { type: 'string' },
      samples: { type: 'string' },
      explain: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const tenants = positiveInt('--tenants', values.tenants, 100_000, 1000, usage);
  const samples = positiveInt('--samples', values.samples, 200, 10, usage);
  let p: Platform | undefined;
  let sql: pg.Client | undefined;
  const cleanup = async () => {
    await sql?.end().catch(() => {});
    await p?.close().catch((e: unknown) => progress(`cleaning up the platform: ${e}`));
  };
  process.once('SIGINT', () => {
    progress('interrupted; removing what the benchmark made');
    void cleanup().finally(() => process.exit(130));
  });
  try {
    progress('starting the platform (tenant, audit, billing services and the gateway)');
    p = await startPlatform();
    sql = new pg.Client({ connectionString: p.databases.tenant });
    await sql.connect();
    const started = performance.now();
    await sql.query(SEED_SQL, [tenants]);
    await sql.query('ANALYZE tenants');
    progress(`seeded ${tenants} tenants in ${Math.round(performance.now() - started)} ms`);

    const api = p.api;
    const page = async (q: ListQuery & { cursor?: string }) => {
      const params = new URLSearchParams({ limit: '50' });
      for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
      const res = await api.call('GET', `/api/v1/tenants?${params}`);
      if (res.status !== 200)
        throw new Error(`GET /api/v1/tenants?${params}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { items: unknown[]; nextCursor: string | null };
    };
    /** Cursors of pages `from`..`to` of a list, collected by paging through it. */
    const cursorsOf = async (q: ListQuery, from: number, to: number): Promise<string[]> => {
      const out: string[] = [];
      let cursor: string | undefined;
      for (let n = 1; n < to; n++) {
        const body = await page({ ...q, ...(cursor ? { cursor } : {}) });
        if (!body.nextCursor) break;
        cursor = body.nextCursor;
        if (n + 1 >= from) out.push(cursor);
      }
      return out;
    };

    progress('collecting cursors of deep pages');
    const deep = await cursorsOf({}, 1000, 1040);
    const sorts = [
      '-createdAt',
      'createdAt',
      'slug',
      '-slug',
      'displayName',
      '-displayName',
      '-updatedAt',
      'updatedAt',
      'state',
    ] as const;
    const scenarios: Scenario[] = [
      { label: 'first page (newest first)', target: PAGE_TARGET_MS, queries: [{}] },
      {
        label: 'deep pages (1,000-1,040) by cursor',
        target: PAGE_TARGET_MS,
        queries: deep.map((cursor) => ({ cursor })),
      },
      { label: 'state=suspended (10%)', target: PAGE_TARGET_MS, queries: [{ state: 'suspended' }] },
      { label: 'state=failed (3%)', target: PAGE_TARGET_MS, queries: [{ state: 'failed' }] },
      { label: 'slugPrefix=acme', target: PAGE_TARGET_MS, queries: [{ slugPrefix: 'acme' }] },
      {
        label: 'slugPrefix=zephyr-studio-1',
        target: PAGE_TARGET_MS,
        queries: [{ slugPrefix: 'zephyr-studio-1' }],
      },
    ];
    for (const sort of sorts) {
      const cursors = await cursorsOf({ sort }, 200, 210);
      scenarios.push({ label: `sort=${sort}, first page`, target: PAGE_TARGET_MS, queries: [{ sort }] });
      scenarios.push({
        label: `sort=${sort}, pages 200-210`,
        target: PAGE_TARGET_MS,
        queries: cursors.map((cursor) => ({ sort, cursor })),
      });
    }
    const searches: Array<[string, string]> = [
      ['harbor', 'a name word (~8% of tenants)'],
      ['Acme Lumen', 'two name words'],
      ['cus_3f2a', 'a customer id prefix'],
      ['vertexacme.com', 'a custom domain'],
      ['summit-labs-4', 'a slug fragment'],
      ['xq', 'two letters, few matches'],
      ['nothing-like-this', 'no match'],
    ];
    for (const [q, what] of searches)
      scenarios.push({ label: `q=${q} (${what})`, target: SEARCH_TARGET_MS, queries: [{ q }] });
    const qSorted = await cursorsOf({ q: 'harbor', sort: 'displayName' }, 20, 25);
    scenarios.push({
      label: 'q=harbor, sort=displayName, pages 20-25',
      target: SEARCH_TARGET_MS,
      queries: qSorted.map((cursor) => ({ q: 'harbor', sort: 'displayName', cursor })),
    });

    const rows: Array<{ label: string; api: Summary; db: Summary; target: number }> = [];
    const plans: string[] = [];
    for (const s of scenarios) {
      if (s.queries.length === 0) throw new Error(`${s.label}: no cursors (is the fleet large enough?)`);
      const viaApi: number[] = [];
      const viaSql: number[] = [];
      for (let n = 0; n < WARMUP + samples; n++) {
        const q = s.queries[n % s.queries.length]!;
        const t0 = performance.now();
        await page(q);
        const t1 = performance.now();
        const { sql: text, args } = tenantListQuery({ ...q, limit: 50 });
        await sql.query(text, args);
        const t2 = performance.now();
        if (n >= WARMUP) {
          viaApi.push(t1 - t0);
          viaSql.push(t2 - t1);
        }
      }
      rows.push({ label: s.label, api: summarize(viaApi), db: summarize(viaSql), target: s.target });
      if (values.explain) {
        const { sql: text, args } = tenantListQuery({ ...s.queries[0]!, limit: 50 });
        const plan = await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF) ${text}`, args);
        plans.push(`${s.label}\n${plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
      }
      progress(`${s.label}: done`);
    }
    const viaApi: number[] = [];
    const viaSql: number[] = [];
    for (let n = 0; n < WARMUP + Math.min(samples, 50); n++) {
      const t0 = performance.now();
      const res = await api.call('GET', '/api/v1/tenants/stats');
      if (res.status !== 200) throw new Error(`stats: ${res.status}`);
      const t1 = performance.now();
      await sql.query('SELECT state, count(*)::int AS n FROM tenants GROUP BY state');
      const t2 = performance.now();
      if (n >= WARMUP) {
        viaApi.push(t1 - t0);
        viaSql.push(t2 - t1);
      }
    }
    rows.push({
      label: 'GET /tenants/stats (GROUP BY state)',
      api: summarize(viaApi),
      db: summarize(viaSql),
      target: 0,
    });

    const f = (ms: number) => ms.toFixed(2).padStart(7);
    console.log(`\nTenant list, ${tenants} tenants, pages of 50, ${samples} samples each (ms)\n`);
    console.log(
      `${'scenario'.padEnd(52)} ${'API p50'.padStart(7)} ${'API p99'.padStart(7)} ${'SQL p50'.padStart(7)} ${'SQL p99'.padStart(7)}  p50 x  p99 x  target p99`,
    );
    for (const r of rows) {
      const verdict = r.target ? `${r.api.p99 <= r.target ? 'ok  ' : 'OVER'} < ${r.target}` : '';
      console.log(
        `${r.label.padEnd(52)} ${f(r.api.p50)} ${f(r.api.p99)} ${f(r.db.p50)} ${f(r.db.p99)} ${(r.api.p50 / r.db.p50).toFixed(1).padStart(5)} ${(r.api.p99 / r.db.p99).toFixed(1).padStart(6)}  ${verdict}`,
      );
    }
    if (plans.length) console.log(`\nPlans\n\n${plans.join('\n\n')}`);
    console.log('\nAPI: GET /api/v1/tenants over HTTP with a bearer token (gateway, NATS, tenant service);');
    console.log('SQL: the statement the tenant service runs, straight to PostgreSQL over one connection.');
  } finally {
    await cleanup();
  }
}

await main();
