import type { BillingSubscription } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import type { TrialsContext } from './context.ts';
import { clearTrialRevocation, isPaying, lockTrial } from './store.ts';

/**
 * Keeps billing's view of one subscription (`billing.subscription_changed`): an older message
 * (by the provider's event time) never overwrites a newer one, so redelivery and reordering leave
 * the latest state. A subscription without a tenant is not kept.
 */
async function saveSubscription(client: PoolClient, s: BillingSubscription): Promise<void> {
  if (!s.tenantId) return;
  await client.query(
    `INSERT INTO tenant_subscriptions
       (provider, provider_subscription_id, tenant_id, customer_id, price_id, status, last_event_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (provider, provider_subscription_id) DO UPDATE
       SET tenant_id = EXCLUDED.tenant_id, customer_id = EXCLUDED.customer_id,
           price_id = EXCLUDED.price_id, status = EXCLUDED.status,
           last_event_at = EXCLUDED.last_event_at, updated_at = now()
     WHERE tenant_subscriptions.last_event_at <= EXCLUDED.last_event_at`,
    [s.provider, s.providerSubscriptionId, s.tenantId, s.customerId, s.priceId, s.status, s.lastEventAt],
  );
}

/**
 * `billing.subscription_changed`: records the subscription, and when it makes the tenant pay
 * while its trial's end has it suspended, grants access back (reason `trial`) in the same
 * transaction. The trial row is locked before the subscription is written, so the trial sweep
 * either sees the subscription or finds its revocation cleared here: never neither.
 */
export async function applySubscriptionChange(
  ctx: TrialsContext,
  subscription: BillingSubscription,
  traceparent?: string,
): Promise<void> {
  const tenantId = subscription.tenantId;
  if (!tenantId) return;
  await withTransaction(ctx.pool, async (client) => {
    const trial = await lockTrial(client, tenantId);
    await saveSubscription(client, subscription);
    if (!trial?.revoked || !(await isPaying(client, tenantId))) return;
    if (!(await clearTrialRevocation(client, tenantId))) return;
    await enqueueEvent(client, 'ocp.quota.tenant_access_changed.v1', {
      subject: tenantId,
      traceparent,
      data: {
        tenantId,
        access: 'granted',
        reason: 'trial',
        detail: `billing reports subscription ${subscription.providerSubscriptionId} ${subscription.status}`,
      },
    });
  });
}
