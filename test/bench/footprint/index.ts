/**
 * `pnpm bench:footprint`: runs the services as `./run start` does (its service specs and
 * supervisor, one process per service, over an embedded PostgreSQL and a nats-server of the
 * benchmark's own), from their built JavaScript under plain node and, in the same run, from their
 * TypeScript source under tsx as the baseline. Each start is timed from spawning the services to
 * every service's /readyz answering 200; after an idle spell each process's proportional set size
 * (PSS) is read from /proc/<pid>/smaps_rollup. Linux only. It prints figures; it never fails on them.
 */
import { access, chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  answersOk,
  auditCheckpointKey,
  createLog,
  ensureDatabases,
  ensureNats,
  ensurePostgres,
  type Log,
  loadConfig,
  type NatsHandle,
  type PostgresHandle,
  repoRoot,
  SERVICE_DATABASES,
  SERVICES,
  type ServiceBuild,
  type StartConfig,
  type SupervisedChild,
  serviceSpecs,
  supervise,
  tenantSecretsKey,
} from '@ocp/cli';
import { freePort } from '@ocp/testkit';
import { positiveInt } from '../support/args.ts';
import { descendantsOf, type Footprint, footprintOf, mib } from './memory.ts';

const usage = `pnpm bench:footprint [--rounds 3] [--idle-seconds 10] [--ready-timeout-seconds 180]
  Starts the four services --rounds times from dist/ (node) and as many times from src/ (tsx),
  alternating which goes first, after one unmeasured start of each; waits --idle-seconds after
  all are ready before reading their memory.`;

const progress = (line: string) => process.stderr.write(`${line}\n`);
type ServiceName = (typeof SERVICES)[number];
const BUILDS: Record<ServiceBuild, string> = {
  built: 'node --conditions=production dist/main.js',
  source: 'node --import tsx src/main.ts',
};

interface Options {
  rounds: number;
  idleMs: number;
  readyTimeoutMs: number;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'ready-timeout-seconds': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  return {
    rounds: positiveInt('--rounds', values.rounds, 3, 1, usage),
    idleMs: positiveInt('--idle-seconds', values['idle-seconds'], 10, 0, usage) * 1000,
    readyTimeoutMs:
      positiveInt('--ready-timeout-seconds', values['ready-timeout-seconds'], 180, 1, usage) * 1000,
  };
}

/** One start of the four services. */
interface Run {
  build: ServiceBuild;
  /** Milliseconds from spawning the services to each one's first 200 on /readyz. */
  readyMs: Record<ServiceName, number>;
  allReadyMs: number;
  footprint: Record<ServiceName, Footprint>;
  /** PSS of the servers the services use (the embedded PostgreSQL's processes, nats-server), by command name. */
  servers: Map<string, { processes: number; pss: number }>;
}

/** The servers the services use, started once for the whole benchmark. */
interface World {
  config: StartConfig;
  postgres: PostgresHandle;
  nats: NatsHandle;
  endpoints: Parameters<typeof serviceSpecs>[1];
  log: Log;
  /** The latest lines the services and servers wrote, shown when a start fails. */
  recent: string[];
}

function portOf(config: StartConfig, name: ServiceName): number {
  return {
    tenant: config.tenantPort,
    audit: config.auditPort,
    billing: config.billingPort,
    gateway: config.gatewayPort,
    backup: config.backupPort,
    quota: config.quotaPort,
    router: config.routerPort,
    notifier: config.notifierPort,
  }[name];
}

async function startWorld(dataDir: string): Promise<World> {
  const recent: string[] = [];
  const sink = () =>
    new Writable({
      write(chunk, _enc, done) {
        recent.push(...String(chunk).replace(/\n$/, '').split('\n'));
        recent.splice(0, Math.max(0, recent.length - 200));
        done();
      },
    });
  const log = createLog(sink(), sink());
  const config = loadConfig({
    ...process.env,
    OCP_DATA_DIR: dataDir,
    // Nothing answers there, so the start command's own embedded PostgreSQL is used.
    OCP_POSTGRES_URL: `postgres://nobody@127.0.0.1:${await freePort()}/postgres`,
    OCP_EMBEDDED_PG_PORT: String(await freePort()),
    OCP_NATS_URL: `nats://127.0.0.1:${await freePort()}`,
    OCP_HTTP_PORT: String(await freePort()),
    OCP_TENANT_HTTP_PORT: String(await freePort()),
    OCP_AUDIT_HTTP_PORT: String(await freePort()),
    OCP_BILLING_HTTP_PORT: String(await freePort()),
    OCP_BACKUP_HTTP_PORT: String(await freePort()),
    OCP_ROUTER_HTTP_PORT: String(await freePort()),
    OCP_NOTIFIER_HTTP_PORT: String(await freePort()),
    OCP_LOG_LEVEL: 'warn',
  });
  const postgres = await ensurePostgres({
    url: config.postgresUrl,
    dataDir,
    embeddedPort: config.embeddedPostgresPort,
    log,
  });
  try {
    const nats = await ensureNats({
      url: config.natsUrl,
      storeDir: join(dataDir, 'nats'),
      searchPath: config.searchPath,
      log,
    });
    await ensureDatabases(postgres.adminUrl, Object.values(SERVICE_DATABASES));
    const endpoints = {
      natsUrl: nats.url,
      natsSeedFiles: nats.seedFiles,
      postgresAdminUrl: postgres.adminUrl,
      tenantSecretsKey: await tenantSecretsKey(dataDir),
      auditCheckpointKey: await auditCheckpointKey(dataDir),
    };
    return { config, postgres, nats, endpoints, log, recent };
  } catch (err) {
    await postgres.stop();
    throw err;
  }
}

/** Starts the services from `build`, waits until all are ready and idle, reads their memory, stops them. */
async function runOnce(world: World, build: ServiceBuild, opts: Options): Promise<Run> {
  const specs = serviceSpecs(world.config, world.endpoints, build);
  const started = performance.now();
  const children: SupervisedChild[] = specs.map((spec) => supervise(spec, world.log));
  try {
    const readyMs = {} as Record<ServiceName, number>;
    await Promise.all(
      SERVICES.map(async (name) => {
        const url = `http://127.0.0.1:${portOf(world.config, name)}/readyz`;
        while (!(await answersOk(url, 1_000))) {
          if (performance.now() - started > opts.readyTimeoutMs) {
            throw new Error(
              `${name} (${build}) did not answer ${url} with 200 within ${opts.readyTimeoutMs / 1000} s; ` +
                `its latest lines:\n${world.recent.join('\n')}`,
            );
          }
          await sleep(100);
        }
        readyMs[name] = performance.now() - started;
      }),
    );
    const pidsAtReady = children.map((c) => c.pid);
    await sleep(opts.idleMs);
    const footprint = {} as Record<ServiceName, Footprint>;
    for (const [i, child] of children.entries()) {
      // A restart between ready and now would measure a process that has not warmed up.
      if (child.pid === undefined || child.pid !== pidsAtReady[i]) {
        throw new Error(`${child.name} (${build}) restarted while idle:\n${world.recent.join('\n')}`);
      }
      const own = await footprintOf(child.pid);
      // Whatever a service runs below itself (tsx's esbuild, if it starts one) is its cost too.
      for (const proc of await descendantsOf(child.pid)) {
        const more = await footprintOf(proc.pid).catch(() => ({ pss: 0, rss: 0 }));
        own.pss += more.pss;
        own.rss += more.rss;
      }
      footprint[child.name as ServiceName] = own;
    }
    const servers = new Map<string, { processes: number; pss: number }>();
    for (const proc of await descendantsOf(process.pid)) {
      if (proc.comm !== 'postgres' && proc.comm !== 'nats-server') continue;
      const pss = await footprintOf(proc.pid).then(
        (f) => f.pss,
        () => 0, // gone meanwhile
      );
      const sum = servers.get(proc.comm) ?? { processes: 0, pss: 0 };
      servers.set(proc.comm, { processes: sum.processes + 1, pss: sum.pss + pss });
    }
    return { build, readyMs, allReadyMs: Math.max(...Object.values(readyMs)), footprint, servers };
  } finally {
    await Promise.all(children.map((child) => child.stop(10_000)));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function report(runs: Run[], opts: Options): string {
  const of = (build: ServiceBuild) => runs.filter((r) => r.build === build);
  const built = of('built');
  const source = of('source');
  const rows: Array<[string, number, number, (n: number) => string]> = [];
  const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const mb = (bytes: number) => `${mib(bytes)} MiB`;
  rows.push([
    'start to all ready',
    median(built.map((r) => r.allReadyMs)),
    median(source.map((r) => r.allReadyMs)),
    secs,
  ]);
  for (const name of SERVICES) {
    rows.push([
      `  ${name} ready`,
      median(built.map((r) => r.readyMs[name])),
      median(source.map((r) => r.readyMs[name])),
      secs,
    ]);
  }
  const total = (r: Run) => SERVICES.reduce((sum, name) => sum + r.footprint[name].pss, 0);
  rows.push(['idle PSS, total', median(built.map(total)), median(source.map(total)), mb]);
  for (const name of SERVICES) {
    rows.push([
      `  ${name}`,
      median(built.map((r) => r.footprint[name].pss)),
      median(source.map((r) => r.footprint[name].pss)),
      mb,
    ]);
  }
  const rssTotal = (r: Run) => SERVICES.reduce((sum, name) => sum + r.footprint[name].rss, 0);
  rows.push(['idle RSS, total', median(built.map(rssTotal)), median(source.map(rssTotal)), mb]);

  const pad = (text: string, width: number) => text.padStart(width);
  const lines = [
    '',
    `Footprint of the four services, median of ${opts.rounds} starts each (after one unmeasured start of each),`,
    `memory read ${opts.idleMs / 1000} s after all answered /readyz 200. node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end.`,
    `  built  = ${BUILDS.built}`,
    `  source = ${BUILDS.source} (the baseline)`,
    '',
    `${'figure'.padEnd(22)}${pad('built', 14)}${pad('source', 14)}${pad('source/built', 14)}`,
  ];
  for (const [label, b, s, format] of rows) {
    lines.push(
      `${label.padEnd(22)}${pad(format(b), 14)}${pad(format(s), 14)}${pad(`${(s / b).toFixed(2)}x`, 14)}`,
    );
  }
  const serverNames = [...new Set(runs.flatMap((r) => [...r.servers.keys()]))].sort();
  const serverPss = (r: Run) => [...r.servers.values()].reduce((sum, s) => sum + s.pss, 0);
  const servers = serverNames.map((name) => {
    const of = runs.map((r) => r.servers.get(name) ?? { processes: 0, pss: 0 });
    const processes = median(of.map((s) => s.processes));
    return `${name} ${mib(median(of.map((s) => s.pss)))} MiB (${processes} process${processes === 1 ? '' : 'es'})`;
  });
  lines.push(
    '',
    `The servers they use, the same for both (median of all starts): ${servers.join(', ')}.`,
    `Whole platform idle PSS: built ${mb(median(built.map(total)) + median(runs.map(serverPss)))}, ` +
      `source ${mb(median(source.map(total)) + median(runs.map(serverPss)))} ` +
      "(without the start command's own processes).",
  );
  lines.push('', 'Each start:');
  for (const r of runs) {
    const pss = SERVICES.map((name) => `${name} ${mib(r.footprint[name].pss)}`).join(', ');
    lines.push(
      `  ${r.build.padEnd(6)} ready in ${secs(r.allReadyMs)}; PSS MiB ${pss}; total ${mib(total(r))}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (!opts) {
    console.log(usage);
    return;
  }
  for (const name of SERVICES) {
    const entry = join(repoRoot, 'services', name, 'dist', 'main.js');
    await access(entry).catch(() => {
      throw new Error(`${entry} is missing: build first (pnpm build; pnpm bench:footprint does).`);
    });
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'ocp-bench-footprint-'));
  // The embedded PostgreSQL runs as its own OS user when we are root, and must reach its directory.
  await chmod(dataDir, 0o755);
  let world: World | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      await world?.nats.stop().catch((e: unknown) => progress(`stopping nats-server: ${e}`));
      await world?.postgres.stop().catch((e: unknown) => progress(`stopping PostgreSQL: ${e}`));
      await rm(dataDir, { recursive: true, force: true });
    })();
    return cleaning;
  };
  process.once('SIGINT', () => {
    progress('interrupted; stopping what the benchmark started');
    void cleanup().finally(() => process.exit(130));
  });

  try {
    progress('starting an embedded PostgreSQL and a nats-server');
    world = await startWorld(dataDir);
    // The first start migrates and makes the tenant template, and tsx fills its transform cache.
    for (const build of ['built', 'source'] as const) {
      progress(`unmeasured first start (${build})`);
      await runOnce(world, build, { ...opts, idleMs: 0 });
    }
    const runs: Run[] = [];
    for (let round = 0; round < opts.rounds; round += 1) {
      const order: ServiceBuild[] = round % 2 === 0 ? ['built', 'source'] : ['source', 'built'];
      for (const build of order) {
        progress(`round ${round + 1}/${opts.rounds}: ${build}`);
        runs.push(await runOnce(world, build, opts));
      }
    }
    console.log(report(runs, opts));
  } finally {
    await cleanup();
  }
}

await main();
