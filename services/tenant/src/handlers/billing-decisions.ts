import { type EventHandler, TransientError } from '@ocp/bus';
import { type CloudEvent, durables } from '@ocp/contracts';
import { claimInbox, enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import type { Logger } from 'pino';
import { type TenantRow, toTenant } from '../db/rows.ts';
import { lockTenant } from '../db/store.ts';
import type { TenantState } from '../domain/lifecycle.ts';
import { queueAccessDecision } from './access-decision.ts';
import type { HandlerContext } from './context.ts';

/** The durable consumer of billing's decisions. */
export const BILLING_DURABLE = durables.tenantBilling.durable;

export const BILLING_DECISION_TYPES = [
  'ocp.billing.tenant_access_changed.v1',
  'ocp.billing.tenant_plan_changed.v1',
] as const;
type DecisionType = (typeof BILLING_DECISION_TYPES)[number];

/**
 * States before the tenant is first active: the latest decision is held, and applied in the
 * transaction that activates the tenant (a failed provisioning can be retried, so it holds too).
 */
const HELD: readonly TenantState[] = ['pending', 'provisioning', 'failed'];
/** States where a billing decision has nothing to act on: it is recorded (inbox) and skipped. */
const SKIPPED: readonly TenantState[] = ['deleting', 'deleted'];
/** Transient states: the decision waits (redelivered) until the tenant leaves them. */
const WAIT: readonly TenantState[] = ['restoring', 'migrating'];

/**
 * `events.billing.tenant_access_changed.v1` and `tenant_plan_changed.v1`: applies billing's
 * decisions. The inbox entry, the queued operation (or the plan change) and its events commit
 * together, so a redelivered decision has one effect. A revoke suspends for reason `billing`; a
 * grant clears that reason only, never another one. A decision about a tenant that is not active
 * yet is held with its inbox entry and applied when it is (`applyHeldBillingDecisions`).
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
      if (HELD.includes(tenant.state)) {
        await holdDecision(client, event);
        log.info({ state: tenant.state }, 'billing decision held until the tenant is active');
        return undefined;
      }
      if (SKIPPED.includes(tenant.state)) {
        log.info({ state: tenant.state }, 'billing decision skipped: nothing to act on in this state');
        return undefined;
      }
      if (event.type === 'ocp.billing.tenant_plan_changed.v1') {
        const plan = (event as CloudEvent<'ocp.billing.tenant_plan_changed.v1'>).data.plan;
        await changePlan(client, tenant, plan, delivery.traceparent, log);
        return undefined;
      }
      const { access } = (event as CloudEvent<'ocp.billing.tenant_access_changed.v1'>).data;
      return await applyAccess(client, tenant, access, delivery.traceparent, log);
    });
    if (command) ctx.dispatch(command);
  };
}

/** Sets the plan billing decided and announces it; nothing when the tenant is on it already. */
async function changePlan(
  client: PoolClient,
  tenant: TenantRow,
  plan: string,
  traceparent: string | undefined,
  log: Logger,
): Promise<void> {
  if (plan === tenant.plan) return;
  const { rows } = await client.query<TenantRow>(
    'UPDATE tenants SET plan = $2, updated_at = now() WHERE id = $1 RETURNING *',
    [tenant.id, plan],
  );
  await enqueueEvent(client, 'ocp.tenant.plan_changed.v1', {
    subject: tenant.id,
    data: { tenant: toTenant(rows[0]!), previousPlan: tenant.plan },
    traceparent,
  });
  log.info({ plan, previousPlan: tenant.plan }, 'plan changed by billing');
}

/** Queues the suspension or resumption for reason `billing` that the decision asks for, if any. */
function applyAccess(
  client: PoolClient,
  tenant: TenantRow,
  access: 'granted' | 'revoked',
  traceparent: string | undefined,
  log: Logger,
): Promise<CloudEvent | undefined> {
  return queueAccessDecision(
    client,
    tenant,
    { access, reason: 'billing', actor: 'system:billing' },
    traceparent,
    log,
  );
}

/** Keeps a decision for a tenant that is not active yet: the latest access and plan, each. */
async function holdDecision(client: PoolClient, event: CloudEvent<DecisionType>): Promise<void> {
  const plan =
    event.type === 'ocp.billing.tenant_plan_changed.v1'
      ? (event as CloudEvent<'ocp.billing.tenant_plan_changed.v1'>).data.plan
      : null;
  const access =
    event.type === 'ocp.billing.tenant_access_changed.v1'
      ? (event as CloudEvent<'ocp.billing.tenant_access_changed.v1'>).data.access
      : null;
  await client.query(
    `INSERT INTO held_billing_decisions (tenant_id, access, access_event_id, plan, plan_event_id)
     VALUES ($1, $2, CASE WHEN $2::text IS NULL THEN NULL ELSE $4 END, $3, CASE WHEN $3::text IS NULL THEN NULL ELSE $4 END)
     ON CONFLICT (tenant_id) DO UPDATE SET
       access = COALESCE(EXCLUDED.access, held_billing_decisions.access),
       access_event_id = COALESCE(EXCLUDED.access_event_id, held_billing_decisions.access_event_id),
       plan = COALESCE(EXCLUDED.plan, held_billing_decisions.plan),
       plan_event_id = COALESCE(EXCLUDED.plan_event_id, held_billing_decisions.plan_event_id),
       updated_at = now()`,
    [event.data.tenantId, access, plan, event.id],
  );
}

/**
 * Applies the billing decisions held while the tenant was not active yet, in the caller's
 * transaction, the one that makes the tenant active: a held plan is set (and
 * `ocp.tenant.plan_changed.v1` emitted), a held revoke queues the suspension for reason `billing`
 * (its work command leaves through the outbox). The held row is removed, so it applies once.
 */
export async function applyHeldBillingDecisions(
  client: PoolClient,
  ctx: Pick<HandlerContext, 'logger'>,
  tenantId: string,
  traceparent?: string,
): Promise<void> {
  const { rows } = await client.query<{ access: 'granted' | 'revoked' | null; plan: string | null }>(
    'DELETE FROM held_billing_decisions WHERE tenant_id = $1 RETURNING access, plan',
    [tenantId],
  );
  const held = rows[0];
  if (!held) return;
  const log = ctx.logger.child({ tenantId });
  log.info({ access: held.access, plan: held.plan }, 'applying billing decisions held until activation');
  if (held.plan) {
    const tenant = (await lockTenant(client, tenantId))!;
    await changePlan(client, tenant, held.plan, traceparent, log);
  }
  if (held.access) {
    const tenant = (await lockTenant(client, tenantId))!;
    await applyAccess(client, tenant, held.access, traceparent, log);
  }
}
