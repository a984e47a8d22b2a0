import { type EventHandler, TransientError } from '@ocp/bus';
import { type CloudEvent, durables } from '@ocp/contracts';
import { claimInbox, type PoolClient, withTransaction } from '@ocp/db';
import { lockTenant } from '../db/store.ts';
import type { TenantState } from '../domain/lifecycle.ts';
import { queueAccessDecision } from './access-decision.ts';
import type { HandlerContext } from './context.ts';

/** The durable consumer of the quota service's catalog and decisions. */
export const QUOTA_DURABLE = durables.tenantQuota.durable;

export const QUOTA_EVENT_TYPES = [
  'ocp.quota.plan_changed.v1',
  'ocp.quota.enforcement_changed.v1',
  'ocp.quota.tenant_access_changed.v1',
] as const;
type QuotaEventType = (typeof QUOTA_EVENT_TYPES)[number];

/** States where an access decision has nothing to act on: recorded (inbox) and skipped. */
const SKIPPED: readonly TenantState[] = ['pending', 'provisioning', 'failed', 'deleting', 'deleted'];
/** Transient states: the decision waits (redelivered) until the tenant leaves them. */
const WAIT: readonly TenantState[] = ['restoring', 'migrating'];

/**
 * `events.quota.*`: keeps the tenant service's own copy of the plan catalog and of each tenant's
 * enforcement, and applies the quota service's access decisions. Each effect commits with its
 * inbox entry, so a redelivered event has one effect.
 */
export function quotaEventHandler(ctx: HandlerContext): EventHandler<QuotaEventType> {
  return async (event, delivery) => {
    const command = await withTransaction(ctx.pool, async (client) => {
      if (!(await claimInbox(client, QUOTA_DURABLE, event.id))) return undefined;
      switch (event.type) {
        case 'ocp.quota.plan_changed.v1':
          await keepPlan(client, event as CloudEvent<'ocp.quota.plan_changed.v1'>);
          return undefined;
        case 'ocp.quota.enforcement_changed.v1':
          await keepEnforcement(client, ctx, event as CloudEvent<'ocp.quota.enforcement_changed.v1'>);
          return undefined;
        default:
          return await applyAccess(
            client,
            ctx,
            event as CloudEvent<'ocp.quota.tenant_access_changed.v1'>,
            delivery.traceparent,
          );
      }
    });
    if (command) ctx.dispatch(command);
  };
}

/**
 * Keeps the highest version of each plan: events of one plan can arrive more than once and, after
 * a redelivery, out of order. A deleted plan keeps its row, marked, so a late older version does
 * not bring it back.
 */
async function keepPlan(client: PoolClient, event: CloudEvent<'ocp.quota.plan_changed.v1'>) {
  const { plan, deleted } = event.data;
  await client.query(
    `INSERT INTO quota_plans (name, allowed_modules, default_modules, version, deleted)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (name) DO UPDATE SET allowed_modules = EXCLUDED.allowed_modules,
       default_modules = EXCLUDED.default_modules, version = EXCLUDED.version,
       deleted = EXCLUDED.deleted, updated_at = now()
     WHERE quota_plans.version < EXCLUDED.version
        OR (quota_plans.version = EXCLUDED.version AND EXCLUDED.deleted)`,
    [plan.name, plan.allowedModules, plan.defaultModules, plan.version, deleted === true],
  );
}

/** Keeps whether the tenant's module installs are blocked (events of one tenant arrive in order). */
async function keepEnforcement(
  client: PoolClient,
  ctx: HandlerContext,
  event: CloudEvent<'ocp.quota.enforcement_changed.v1'>,
) {
  const { tenantId, installsBlocked, reason } = event.data;
  const { rowCount } = await client.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId]);
  if (!rowCount) {
    ctx.logger.warn({ tenantId, eventId: event.id }, 'quota enforcement for an unknown tenant; skipped');
    return;
  }
  await client.query(
    `INSERT INTO quota_enforcement (tenant_id, installs_blocked, reason, event_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id) DO UPDATE SET installs_blocked = EXCLUDED.installs_blocked,
       reason = EXCLUDED.reason, event_id = EXCLUDED.event_id, updated_at = now()`,
    [tenantId, installsBlocked, reason ?? null, event.id],
  );
  ctx.logger.info({ tenantId, installsBlocked }, 'quota enforcement recorded');
}

/** Suspends or resumes for reason `quota` or `trial`, exactly as billing's decisions do for `billing`. */
async function applyAccess(
  client: PoolClient,
  ctx: HandlerContext,
  event: CloudEvent<'ocp.quota.tenant_access_changed.v1'>,
  traceparent: string | undefined,
): Promise<CloudEvent | undefined> {
  const { tenantId, access, reason, detail } = event.data;
  const log = ctx.logger.child({ tenantId, eventId: event.id, type: event.type, reason });
  const tenant = await lockTenant(client, tenantId);
  if (!tenant) {
    log.warn('quota decision for a tenant this service does not have; skipped');
    return undefined;
  }
  if (WAIT.includes(tenant.state)) {
    throw new TransientError(`the tenant is ${tenant.state}; the quota decision waits`, 5000);
  }
  if (SKIPPED.includes(tenant.state)) {
    log.info({ state: tenant.state }, 'quota decision skipped: nothing to act on in this state');
    return undefined;
  }
  log.info({ access, detail }, 'applying the quota service decision');
  return await queueAccessDecision(
    client,
    tenant,
    { access, reason, actor: `system:quota` },
    traceparent,
    log,
  );
}
