import { type EventHandler, TransientError } from '@ocp/bus';
import type { CloudEvent } from '@ocp/contracts';
import { claimInbox, type PoolClient, withTransaction } from '@ocp/db';
import { toTenant } from '../db/rows.ts';
import { emit, lockTenant, queueOperation } from '../db/store.ts';
import type { TenantState } from '../domain/lifecycle.ts';
import type { HandlerContext } from './context.ts';

/** The durable consumer of billing's decisions. */
export const BILLING_DURABLE = 'tenant-billing';

export const BILLING_DECISION_TYPES = [
  'ocp.billing.tenant_access_changed.v1',
  'ocp.billing.tenant_plan_changed.v1',
] as const;
type DecisionType = (typeof BILLING_DECISION_TYPES)[number];

/** States where a billing decision has nothing to act on: it is recorded (inbox) and skipped. */
const SKIPPED: readonly TenantState[] = ['pending', 'provisioning', 'failed', 'deleting', 'deleted'];
/** Transient states: the decision waits (redelivered) until the tenant leaves them. */
const WAIT: readonly TenantState[] = ['restoring', 'migrating'];

/**
 * Whether the tenant is, or is about to be, suspended for billing: the last open billing operation
 * decides (it runs after everything before it), else the reasons it has now. Looking at open
 * operations keeps a revoke that follows a grant still queued from being lost, and the reverse.
 */
async function billingSuspended(client: PoolClient, tenantId: string, reasons: readonly string[]) {
  const { rows } = await client.query<{ kind: string }>(
    `SELECT kind FROM operations WHERE tenant_id = $1 AND state IN ('queued', 'running')
       AND kind IN ('tenant.suspend', 'tenant.resume') AND params->>'reason' = 'billing'
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [tenantId],
  );
  const last = rows[0]?.kind;
  return last ? last === 'tenant.suspend' : reasons.includes('billing');
}

/**
 * `events.billing.tenant_access_changed.v1` and `tenant_plan_changed.v1`: applies billing's
 * decisions. The inbox entry, the queued operation (or the plan change) and its events commit
 * together, so a redelivered decision has one effect. A revoke suspends for reason `billing`; a
 * grant clears that reason only, never another one.
 */
export function billingDecisionHandler(ctx: HandlerContext): EventHandler<DecisionType> {
  return async (event, delivery) => {
    const command = await withTransaction(ctx.pool, async (client) => {
      if (!(await claimInbox(client, BILLING_DURABLE, event.id))) return undefined;
      const tenantId = event.data.tenantId;
      const tenant = await lockTenant(client, tenantId);
      const log = ctx.logger.child({ tenantId, eventId: event.id, type: event.type });
      if (!tenant) {
        log.warn('billing decision for a tenant this service does not have; skipped');
        return undefined;
      }
      if (WAIT.includes(tenant.state)) {
        throw new TransientError(`the tenant is ${tenant.state}; the billing decision waits`, 5000);
      }
      if (SKIPPED.includes(tenant.state)) {
        log.info({ state: tenant.state }, 'billing decision skipped: nothing to act on in this state');
        return undefined;
      }
      if (event.type === 'ocp.billing.tenant_plan_changed.v1') {
        const plan = (event as CloudEvent<'ocp.billing.tenant_plan_changed.v1'>).data.plan;
        if (plan === tenant.plan) return undefined;
        const { rows } = await client.query(
          'UPDATE tenants SET plan = $2, updated_at = now() WHERE id = $1 RETURNING *',
          [tenantId, plan],
        );
        await emit(
          client,
          [
            {
              type: 'ocp.tenant.plan_changed.v1',
              subject: tenantId,
              data: { tenant: toTenant(rows[0]), previousPlan: tenant.plan },
            },
          ],
          delivery.traceparent,
        );
        log.info({ plan, previousPlan: tenant.plan }, 'plan changed by billing');
        return undefined;
      }
      const { access } = (event as CloudEvent<'ocp.billing.tenant_access_changed.v1'>).data;
      const suspended = await billingSuspended(client, tenantId, tenant.suspension_reasons);
      if ((access === 'revoked') === suspended) return undefined;
      const kind = access === 'revoked' ? 'tenant.suspend' : 'tenant.resume';
      const { command } = await queueOperation(
        client,
        { tenantId, kind, params: { reason: 'billing' }, actor: 'system:billing' },
        delivery.traceparent,
      );
      log.info({ kind }, 'billing decision queued');
      return command;
    });
    if (command) ctx.dispatch(command);
  };
}
