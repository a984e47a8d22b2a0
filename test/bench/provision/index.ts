/**
 * `pnpm bench:provision`: provisions N tenants through the API (`concurrency` at a time) and, in the
 * same run, clones the same template N times with a bare `CREATE DATABASE ... TEMPLATE`, then prints
 * both sides' figures and their ratio. It prints figures; it never fails on them.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseConfig as tenantConfig } from '@ocp/tenant/config';
import { adminQuery, adminUrl } from '@ocp/testkit';
import { type Platform, startPlatform } from '../../support/platform.ts';
import { ACTIVATED_SUBJECT, type ActivationWatch, type ApiBatch, apiSide, watchActivations } from './api.ts';
import { type Baseline, type Batch, openBaseline } from './baseline.ts';
import { breakdown, countPoolTakes, instrumentAdmin } from './breakdown.ts';
import { parseOptions, usage } from './options.ts';
import { formatReport, type SideResult } from './report.ts';
import { type BenchRuntime, registerBenchRuntime } from './runtime.ts';
import { summarize } from './stats.ts';

const LOOP_SAMPLE_MS = 5;
const progress = (line: string) => process.stderr.write(`${line}\n`);

function side(label: string, batches: Batch[]): SideResult {
  const samples = batches.flatMap((b) => b.samples);
  const wallMs = batches.reduce((a, b) => a + b.wallMs, 0);
  return { label, summary: summarize(samples), throughput: samples.length / (wallMs / 1000) };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  if (opts.help) {
    console.log(usage);
    return;
  }
  const spans = instrumentAdmin();
  const takes = countPoolTakes();
  let platform: Platform | undefined;
  let watch: ActivationWatch | undefined;
  let baseline: Baseline | undefined;
  let runtime: BenchRuntime | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      await watch?.close().catch((e: unknown) => progress(`closing the subscriber: ${e}`));
      await baseline?.close().catch((e: unknown) => progress(`dropping the raw clones: ${e}`));
      await runtime?.close().catch((e: unknown) => progress(`stopping the Odoo double: ${e}`));
      await platform?.close();
      spans.restore();
      takes.restore();
    })();
    return cleaning;
  };
  process.once('SIGINT', () => {
    progress('interrupted; removing what the benchmark made');
    void cleanup().finally(() => process.exit(130));
  });

  try {
    progress('starting the platform (nats-server, databases, tenant service, gateway)');
    // The service's default pool of generated passwords hashed ahead (the tests run with one).
    platform = await startPlatform({ tenantEnv: { TENANT_ADMIN_PASSWORD_POOL: '4', ...opts.tenantEnv } });
    const config = tenantConfig(platform.tenantEnv);
    watch = await watchActivations(platform.natsAs('observer'));
    if (opts.template === 'odoo') {
      progress('registering an Odoo runtime (the protocol double) and waiting for its template');
      runtime = await registerBenchRuntime(platform, adminUrl());
    }
    // The same statement as the tenant service's, as its admin role: the runtime's template,
    // owned by the runtime's role; else the built-in template, owned by the default runtime role.
    const template = runtime?.templateDatabase ?? config.TENANT_TEMPLATE_DB;
    const owner = runtime?.role ?? config.TENANT_DEFAULT_RUNTIME_ROLE;
    baseline = await openBaseline({
      adminUrl: config.TENANT_DB_ADMIN_URL,
      template,
      owner,
      namePrefix: platform.prefix,
      concurrency: opts.concurrency,
    });
    const api = apiSide(platform, watch, opts.concurrency, {
      adminLogin: 'admin@bench.example',
      ...(runtime ? { runtimeId: runtime.id, companyName: 'Bench Company' } : {}),
    });

    if (opts.warmup > 0) {
      progress(`warm-up: ${opts.warmup} raw clones, ${opts.warmup} tenants (not counted)`);
      await baseline.run(opts.warmup);
      await api.run(opts.warmup);
    }
    takes.reset();
    // A B B A: a drift during the run (a growing catalog, a checkpoint) weighs on both sides alike.
    const first = Math.ceil(opts.n / 2);
    const second = opts.n - first;
    const raw: Batch[] = [];
    const viaApi: ApiBatch[] = [];
    // The services share this process's event loop with the client: how long it made work wait.
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
    const measureApi = async (count: number) => {
      loopDelay.enable();
      try {
        return await api.run(count);
      } finally {
        loopDelay.disable();
      }
    };
    progress(`raw clones: ${first}`);
    raw.push(await baseline.run(first));
    progress(`tenants through the API: ${first}`);
    viaApi.push(await measureApi(first));
    if (second > 0) {
      progress(`tenants through the API: ${second}`);
      viaApi.push(await measureApi(second));
      progress(`raw clones: ${second}`);
      raw.push(await baseline.run(second));
    }

    const { rows } = await adminQuery<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
      [],
      config.TENANT_DB_ADMIN_URL,
    );
    const tenants = viaApi.flatMap((b) => b.tenants);
    const failed = tenants.filter((t) => t.operation.state !== 'succeeded');
    const header = [
      `provision benchmark: N=${opts.n} per side, concurrency ${opts.concurrency}, warm-up ${opts.warmup} of each (not counted)`,
      `order: raw ${first}, API ${first}${second > 0 ? `, API ${second}, raw ${second}` : ''} (A B B A, so a drift over the run weighs on both alike)`,
      runtime
        ? `template: ${template} made through the runtime (the Odoo protocol double), ${runtime.template.tables} tables, ${(runtime.template.bytes / 1048576).toFixed(1)} MB, filestore ${runtime.template.files} files, ${(runtime.template.fileBytes / 1024).toFixed(0)} KB`
        : `template: the built-in ${template} (no runtime registered)`,
      `raw: CREATE DATABASE <name> TEMPLATE ${template} OWNER ${owner}, as the tenant service's admin role, each worker on its own open connection`,
      'API: a generated administrator password (pbkdf2-sha512, 600,000 rounds), uuid, secret, login, company and address written, the filestore directory copied',
      `API-to-active: from sending POST /api/v1/tenants to receiving ${ACTIVATED_SUBJECT} on an independent ordered JetStream consumer`,
      `PostgreSQL ${rows[0]?.v}; tenant service in this process: WORKER_CONCURRENCY ${config.WORKER_CONCURRENCY}, OUTBOX_POLL_MS ${config.OUTBOX_POLL_MS}, TENANT_ADMIN_PASSWORD_POOL ${config.TENANT_ADMIN_PASSWORD_POOL}`,
    ];
    // The histogram holds the intervals between samples; the delay is what exceeds the interval.
    const lag = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS).toFixed(1);
    header.push(
      `event loop delay of this process (services and client) during the API batches: p50 ${lag(loopDelay.percentile(50))} ms, p99 ${lag(loopDelay.percentile(99))} ms, max ${lag(loopDelay.max)} ms`,
    );
    header.push(
      `generated administrator passwords: ${takes.ready} of ${takes.ready + takes.none} came hashed ahead (TENANT_ADMIN_PASSWORD_POOL), ${takes.none} were hashed during their provisioning`,
    );
    if (failed.length > 0) header.push(`WARNING: ${failed.length} operations did not end succeeded`);
    console.log(
      formatReport({
        header,
        raw: side('raw CREATE DATABASE', raw),
        api: side('API to active', viaApi),
        breakdown: breakdown(tenants, spans),
      }),
    );
  } finally {
    progress('cleaning up');
    await cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
