import { fileURLToPath } from 'node:url';
import { createBus } from '@ocp/bus';
import { streams } from '@ocp/contracts';
import { createOutboxRelay, createPool, migrate, ping } from '@ocp/db';
import {
  connectNats,
  createLogger,
  createMetrics,
  createShutdown,
  type Logger,
  redactConfig,
} from '@ocp/service-kit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { configSchema, type GatewayConfig } from './config.ts';
import { ensureFirstOwner } from './db/operators.ts';
import { registerGatewayMetrics } from './metrics.ts';

const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

export interface Gateway {
  app: FastifyInstance;
  url: string;
  /** The first owner's credentials, when this start created the account. */
  firstOwner?: { email: string; password: string };
  close(reason?: string): Promise<void>;
}

/**
 * Starts the gateway: migrations, the first owner, NATS, the relay of its outbox (audit entries)
 * to the AUDIT and WEBHOOKS streams, then the HTTP server.
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway', config.LOG_LEVEL),
): Promise<Gateway> {
  logger.info({ config: redactConfig(configSchema, config) }, 'starting');
  const shutdown = createShutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  await migrate({ databaseUrl: config.DATABASE_URL, dir: migrationsDir, logger });
  const pool = createPool({ url: config.DATABASE_URL, name: 'ocp-gateway', logger });
  try {
    const firstOwner = await ensureFirstOwner(
      pool,
      config.BOOTSTRAP_OWNER_EMAIL,
      config.BOOTSTRAP_OWNER_PASSWORD,
    );
    const metrics = createMetrics('gateway');
    let app: FastifyInstance | undefined;
    // In the order they run: intake first, the outbox relay after the last request's audit entry.
    shutdown.add('http', async () => app?.close());
    const nats = await connectNats({ url: config.NATS_URL, name: 'gateway', logger });
    const bus = await createBus({ nc: nats.nc, logger, service: 'gateway', hooks: metrics.busHooks });
    shutdown.add('bus', () => bus.close());
    const relay = createOutboxRelay({
      pool,
      databaseUrl: config.DATABASE_URL,
      publish: bus.publishRaw,
      logger,
      pollMs: config.OUTBOX_POLL_MS,
    });
    shutdown.add('outbox relay', () => relay.stop());
    shutdown.add('nats', () => nats.nc.drain());
    shutdown.add('database pool', () => pool.end());
    // The gateway publishes there itself, so it does not wait for another service to make them.
    await bus.ensureStreams([streams.audit, streams.webhooks]);
    relay.start();
    registerGatewayMetrics(metrics.registry, relay);
    app = await buildApp({
      config,
      pool,
      bus,
      registry: metrics.registry,
      logger,
      checks: [
        { name: 'nats', check: () => nats.connected() },
        { name: 'postgres', check: () => ping(pool) },
      ],
    });
    await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
    return {
      app,
      url: `http://${config.HTTP_HOST}:${port}`,
      ...(firstOwner ? { firstOwner } : {}),
      close: (reason = 'close') => shutdown.run(reason),
    };
  } catch (e) {
    await shutdown.run('failed to start');
    await pool.end().catch(() => {});
    throw e;
  }
}
