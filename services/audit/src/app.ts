import { fileURLToPath } from 'node:url';
import { type Bus, createBus } from '@ocp/bus';
import { createPool, migrate, type Pool, ping } from '@ocp/db';
import {
  connectNats,
  createLogger,
  createMetrics,
  createShutdown,
  type Logger,
  type NatsHandle,
  redactConfig,
  startOpsServer,
} from '@ocp/service-kit';
import { type AuditConfig, configSchema } from './config.ts';
import { AUDITED_STREAMS, auditedTypes } from './domain/entry.ts';
import { appendHandler } from './handlers/append.ts';
import type { HandlerContext } from './handlers/context.ts';
import { queryHandler } from './handlers/query.ts';
import { verifyHandler } from './handlers/verify.ts';
import { registerAuditMetrics } from './metrics.ts';

const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));
/** Room in a NATS message for the reply's headers. */
const REPLY_HEADROOM_BYTES = 16 * 1024;

export interface AuditService {
  logger: Logger;
  bus: Bus;
  /** The port the ops server (health, readiness, metrics) listens on. */
  port: number;
  close(reason?: string): Promise<void>;
}

/**
 * Starts the audit service: migrations, streams, the query and verify methods, and one batch
 * consumer per audited stream, each starting from the first event the stream still holds (its
 * durable remembers where it is). `close()` stops them in order.
 */
export async function startAuditService(
  config: AuditConfig,
  logger = createLogger('audit', config.LOG_LEVEL),
): Promise<AuditService> {
  logger.info({ config: redactConfig(configSchema, config) }, 'starting');
  const shutdown = createShutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  const metrics = createMetrics('audit');
  let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  let bus: Bus | undefined;
  let nats: NatsHandle | undefined;
  let pool: Pool | undefined;
  // In stopping order, before anything starts: a failed start closes what it had opened.
  shutdown.add('http', async () => ops?.close());
  shutdown.add('consumers and request handlers', async () => bus?.close());
  shutdown.add('nats', async () => nats?.nc.drain());
  shutdown.add('database pool', async () => pool?.end());
  try {
    await migrate({ databaseUrl: config.DATABASE_URL, dir: migrationsDir, logger });
    pool = createPool({ url: config.DATABASE_URL, name: 'ocp-audit', max: config.DB_POOL_MAX, logger });
    const db = pool;
    nats = await connectNats({ url: config.NATS_URL, name: 'audit', logger });
    bus = await createBus({ nc: nats.nc, logger, service: 'audit', hooks: metrics.busHooks });
    await bus.ensureStreams();

    const ctx: HandlerContext = {
      pool: db,
      config,
      logger,
      metrics: registerAuditMetrics(metrics.registry, db),
      maxReplyBytes: (nats.nc.info?.max_payload ?? 1024 * 1024) - REPLY_HEADROOM_BYTES,
    };
    bus.serve('audit.query.v1', queryHandler(ctx));
    bus.serve('audit.verify.v1', verifyHandler(ctx));
    for (const { durable, stream } of AUDITED_STREAMS) {
      await bus.consumeBatch(
        {
          durable,
          stream,
          types: auditedTypes(stream),
          deliverFrom: 'all',
          batchSize: config.APPEND_BATCH_SIZE,
          maxWaitMs: config.APPEND_BATCH_WAIT_MS,
          ackWaitMs: config.ACK_WAIT_MS,
          // An audit event is never given up: a failing append is retried until the database takes it.
          maxDeliver: -1,
        },
        appendHandler(ctx, durable),
      );
    }

    const natsHandle = nats;
    ops = await startOpsServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      registry: metrics.registry,
      logger,
      checks: [
        { name: 'nats', check: () => natsHandle.connected() },
        { name: 'postgres', check: () => ping(db) },
      ],
    });
    const address = ops.server.address();
    const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
    logger.info({ port }, 'audit service ready');
    return { logger, bus, port, close: (reason = 'close') => shutdown.run(reason) };
  } catch (e) {
    await shutdown.run('failed to start');
    throw e;
  }
}
