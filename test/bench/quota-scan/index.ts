/**
 * `pnpm bench:quota-scan`: makes `--tenants` small tenant databases (1,000 by default: copies of
 * one database with Odoo's tables, `CREATE DATABASE ... TEMPLATE`, owned by a runtime role of its
 * own) each with a filestore of a few files, then times in the same run:
 * - the scan: one look of the quota service's measurement (claims every due tenant, counts active
 *   users and takes the database size through one connection per tenant, walks the filestore,
 *   records the sample), with QUOTA_MAX_CONNECTIONS_PER_SERVER = `--connections`;
 * - the baseline: the same figures taken by a plain sequential script, one pg client per database
 *   and a plain recursive walk of each filestore, nothing recorded.
 * It samples pg_stat_activity during each for the peak of the measuring role's connections, and
 * prints tenants per second, the peaks, the ratio to the baseline and whether the target
 * (1,000 in under 30 s, at most 10 connections at once) is met; it never fails on them. Everything
 * it made is dropped at the end.
 *
 *   pnpm bench:quota-scan [--tenants 1000] [--connections 10] [--files 6]
 */
import { randomUUID } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { adminQuery, adminUrl, uniqueName } from '@ocp/testkit';
import pg from 'pg';
import { pino } from 'pino';
import { ACTIVE_USERS_SQL } from '../../../services/quota/src/measure/active-users.ts';
import { locateKnownTenant } from '../../../services/quota/src/measure/locate.ts';
import type { TenantPlace } from '../../../services/quota/src/measure/measure-tenant.ts';
import { startMeasureScan } from '../../../services/quota/src/measure/scan.ts';
import {
  createServerConnections,
  urlOfDatabase,
} from '../../../services/quota/src/measure/server-connections.ts';
import { createQuotaDatabase, knowTenant } from '../../../services/quota/test/support/quota-database.ts';
import { createTenantDatabases, writeFileOf } from '../../../services/quota/test/support/tenant-databases.ts';
import { positiveInt } from '../support/args.ts';

const usage = 'usage: pnpm bench:quota-scan [--tenants 1000] [--connections 10] [--files 6]';
const progress = (line: string) => process.stderr.write(`${line}\n`);
const TARGET_MS = 30_000;
const TARGET_CONNECTIONS = 10;

/** Samples the connections of `role` every few milliseconds until stopped; answers the peak. */
function watchConnections(role: string): { stop(): Promise<number> } {
  let peak = 0;
  let watching = true;
  const done = (async () => {
    const c = new pg.Client({ connectionString: adminUrl() });
    c.on('error', () => {});
    await c.connect();
    try {
      while (watching) {
        const { rows } = await c.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1',
          [role],
        );
        peak = Math.max(peak, rows[0]!.n);
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return {
    async stop() {
      watching = false;
      await done;
      return peak;
    },
  };
}

/** The plain walk of the baseline: recursive readdir, lstat of each entry, regular files summed. */
async function plainWalk(dir: string): Promise<number> {
  let total = 0;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const p = path.join(dir, name);
    const s = await lstat(p);
    if (s.isFile()) total += s.size;
    else if (s.isDirectory()) total += await plainWalk(p);
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenants: { type: 'string' },
      connections: { type: 'string' },
      files: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const count = positiveInt('--tenants', values.tenants, 1000, 1, usage);
  const maxConnections = positiveInt('--connections', values.connections, TARGET_CONNECTIONS, 1, usage);
  const files = positiveInt('--files', values.files, 6, 0, usage);

  const tenants = await createTenantDatabases(uniqueName('ocp_qmb_'));
  const quota = await createQuotaDatabase();
  const stopping = new AbortController();
  const cleanup = async () => {
    progress('dropping the tenant databases, filestores and the quota database');
    await quota.drop().catch((e: unknown) => progress(`quota database not dropped: ${String(e)}`));
    await tenants.drop().catch((e: unknown) => progress(`tenant databases not dropped: ${String(e)}`));
  };
  process.once('SIGINT', () => stopping.abort());
  try {
    const places = new Map<string, TenantPlace>();
    let made = 0;
    const started = Date.now();
    // Two at once: CREATE DATABASE copies the template's files; more only queue on the disk.
    const ids = Array.from({ length: count }, () => randomUUID());
    let next = 0;
    const maker = async () => {
      while (next < ids.length && !stopping.signal.aborted) {
        const i = next++;
        const id = ids[i]!;
        const db = await tenants.create(String(i).padStart(5, '0'));
        const dir = path.join(tenants.filestoreRoot, db);
        for (let f = 0; f < files; f++) {
          const name = randomUUID().replaceAll('-', '');
          await writeFileOf(dir, `${name.slice(0, 2)}/${name}`, 512 + ((i * 7919 + f * 104729) % 16_384));
        }
        places.set(id, { databaseName: db, server: null, filestoreDir: dir });
        await knowTenant(quota.pool, { id, databaseName: db, filestoreDir: dir });
        if (++made % 100 === 0) progress(`${made}/${count} tenant databases made`);
      }
    };
    await Promise.all([maker(), maker()]);
    if (stopping.signal.aborted) return;
    progress(
      `${count} tenant databases with filestores made in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    await adminQuery('CHECKPOINT');

    // Baseline: the same figures, one tenant after the other, a client per database.
    const baseWatch = watchConnections(tenants.adminRole);
    const b0 = performance.now();
    let baseUsers = 0;
    for (const p of places.values()) {
      const c = new pg.Client({ connectionString: urlOfDatabase(tenants.adminUrl, p.databaseName) });
      await c.connect();
      try {
        const users = await c.query<{ n: string }>(ACTIVE_USERS_SQL);
        await c.query('SELECT pg_database_size(current_database())');
        baseUsers += Number(users.rows[0]!.n);
      } finally {
        await c.end();
      }
      await plainWalk(p.filestoreDir!);
    }
    const baseMs = performance.now() - b0;
    const basePeak = await baseWatch.stop();

    // The scan, as the quota service runs it.
    const connections = createServerConnections({
      defaultUrl: tenants.adminUrl,
      maxPerServer: maxConnections,
    });
    const scan = startMeasureScan(
      {
        db: quota.pool,
        pool: quota.pool,
        logger: pino({ level: 'silent' }),
        connections,
        // Located as the service does, from its copy of the tenants (located already here).
        locate: locateKnownTenant(quota.pool, async () => {
          throw new Error('every tenant of the benchmark is located already');
        }),
        now: () => new Date(),
        intervalMs: 3_600_000,
        concurrency: maxConnections * 4,
        afterSample: async () => {},
      },
      { autoStart: false },
    );
    const scanWatch = watchConnections(tenants.adminRole);
    const s0 = performance.now();
    const measured = await scan.runOnce();
    const scanMs = performance.now() - s0;
    const scanPeak = await scanWatch.stop();
    await scan.stop();

    const { rows } = await quota.pool.query<{ n: number; errors: number; users: string }>(
      'SELECT count(*)::int AS n, count(error)::int AS errors, COALESCE(sum(active_users), 0) AS users FROM usage_samples',
    );
    const perSecond = (n: number, ms: number) => (n / (ms / 1000)).toFixed(1);
    console.log(
      `quota scan of ${count} tenant databases (${files} filestore files each), QUOTA_MAX_CONNECTIONS_PER_SERVER=${maxConnections}`,
    );
    console.log(
      `  scan:     ${measured} measured in ${(scanMs / 1000).toFixed(2)} s = ${perSecond(measured, scanMs)} tenants/s; peak ${scanPeak} connections; ${rows[0]!.n} samples, ${rows[0]!.errors} with an error; ${rows[0]!.users} active users`,
    );
    console.log(
      `  baseline: ${count} measured in ${(baseMs / 1000).toFixed(2)} s = ${perSecond(count, baseMs)} tenants/s; peak ${basePeak} connections (sequential, one client per database); ${baseUsers} active users`,
    );
    console.log(`  ratio:    the scan took ${(scanMs / baseMs).toFixed(2)}x the baseline's time`);
    const met = scanMs < (TARGET_MS * count) / 1000 && scanPeak <= TARGET_CONNECTIONS;
    console.log(
      `  target:   ${count} in under ${((TARGET_MS * count) / 1000 / 1000).toFixed(1)} s with at most ${TARGET_CONNECTIONS} connections: ${met ? 'met' : 'NOT met'}`,
    );
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
