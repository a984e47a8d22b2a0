import type { EventHandler } from '@ocp/bus';
import { UUID_PATTERN } from '@ocp/contracts';
import { claimInbox, withTransaction } from '@ocp/db';
import { BILLING_DURABLE } from './billing-decisions.ts';
import type { HandlerContext } from './context.ts';

/** The subscription events this service reads beside billing's decisions, on the same durable. */
export const BILLING_CUSTOMER_TYPES = ['ocp.billing.subscription_changed.v1'] as const;

/**
 * `events.billing.subscription_changed.v1`: keeps the tenant's customer id at its billing provider,
 * which the tenant list searches. The inbox entry and the change commit together (one effect per
 * event); billing publishes a subscription's changes in order and this durable takes one message at
 * a time, so the last one wins. A subscription without a customer or a tenant changes nothing.
 */
export function billingCustomerHandler(
  ctx: HandlerContext,
): EventHandler<(typeof BILLING_CUSTOMER_TYPES)[number]> {
  return async (event) => {
    await withTransaction(ctx.pool, async (client) => {
      if (!(await claimInbox(client, BILLING_DURABLE, event.id))) return;
      const { tenantId, customerId } = event.data.subscription;
      if (!tenantId || !customerId || !UUID_PATTERN.test(tenantId)) return;
      const { rowCount } = await client.query(
        `UPDATE tenants SET billing_customer_id = $2, updated_at = now()
          WHERE id = $1 AND billing_customer_id IS DISTINCT FROM $2`,
        [tenantId, customerId],
      );
      if (rowCount)
        ctx.logger.info(
          { tenantId, customerId, eventId: event.id },
          'billing customer of the tenant recorded',
        );
    });
  };
}
