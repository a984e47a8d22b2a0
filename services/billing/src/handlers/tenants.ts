import type { EventHandler } from '@ocp/bus';
import { withTransaction } from '@ocp/db';
import { unmatchedSubscriptionsOf, upsertKnownTenant } from '../db/store.ts';
import type { Access } from '../domain/subscription.ts';
import type { HandlerContext } from './context.ts';
import { applyFacts } from './webhooks.ts';

/** The tenant lifecycle types the billing service follows to know which tenant ids exist. */
export const FOLLOWED_TENANT_TYPES = [
  'ocp.tenant.created.v1',
  'ocp.tenant.provisioning.v1',
  'ocp.tenant.activated.v1',
  'ocp.tenant.suspended.v1',
  'ocp.tenant.resumed.v1',
  'ocp.tenant.suspension_reason_cleared.v1',
  'ocp.tenant.deleting.v1',
  'ocp.tenant.deleted.v1',
] as const;
type Followed = (typeof FOLLOWED_TENANT_TYPES)[number];

/**
 * `events.tenant.>`: keeps the projection of known tenant ids. Idempotent (an upsert that never
 * brings a deleted tenant back), so it needs no inbox. A webhook can come before billing has seen
 * its tenant's creation (a checkout right after signup): the subscriptions it left `unmatched` are
 * replayed once the tenant is known. The tenant is recorded in a transaction of its own, under the
 * per-tenant lock that the webhooks' check takes too, and the replay runs after its commit, so a
 * webhook is either seen as unmatched here or sees the tenant itself; the replay runs at every
 * event of a live tenant (it finds nothing once done), so a crash between the two loses nothing.
 */
export function tenantProjectionHandler(ctx: HandlerContext): EventHandler<Followed> {
  return async (event, delivery) => {
    const tenantId = event.data.tenant.id;
    const deleted = event.type === 'ocp.tenant.deleted.v1';
    await withTransaction(ctx.pool, (client) => upsertKnownTenant(client, tenantId, deleted));
    if (deleted) return;
    const decisions = await withTransaction(ctx.pool, async (client) => {
      const out: Access[] = [];
      for (const s of await unmatchedSubscriptionsOf(client, tenantId)) {
        const r = await applyFacts(
          ctx,
          client,
          undefined,
          s.provider,
          s.subscriptionId,
          delivery.traceparent,
        );
        if (r.access) out.push(r.access);
      }
      return out;
    });
    for (const access of decisions) ctx.metrics.decision(access, 'webhook');
  };
}
