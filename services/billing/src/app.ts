import { fileURLToPath } from 'node:url';
import { type Bus, createBus } from '@ocp/bus';
import { streams } from '@ocp/contracts';
import { createOutboxRelay, createPool, migrate, type OutboxRelay, type Pool, ping } from '@ocp/db';
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
import { type BillingConfig, configSchema, parsePlanMap } from './config.ts';
import type { HandlerContext } from './handlers/context.ts';
import { checkoutHandler, portalHandler, providerClients } from './handlers/links.ts';
import { getSubscriptionsHandler, listWebhooksHandler } from './handlers/queries.ts';
import { FOLLOWED_TENANT_TYPES, tenantProjectionHandler } from './handlers/tenants.ts';
import { sweepPastDue, webhookReceivedHandler, webhookRejectedHandler } from './handlers/webhooks.ts';
import { registerBillingMetrics } from './metrics.ts';

const migrationsDir = fileURLToPath(new URL('./db/migrations', import.meta.url));

/** Durable consumers of the billing service, shared by every replica. */
export const BILLING_DURABLES = {
  webhooks: 'billing-webhooks',
  tenants: 'billing-tenants',
} as const;

export interface BillingService {
  logger: Logger;
  bus: Bus;
  /** The port the ops server (health, readiness, metrics) listens on. */
  port: number;
  close(reason?: string): Promise<void>;
}

/**
 * Starts the billing service: migrations, streams, the outbox relay, the projection of known
 * tenants, the webhook consumer, the past-due sweep and the request/reply methods. `close()` stops
 * them in order: intake first, the relay after what is in flight is committed, then NATS and the pool.
 */
export async function startBillingService(
  config: BillingConfig,
  logger = createLogger('billing', config.LOG_LEVEL),
): Promise<BillingService> {
  logger.info({ config: redactConfig(configSchema, config) }, 'starting');
  const shutdown = createShutdown(logger, config.SHUTDOWN_TIMEOUT_MS);
  const metrics = createMetrics('billing');
  let ops: Awaited<ReturnType<typeof startOpsServer>> | undefined;
  let bus: Bus | undefined;
  let nats: NatsHandle | undefined;
  let pool: Pool | undefined;
  let relay: OutboxRelay | undefined;
  let sweep: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  shutdown.add('http', async () => ops?.close());
  shutdown.add('past-due sweep', async () => {
    clearInterval(sweep);
    await sweeping;
  });
  shutdown.add('consumers and request handlers', async () => bus?.close());
  shutdown.add('outbox relay', async () => relay?.stop());
  shutdown.add('nats', async () => nats?.nc.drain());
  shutdown.add('database pool', async () => pool?.end());
  try {
    await migrate({ databaseUrl: config.DATABASE_URL, dir: migrationsDir, logger });
    pool = createPool({ url: config.DATABASE_URL, name: 'ocp-billing', max: config.DB_POOL_MAX, logger });
    const db = pool;
    nats = await connectNats({ url: config.NATS_URL, name: 'billing', logger });
    bus = await createBus({ nc: nats.nc, logger, service: 'billing', hooks: metrics.busHooks });
    await bus.ensureStreams();
    relay = createOutboxRelay({
      pool: db,
      databaseUrl: config.DATABASE_URL,
      publish: bus.publishRaw,
      logger,
      pollMs: config.OUTBOX_POLL_MS,
    });
    relay.start();

    const ctx: HandlerContext = {
      pool: db,
      config,
      logger,
      metrics: registerBillingMetrics(metrics.registry),
      planMap: parsePlanMap(config.BILLING_PLAN_MAP).map,
      now: () => new Date(),
    };
    const clients = providerClients(ctx);
    bus.serve('billing.subscriptions.get.v1', getSubscriptionsHandler(ctx));
    bus.serve('billing.webhooks.list.v1', listWebhooksHandler(ctx));
    bus.serve('billing.checkout.create.v1', checkoutHandler(ctx, clients));
    bus.serve('billing.portal.create.v1', portalHandler(ctx, clients));
    await bus.consume(
      {
        durable: BILLING_DURABLES.tenants,
        stream: streams.tenantEvents,
        types: FOLLOWED_TENANT_TYPES,
        deliverFrom: 'all',
        maxDeliver: -1,
        concurrency: 4,
      },
      tenantProjectionHandler(ctx),
    );
    await bus.consume(
      {
        durable: BILLING_DURABLES.webhooks,
        stream: streams.webhooks,
        types: ['ocp.billing.webhook_received.v1', 'ocp.billing.webhook_rejected.v1'],
        deliverFrom: 'all',
        ackWaitMs: config.ACK_WAIT_MS,
        // A webhook is never given up: a shape it cannot read is recorded as failed, not thrown.
        maxDeliver: -1,
        concurrency: 4,
      },
      async (event, delivery) => {
        if (event.type === 'ocp.billing.webhook_received.v1') {
          await webhookReceivedHandler(ctx)(event as never, delivery);
        } else {
          await webhookRejectedHandler(ctx)(event as never, delivery);
        }
      },
    );
    sweep = setInterval(() => {
      sweeping = sweepPastDue(ctx).catch((err: unknown) => logger.warn({ err }, 'past-due sweep failed'));
    }, config.BILLING_SWEEP_INTERVAL_MS);

    const natsHandle = nats;
    const outbox = relay;
    ops = await startOpsServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      registry: metrics.registry,
      logger,
      checks: [
        { name: 'nats', check: () => natsHandle.connected() },
        { name: 'postgres', check: () => ping(db) },
        { name: 'outbox', check: () => outbox.healthy() },
      ],
    });
    const address = ops.server.address();
    const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
    logger.info({ port }, 'billing service ready');
    return { logger, bus, port, close: (reason = 'close') => shutdown.run(reason) };
  } catch (e) {
    await shutdown.run('failed to start');
    throw e;
  }
}
