/**
 * `pnpm bench:audit`: seeds an audit log of `--entries` entries (1,000 tenants over 30 days), then
 * measures, against baselines run in the same process on the same server:
 * - the append rate through the whole path (an event published on JetStream to a stored, chained
 *   entry), live (published while the service runs) and catching up (published while it is
 *   stopped), against raw multi-row INSERTs of the same rows into a plain table with the same indexes;
 * - the latency of a filtered query (one tenant, one day) through the service's request/reply
 *   method, against the same SELECT on the plain table straight to PostgreSQL.
 * It prints figures; it never fails on them.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type AuditService, startAuditService } from '@ocp/audit';
import { type AuditConfig, parseConfig } from '@ocp/audit/config';
import { type Bus, createBus } from '@ocp/bus';
import { createLogger } from '@ocp/service-kit';
import { createTestDatabase, startNats, type TestNats } from '@ocp/testkit';
import pg from 'pg';
import { readHead } from '../../../services/audit/src/db/log.ts';
import {
  headReaches,
  makePlainTable,
  type Prepared,
  prepare,
  publishAll,
  rawInserts,
  seed,
  serviceCounters,
} from './append.ts';
import { parseOptions, usage } from './options.ts';
import { timeQueries } from './query.ts';
import { type Summary, summarize } from './stats.ts';
import { makeWorld, requestEvent, type World } from './world.ts';

const progress = (line: string) => process.stderr.write(`${line}\n`);
const TARGET_RATE = 5_000;
const TARGET_P99_MS = 100;
const WARMUP_EVENTS = 2_000;
const WARMUP_QUERIES = 100;

interface Rate {
  label: string;
  count: number;
  ms: number;
  note?: string;
}

const perSecond = (r: Rate) => r.count / (r.ms / 1000);

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  if (opts.help) {
    console.log(usage);
    return;
  }
  let nats: TestNats | undefined;
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let service: AuditService | undefined;
  let nc: NatsConnection | undefined;
  let bus: Bus | undefined;
  let pool: pg.Pool | undefined;
  const clients: pg.Client[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      const step = (what: string, run: () => Promise<unknown> | undefined) =>
        Promise.resolve(run()).catch((e: unknown) => progress(`cleaning up ${what}: ${e}`));
      await step('the audit service', () => service?.close());
      await step('the bus', () => bus?.close());
      await step('the NATS connection', () => nc?.close());
      for (const c of clients) await step('a database connection', () => c.end());
      await step('the pool', () => pool?.end());
      await step('the database', () => db?.drop());
      await step('nats-server', () => nats?.dispose());
    })();
    return cleaning;
  };
  process.once('SIGINT', () => {
    progress('interrupted; removing what the benchmark made');
    void cleanup().finally(() => process.exit(130));
  });

  try {
    progress('starting nats-server, a database and the audit service');
    nats = await startNats();
    db = await createTestDatabase('ocp_bench_audit_');
    const config: AuditConfig = parseConfig({
      NATS_URL: nats.url,
      DATABASE_URL: db.url,
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      ...opts.auditEnv,
    });
    const start = async () => await startAuditService(config, createLogger('audit', config.LOG_LEVEL));
    service = await start();
    const client = async () => {
      const c = new pg.Client({ connectionString: db!.url, application_name: 'ocp-bench-audit' });
      clients.push(c);
      await c.connect();
      return c;
    };
    const [heads, raw, plainQueries] = [await client(), await client(), await client()];
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    nc = await connect({ servers: nats.url, name: 'ocp-bench-audit' });
    bus = await createBus({ nc, logger: createLogger('bench', 'warn'), service: 'bench' });

    const world: World = makeWorld(opts);
    progress(`seeding ${opts.entries} entries (${opts.tenants} tenants, ${opts.days} days)`);
    const seedMs = opts.entries > 0 ? await seed(pool, world, opts.entries, opts.seedBatch, progress) : 0;
    await makePlainTable(pool);

    const events = (n: number) => Array.from({ length: n }, () => requestEvent(world));
    const phase = async (label: string, p: Prepared, run: () => Promise<{ ms: number; note?: string }>) => {
      progress(`${label}: ${p.events.length} events`);
      const { ms, note } = await run();
      return { label, count: p.events.length, ms, ...(note ? { note } : {}) } satisfies Rate;
    };

    progress(`warm-up: ${WARMUP_EVENTS} events each way (not counted)`);
    const warm = prepare(events(WARMUP_EVENTS));
    await rawInserts(raw, warm.events, config.APPEND_BATCH_SIZE);
    const warmHead = (await readHead(pool)).seq + WARMUP_EVENTS;
    await publishAll(bus, warm);
    await headReaches(heads, warmHead);

    // A B B A: a drift over the run (the log growing, a checkpoint) weighs on both sides alike.
    const live = prepare(events(opts.publish));
    const backlog = prepare(events(opts.publish));
    const rates: Rate[] = [];
    rates.push(
      await phase('raw INSERT, plain table (1)', live, async () => ({
        ms: await rawInserts(raw, live.events, config.APPEND_BATCH_SIZE),
      })),
    );
    rates.push(
      await phase('JetStream -> log, live', live, async () => {
        const counters = await serviceCounters(service!.port);
        const target = (await readHead(pool!)).seq + live.events.length;
        const started = performance.now();
        const publishing = publishAll(bus!, live);
        const done = await headReaches(heads, target);
        const publishMs = await publishing;
        const after = await serviceCounters(service!.port);
        const batches = after.batches - counters.batches;
        return {
          ms: done - started,
          note: `${batches} batches, ${((after.appended - counters.appended) / batches).toFixed(0)} entries and ${(((after.batchSeconds - counters.batchSeconds) / batches) * 1000).toFixed(1)} ms each; the publisher alone took ${(publishMs / 1000).toFixed(2)} s`,
        };
      }),
    );
    rates.push(
      await phase('JetStream -> log, catching up', backlog, async () => {
        await service!.close();
        service = undefined;
        const publishMs = await publishAll(bus!, backlog);
        const target = (await readHead(pool!)).seq + backlog.events.length;
        const started = performance.now();
        service = await start();
        const done = await headReaches(heads, target);
        const after = await serviceCounters(service.port);
        return {
          ms: done - started,
          note: `from the service's start; ${after.batches} batches, ${(after.appended / after.batches).toFixed(0)} entries and ${((after.batchSeconds / after.batches) * 1000).toFixed(1)} ms each; the backlog was published at ${(backlog.events.length / (publishMs / 1000)).toFixed(0)} events/s`,
        };
      }),
    );
    rates.push(
      await phase('raw INSERT, plain table (2)', backlog, async () => ({
        ms: await rawInserts(raw, backlog.events, config.APPEND_BATCH_SIZE),
      })),
    );

    progress(`queries: ${WARMUP_QUERIES} warm-up, then ${opts.queries} on each side`);
    await timeQueries(bus, plainQueries, world, WARMUP_QUERIES);
    const q = await timeQueries(bus, plainQueries, world, opts.queries);

    progress('verify over the whole log');
    const verifyStarted = performance.now();
    const verified = await bus.request('audit.verify.v1', {}, { timeoutMs: 1_800_000 });
    const verifyMs = performance.now() - verifyStarted;

    const { rows: facts } = await pool.query<{ v: string; sc: string; size: string; n: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc,
         pg_size_pretty(pg_total_relation_size('audit_entries')) AS size, (SELECT seq FROM audit_head)::text AS n`,
    );
    const f = facts[0]!;
    const raws = rates.filter((r) => r.label.startsWith('raw'));
    const rawRate = raws.reduce((a, r) => a + r.count, 0) / (raws.reduce((a, r) => a + r.ms, 0) / 1000);
    const service_ = summarize(q.service);
    const plain = summarize(q.plain);
    const ms = (v: number) => v.toFixed(2).padStart(9);
    const queryRow = (label: string, s: Summary) =>
      `  ${label.padEnd(24)}${String(s.n).padStart(9)}${[s.p50, s.p95, s.p99, s.max].map(ms).join('')}`;
    const met = (ok: boolean) => (ok ? 'met' : 'missed');
    const lines = [
      `audit benchmark: log of ${opts.entries} entries seeded (${opts.tenants} tenants over ${opts.days} days) in ${(seedMs / 1000).toFixed(1)} s through the service's append, ${opts.seedBatch} a transaction (${(opts.entries / (seedMs / 1000 || 1)).toFixed(0)} entries/s)`,
      `PostgreSQL ${f.v} (synchronous_commit ${f.sc}), nats-server ${nc.info?.version}; the audit service runs in this process: APPEND_BATCH_SIZE ${config.APPEND_BATCH_SIZE}, APPEND_BATCH_WAIT_MS ${config.APPEND_BATCH_WAIT_MS}`,
      '',
      `append: ${opts.publish} ocp.audit.request.v1 events a phase, in the order below (A B B A); JetStream -> log is from the first publish`,
      '(live) or the service start (catching up) to the head of the chain at the last entry; raw is the same rows,',
      `multi-row INSERT ... SELECT unnest(...) of ${config.APPEND_BATCH_SIZE} a transaction into a plain table with the same indexes (no NATS, no chain)`,
      ...rates.map(
        (r) =>
          `  ${r.label.padEnd(32)}${String(r.count).padStart(8)} in ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${perSecond(r).toFixed(0).padStart(7)} entries/s${r.note ? `\n      ${r.note}` : ''}`,
      ),
      `  ratio to raw (${rawRate.toFixed(0)} entries/s, both raw batches): live ${(perSecond(rates[1]!) / rawRate).toFixed(2)}x, catching up ${(perSecond(rates[2]!) / rawRate).toFixed(2)}x`,
      `  target (at least ${TARGET_RATE} entries/s through the whole path): live ${met(perSecond(rates[1]!) >= TARGET_RATE)}, catching up ${met(perSecond(rates[2]!) >= TARGET_RATE)}`,
      '',
      `filtered query, one tenant and one day (random ones; ${(q.rows.reduce((a, b) => a + b, 0) / q.rows.length).toFixed(1)} entries an answer on average), on a log of ${f.n} entries (${f.size} with indexes):`,
      '  service: rpc.audit.query.v1 over NATS request/reply (request and reply checked, JSON); plain: the same filter as one',
      '  indexed SELECT on the plain table (same rows and indexes) straight to PostgreSQL. Each query on both sides, interleaved.',
      `  ${''.padEnd(24)}${['n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'].map((h) => h.padStart(9)).join('')}`,
      queryRow('service (NATS RPC)', service_),
      queryRow('plain SELECT', plain),
      `  ratio service / plain: p50 ${(service_.p50 / plain.p50).toFixed(2)}x, p99 ${(service_.p99 / plain.p99).toFixed(2)}x`,
      `  target (p99 under ${TARGET_P99_MS} ms): ${met(service_.p99 < TARGET_P99_MS)} (${service_.p99.toFixed(2)} ms)`,
      '',
      `verify over the whole log: ${verified.checked} entries in ${(verifyMs / 1000).toFixed(1)} s (${(verified.checked / (verifyMs / 1000)).toFixed(0)} entries/s), ok ${verified.ok}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    progress('cleaning up');
    await cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
