import { type Bus, type BusHooks, createBus, durablesOf, streamsOf } from '@ocp/bus';
import type { StreamDef } from '@ocp/contracts';
import {
  classifyDbFailure,
  createOutboxRelay,
  createPool,
  NO_OUTBOX_GRANTS,
  OUTBOX_GRANTS,
  type OutboxRelay,
  type Pool,
  ping,
  prepareDatabase,
  type RuntimeGrants,
} from '@ocp/db';
import { ProxyTracerProvider, type Tracer, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { type CommonConfig, type ConfigOf, type ConfigSchema, loadConfig, redactConfig } from './config.ts';
import { registerConsumerLag } from './consumer-lag.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { connectNats, type NatsHandle } from './nats.ts';
import { startOpsServer } from './ops.ts';
import { registerOutboxMetrics } from './outbox-metrics.ts';
import { createShutdown, handleSignals, type ShutdownPhase } from './shutdown.ts';
import { startTracing, type Tracing, tracingEnabled, tracingStarted } from './tracing.ts';
import type { ReadinessCheck } from './types.ts';

/**
 * What a service declares about itself; the runtime starts it from this in one stated order:
 *
 * 1. config (parsed once, before anything opens), logger, metrics, traces (`tracing.ts`);
 * 2. the service's database: migrations and the runtime role's grants (over
 *    `DATABASE_MIGRATION_URL` when set), then its pool (over `DATABASE_URL`). A service whose config
 *    schema has no `DATABASE_URL` has no database: no migrations, pool or outbox;
 * 3. NATS (reconnecting forever), the bus, the streams the service needs;
 * 4. the outbox relay, when the service has an outbox;
 * 5. `start`: the service's own parts (request/reply methods, consumers, tasks, workers);
 * 6. HTTP: the service's own app from `http`, or a server with only `/healthz`, `/readyz`,
 *    `/metrics`.
 *
 * Each resource registers its close the moment it opens, and the stop runs by phase (HTTP,
 * intake, work, outbox, NATS, database, telemetry): requests, messages and operation steps in flight finish
 * before the pools they use close, and a start that fails halfway closes what it had opened.
 */
export interface ServiceDefinition<C, P> {
  /** Logger, metrics label, NATS connection name, CloudEvents source, queue group. */
  name: string;
  configSchema: ConfigSchema;
  /** Checks across fields, each problem explaining its consequence. */
  checkConfig?(config: C): string[];
  /** The directory of the service's own SQL migrations. */
  migrations?: string;
  /**
   * What the running service may do with each table its migrations make (the tables of
   * `@ocp/db` are added: used with an outbox, untouched without). Applied at every start when
   * `DATABASE_MIGRATION_URL` is set; a table left out stops the start.
   */
  grants?: RuntimeGrants;
  /** Connections in the pool of the service's database (default 10). */
  poolMax?(config: C): number;
  /**
   * Streams the service makes sure of at start (default: those the catalog has it publish to,
   * consume from or read, which are all its NATS permissions let it make).
   */
  streams?: readonly StreamDef[];
  /** Publishes the service's outbox (every event it writes goes through it). */
  outbox?: { pollMs?(config: C): number };
  /** The service's own parts, once its database and the bus are there. */
  start(rt: ServiceRuntime<C>): Promise<P>;
  /** The service's HTTP app, not yet listening; the runtime listens, and closes it first. */
  http?(rt: ServiceRuntime<C>, parts: P): Promise<FastifyInstance>;
}

/**
 * Declares a service; the type of its config is inferred from its schema. Without `DATABASE_URL` in
 * the schema the service has no database, so it can have no migrations, grants or outbox.
 */
export function defineService<const S extends ConfigSchema, P>(
  def: ServiceDefinition<ConfigOf<S>, P> & { configSchema: S },
): ServiceDefinition<ConfigOf<S>, P> {
  if (!hasDatabase(def) && (def.migrations || def.grants || def.outbox))
    throw new TypeError(
      `the ${def.name} service declares migrations, grants or an outbox but its config has no DATABASE_URL; add databaseConfig to its schema`,
    );
  return def;
}

/** A service has a database of its own when its config names one. */
function hasDatabase<C, P>(def: ServiceDefinition<C, P>): boolean {
  return 'DATABASE_URL' in def.configSchema.properties;
}

/**
 * The pool a service's parts are given: its database's, or none for a service whose config has no
 * `DATABASE_URL` (an unknown config is taken to have one).
 */
export type PoolOf<C> = unknown extends C ? Pool : C extends { DATABASE_URL: string } ? Pool : undefined;

/** What a service's `start` and `http` are given. */
export interface ServiceRuntime<C> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly busHooks: BusHooks;
  /**
   * The service's tracer (named after it: a span's instrumentation scope tells which service made
   * it, even when several share a process); its spans are no-ops while `tracing` is false.
   */
  readonly tracer: Tracer;
  /** Whether spans are recorded and exported: an OpenTelemetry SDK runs for this service. */
  readonly tracing: boolean;
  /** The pool of the service's database; undefined for a service without one. */
  readonly pool: PoolOf<C>;
  readonly nats: NatsHandle;
  readonly bus: Bus;
  /** The outbox relay, when the service has one. */
  readonly relay?: OutboxRelay;
  /** Aborted when the stop begins: long work checks it to stop at a safe point. */
  readonly stopping: AbortSignal;
  /** The readiness checks so far (NATS, PostgreSQL, the outbox and what `ready` added). */
  readonly checks: readonly ReadinessCheck[];
  /** Registers the close of something the service opened, in the phase it belongs to. */
  onClose(name: string, phase: ShutdownPhase, close: () => Promise<unknown>): void;
  /** Adds a readiness check to `/readyz`. */
  ready(name: string, check: ReadinessCheck['check']): void;
  /**
   * Runs `task` every `intervalMs` (never two runs at once); a failure is logged and the next run
   * comes on time. The stop waits for a run in progress.
   */
  every(name: string, intervalMs: number, task: (signal: AbortSignal) => Promise<unknown>): void;
}

/** A started service. */
export interface RunningService<C, P> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  readonly bus: Bus;
  /** The pool of the service's database; undefined for a service without one. */
  readonly pool: PoolOf<C>;
  /** What the service's `start` returned. */
  readonly parts: P;
  /** The HTTP server's port and address. */
  readonly port: number;
  readonly url: string;
  /** The HTTP app (the service's own, or the ops server). */
  readonly http: FastifyInstance;
  /** Whether the service traces (see `ServiceRuntime.tracing`). */
  readonly tracing: boolean;
  /** Stops in order; safe to call more than once. */
  close(reason?: string): Promise<void>;
}

type Runnable<C> = C & CommonConfig;

/** Parses a service's config from the environment, once, reporting every problem at once. */
export function loadServiceConfig<C, P>(
  def: ServiceDefinition<C, P>,
  env: Record<string, string | undefined> = process.env,
): C {
  return loadConfig<C>(def.configSchema, env, def.checkConfig);
}

export interface RunServiceOptions {
  logger?: Logger;
  /**
   * The process's tracing, started by the caller (`startTracing`, e.g. with a test's in-memory
   * exporter), which the caller shuts down: the service traces into it whatever its config says.
   */
  tracing?: Tracing;
}

/**
 * Starts a service from its definition and a parsed config (tests call this directly).
 *
 * Tracing: with `opts.tracing`, the service uses it. Otherwise, when its config turns tracing on
 * (`tracingEnabled`), it starts the OpenTelemetry SDK and shuts it down in the `telemetry` phase of
 * its stop; but when this process has a tracer provider already (another service of the same
 * process started it), it joins that one, which its starter shuts down.
 */
export async function runService<C, P>(
  def: ServiceDefinition<C, P>,
  config: C,
  opts: RunServiceOptions = {},
): Promise<RunningService<C, P>> {
  const c = config as Runnable<C>;
  const logger = opts.logger ?? createLogger(def.name, c.LOG_LEVEL);
  logger.info({ config: redactConfig(def.configSchema, c) }, 'starting');
  const shutdown = createShutdown(logger, c.SHUTDOWN_TIMEOUT_MS);
  const { registry, busHooks, observeHttp } = createMetrics(def.name);
  const checks: ReadinessCheck[] = [];
  try {
    let tracing = opts.tracing !== undefined;
    if (!tracing && tracingEnabled(c)) {
      if (tracingStarted()) {
        logger.info('tracing: joining the tracer provider this process has already');
      } else {
        const started = startTracing({ serviceName: def.name, config: c, logger });
        // Last of all: every span of the stop is exported before the SDK goes.
        shutdown.add('traces', () => started.shutdown(), 'telemetry');
      }
      tracing = true;
    }
    // After the SDK started: a tracer obtained before it would stay a no-op. Without tracing, one
    // that stays a no-op even when another service of the process starts an SDK.
    const tracer = tracing ? trace.getTracer(def.name) : new ProxyTracerProvider().getTracer(def.name);
    let pool: Pool | undefined;
    if (hasDatabase(def)) {
      if (def.migrations) {
        await prepareDatabase({
          databaseUrl: c.DATABASE_URL,
          migrationUrl: c.DATABASE_MIGRATION_URL,
          dir: def.migrations,
          grants: { ...(def.outbox ? OUTBOX_GRANTS : NO_OUTBOX_GRANTS), ...def.grants },
          logger,
        });
      }
      const p = createPool({
        url: c.DATABASE_URL,
        name: `ocp-${def.name}`,
        max: def.poolMax?.(config) ?? 10,
        logger,
      });
      pool = p;
      shutdown.add('database pool', () => p.end(), 'database');
      checks.push({ name: 'postgres', check: () => ping(p) });
    }

    const nats = await connectNats({
      url: c.NATS_URL,
      name: def.name,
      logger,
      credentials: { seed: c.NATS_NKEY_SEED, seedFile: c.NATS_NKEY_SEED_FILE },
    });
    shutdown.add('nats', () => nats.nc.drain(), 'nats');
    checks.push({ name: 'nats', check: () => nats.connected() });
    const bus = await createBus({
      nc: nats.nc,
      logger,
      service: def.name,
      hooks: busHooks,
      tracer,
      streamReplicas: c.NATS_STREAM_REPLICAS,
      rpcConcurrency: c.RPC_CONCURRENCY,
      // A value the database refuses is dead-lettered at once; a lost connection is retried.
      classifyFailure: classifyDbFailure,
    });
    // Consumers and request/reply methods: their in-flight handlers finish before the work phase.
    shutdown.add('consumers and request handlers', () => bus.close(), 'intake');
    await bus.ensureStreams(def.streams ?? streamsOf(def.name));
    registerConsumerLag(registry, nats.nc, durablesOf(def.name), logger);

    let relay: OutboxRelay | undefined;
    if (def.outbox && pool) {
      const r = createOutboxRelay({
        pool,
        publish: bus.publishRaw,
        logger,
        pollMs: def.outbox.pollMs?.(config) ?? 1000,
        maxAttempts: c.OUTBOX_MAX_ATTEMPTS,
        leaseMs: c.OUTBOX_LEASE_MS,
        inboxRetentionMs: c.INBOX_RETENTION_DAYS * 24 * 60 * 60 * 1000,
      });
      relay = r;
      r.start();
      shutdown.add('outbox relay', () => r.stop(), 'outbox');
      checks.push({ name: 'outbox', check: () => r.healthy() });
      registerOutboxMetrics(registry, r);
    }

    const rt: ServiceRuntime<C> = {
      name: def.name,
      config,
      logger,
      registry,
      busHooks,
      tracer,
      tracing,
      pool: pool as PoolOf<C>,
      nats,
      bus,
      ...(relay ? { relay } : {}),
      stopping: shutdown.signal,
      checks,
      onClose: (name, phase, close) => shutdown.add(name, close, phase),
      ready: (name, check) => {
        checks.push({ name, check });
      },
      every: (name, intervalMs, task) => {
        let current: Promise<unknown> = Promise.resolve();
        let busy = false;
        const timer = setInterval(() => {
          if (busy || shutdown.signal.aborted) return;
          busy = true;
          current = task(shutdown.signal)
            .catch((err: unknown) => logger.warn({ err, task: name }, 'periodic task failed'))
            .finally(() => {
              busy = false;
            });
        }, intervalMs);
        timer.unref();
        shutdown.add(
          name,
          async () => {
            clearInterval(timer);
            await current;
          },
          'work',
        );
      },
    };

    const parts = await def.start(rt);

    let http: FastifyInstance;
    if (def.http) {
      const app = await def.http(rt, parts);
      shutdown.add('http', () => app.close(), 'http');
      observeHttp(app);
      await app.listen({ host: c.HTTP_HOST, port: c.HTTP_PORT });
      http = app;
    } else {
      const app = await startOpsServer({
        host: c.HTTP_HOST,
        port: c.HTTP_PORT,
        registry,
        checks,
        logger,
        observe: observeHttp,
      });
      shutdown.add('http', () => app.close(), 'http');
      http = app;
    }
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : c.HTTP_PORT;
    logger.info({ port }, `${def.name} service ready`);
    return {
      name: def.name,
      config,
      logger,
      bus,
      pool: pool as PoolOf<C>,
      parts,
      port,
      url: `http://${c.HTTP_HOST}:${port}`,
      http,
      tracing,
      close: (reason = 'close') => shutdown.run(reason),
    };
  } catch (e) {
    await shutdown.run('failed to start');
    throw e;
  }
}

/**
 * A service's whole `main`: config from the environment, the start, signals. A config that does
 * not parse or a start that fails ends the process with status 1, saying why.
 */
export async function runMain<C, P>(def: ServiceDefinition<C, P>): Promise<RunningService<C, P>> {
  let config: C;
  try {
    config = loadServiceConfig(def);
  } catch (err) {
    process.stderr.write(`${def.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createLogger(def.name, (config as CommonConfig).LOG_LEVEL);
  try {
    const service = await runService(def, config, { logger });
    handleSignals(service.close, logger);
    return service;
  } catch (err) {
    logger.fatal({ err }, `the ${def.name} service could not start`);
    process.exit(1);
  }
}
