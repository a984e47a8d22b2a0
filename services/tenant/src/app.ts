import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Bus, createBus } from '@ocp/bus';
import { streams } from '@ocp/contracts';
import { createOutboxRelay, createPool, migrate, ping } from '@ocp/db';
import {
  connectNats,
  createLogger,
  createMetrics,
  createShutdown,
  type Logger,
  redactConfig,
  startOpsServer,
} from '@ocp/service-kit';
import { configSchema, type TenantConfig } from './config.ts';
import { DbServers } from './dbserver/registry.ts';
import {
  BILLING_DECISION_TYPES,
  BILLING_DURABLE,
  billingDecisionHandler,
} from './handlers/billing-decisions.ts';
import type { HandlerContext } from './handlers/context.ts';
import { createTenantHandler } from './handlers/create-tenant.ts';
import {
  deleteTenantHandler,
  resumeTenantHandler,
  retryTenantHandler,
  suspendTenantHandler,
} from './handlers/lifecycle-commands.ts';
import { getOperationHandler, getTenantHandler, listTenantsHandler } from './handlers/queries.ts';
import { runOperationHandler } from './handlers/run-operation.ts';
import { registerTenantMetrics } from './metrics.ts';

const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));
const templateSql = fileURLToPath(new URL('./template/odoo-core.sql', import.meta.url));

/** The durable consumer of the tenant workers, shared by every replica. */
export const WORKER_DURABLE = 'tenant-worker';

export interface TenantService {
  logger: Logger;
  bus: Bus;
  /** The port the ops server (health, readiness, metrics) listens on. */
  port: number;
  close(reason?: string): Promise<void>;
}

/**
 * Starts the tenant service: migrations, the template, streams, the outbox relay, the
 * request/reply methods and the workers. `close()` stops them in order.
 */
export async function startTenantService(
  config: TenantConfig,
  logger = createLogger('tenant', config.LOG_LEVEL),
): Promise<TenantService> {
  logger.info({ config: redactConfig(configSchema, config) }, 'starting');
  const shutdown = createShutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  const metrics = createMetrics('tenant');
  try {
    await migrate({ databaseUrl: config.DATABASE_URL, dir: migrationsDir, logger });
    const pool = createPool({
      url: config.DATABASE_URL,
      name: 'ocp-tenant',
      max: config.WORKER_CONCURRENCY + 5,
      logger,
    });
    const servers = new DbServers(pool, logger, config.WORKER_CONCURRENCY + 1);
    const serverId = await servers.registerDefault(config.TENANT_DB_ADMIN_URL);
    const made = await (await servers.admin(serverId)).ensureTemplate(
      config.TENANT_TEMPLATE_DB,
      await readFile(templateSql, 'utf8'),
    );
    if (made === 'created')
      logger.info({ template: config.TENANT_TEMPLATE_DB }, 'created the tenant template database');

    const nats = await connectNats({ url: config.NATS_URL, name: 'tenant', logger });
    const bus = await createBus({ nc: nats.nc, logger, service: 'tenant', hooks: metrics.busHooks });
    await bus.ensureStreams();

    const relay = createOutboxRelay({
      pool,
      databaseUrl: config.DATABASE_URL,
      publish: bus.publishRaw,
      logger,
      pollMs: config.OUTBOX_POLL_MS,
    });
    relay.start();

    const ctx: HandlerContext = {
      pool,
      servers,
      config,
      secretsKey: Buffer.from(config.TENANT_SECRETS_KEY, 'base64'),
      logger,
      dispatch: (command) => {
        bus
          .publish(command)
          .catch((err: unknown) =>
            logger.debug({ err }, 'direct dispatch failed; the outbox will publish it'),
          );
      },
    };
    bus.serve('tenant.create.v1', createTenantHandler(ctx));
    bus.serve('tenant.get.v1', getTenantHandler(ctx));
    bus.serve('tenant.list.v1', listTenantsHandler(ctx));
    bus.serve('tenant.suspend.v1', suspendTenantHandler(ctx));
    bus.serve('tenant.resume.v1', resumeTenantHandler(ctx));
    bus.serve('tenant.delete.v1', deleteTenantHandler(ctx));
    bus.serve('tenant.retry.v1', retryTenantHandler(ctx));
    bus.serve('operation.get.v1', getOperationHandler(ctx));
    await bus.consume(
      {
        durable: WORKER_DURABLE,
        stream: streams.tenantWork,
        types: ['ocp.tenant.operation.run.v1'],
        ackWaitMs: config.WORK_ACK_WAIT_MS,
        maxDeliver: -1,
        concurrency: config.WORKER_CONCURRENCY,
      },
      runOperationHandler(ctx),
    );
    await bus.consume(
      {
        durable: BILLING_DURABLE,
        stream: streams.billingEvents,
        types: BILLING_DECISION_TYPES,
        deliverFrom: 'all',
        maxDeliver: -1,
        // One at a time: a tenant's decisions apply in the order billing made them.
        concurrency: 1,
      },
      billingDecisionHandler(ctx),
    );
    registerTenantMetrics(metrics.registry, pool, relay);

    const ops = await startOpsServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      registry: metrics.registry,
      logger,
      checks: [
        { name: 'nats', check: () => nats.connected() },
        { name: 'postgres', check: () => ping(pool) },
        { name: 'outbox', check: () => relay.healthy() },
      ],
    });
    const address = ops.server.address();
    const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;

    shutdown.add('http', () => ops.close());
    shutdown.add('consumers and request handlers', () => bus.close());
    shutdown.add('outbox relay', () => relay.stop());
    shutdown.add('nats', () => nats.nc.drain());
    shutdown.add('database servers', () => servers.close());
    shutdown.add('database pool', () => pool.end());
    logger.info({ port }, 'tenant service ready');
    return { logger, bus, port, close: (reason = 'close') => shutdown.run(reason) };
  } catch (e) {
    await shutdown.run('failed to start');
    throw e;
  }
}
