import { fileURLToPath } from 'node:url';
import { durables, streams } from '@ocp/contracts';
import { defineService, type Logger, type RunningService, runService } from '@ocp/service-kit';
import { type BillingConfig, checkConfig, configSchema, parsePlanMap } from './config.ts';
import { runtimeGrants } from './db/grants.ts';
import type { HandlerContext } from './handlers/context.ts';
import { checkoutHandler, portalHandler, providerClients } from './handlers/links.ts';
import { getSubscriptionsHandler, listWebhooksHandler } from './handlers/queries.ts';
import { FOLLOWED_TENANT_TYPES, tenantProjectionHandler } from './handlers/tenants.ts';
import { sweepPastDue, webhookReceivedHandler, webhookRejectedHandler } from './handlers/webhooks.ts';
import { registerBillingMetrics } from './metrics.ts';

/** Durable consumers of the billing service, shared by every replica. */
export const BILLING_DURABLES = {
  webhooks: durables.billingWebhooks.durable,
  tenants: durables.billingTenants.durable,
} as const;

/**
 * The billing service: the projection of known tenants, the webhook consumer, the past-due sweep
 * and the request/reply methods; its decisions leave through its outbox.
 */
export const billingService = defineService({
  name: 'billing',
  configSchema,
  checkConfig,
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  grants: runtimeGrants,
  poolMax: (c) => c.DB_POOL_MAX,
  outbox: { pollMs: (c) => c.OUTBOX_POLL_MS },
  async start(rt) {
    const ctx: HandlerContext = {
      pool: rt.pool,
      config: rt.config,
      logger: rt.logger,
      metrics: registerBillingMetrics(rt.registry),
      planMap: parsePlanMap(rt.config.BILLING_PLAN_MAP).map,
      now: () => new Date(),
    };
    const clients = providerClients(ctx);
    rt.bus.serve('billing.subscriptions.get.v1', getSubscriptionsHandler(ctx));
    rt.bus.serve('billing.webhooks.list.v1', listWebhooksHandler(ctx));
    rt.bus.serve('billing.checkout.create.v1', checkoutHandler(ctx, clients));
    rt.bus.serve('billing.portal.create.v1', portalHandler(ctx, clients));
    await rt.bus.consume(
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
    const received = webhookReceivedHandler(ctx);
    const rejected = webhookRejectedHandler(ctx);
    await rt.bus.consume(
      {
        durable: BILLING_DURABLES.webhooks,
        stream: streams.webhooks,
        types: ['ocp.billing.webhook_received.v1', 'ocp.billing.webhook_rejected.v1'],
        deliverFrom: 'all',
        ackWaitMs: rt.config.ACK_WAIT_MS,
        // A webhook is never given up: a shape it cannot read is recorded as failed, not thrown.
        maxDeliver: -1,
        concurrency: 4,
      },
      async (event, delivery) => {
        if (event.type === 'ocp.billing.webhook_received.v1') await received(event as never, delivery);
        else await rejected(event as never, delivery);
      },
    );
    rt.every('past-due sweep', rt.config.BILLING_SWEEP_INTERVAL_MS, () => sweepPastDue(ctx));
  },
});

/** A started billing service: its logger, bus, port and close. */
export type BillingService = RunningService<BillingConfig, void>;

/** Starts the billing service with a parsed config (as `main` does, without the process wiring). */
export async function startBillingService(config: BillingConfig, logger?: Logger): Promise<BillingService> {
  return await runService(billingService, config, logger ? { logger } : {});
}
