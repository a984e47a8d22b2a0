import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import type { TenantQuota } from '@ocp/contracts';
import type { Queryable } from '@ocp/db';
import { getPlan } from '../db/plans.ts';
import { enforcementOf, getOverride, latestSample, liveTenant, trialOf } from '../db/tenants.ts';
import { effectiveLimits, levelsOf, UNLIMITED } from '../domain/limits.ts';
import type { QuotaContext } from './context.ts';

/** The tenant, or TENANT_NOT_FOUND (a deleted tenant is not found either). */
export async function mustKnowTenant(db: Queryable, tenantId: string) {
  const t = await liveTenant(db, tenantId);
  if (!t) throw new RpcError('TENANT_NOT_FOUND', `no tenant ${tenantId}`);
  return t;
}

/**
 * A tenant's quota status: its plan's limits with its override on top, the levels of its latest
 * sample against them, what is enforced and its trial. A plan missing from the catalog limits
 * nothing (`planKnown` false).
 */
export async function tenantQuotaOf(
  db: Queryable,
  tenantId: string,
  warningPercent: number,
): Promise<TenantQuota> {
  const tenant = await mustKnowTenant(db, tenantId);
  const [plan, override, usage, enforcement, trial] = await Promise.all([
    getPlan(db, tenant.plan),
    getOverride(db, tenantId),
    latestSample(db, tenantId),
    enforcementOf(db, tenantId),
    trialOf(db, tenantId),
  ]);
  const limits = effectiveLimits(plan?.limits ?? UNLIMITED, override?.limits);
  const allowedModules =
    override && Object.hasOwn(override, 'allowedModules')
      ? (override.allowedModules ?? null)
      : (plan?.allowedModules ?? null);
  return {
    tenantId,
    plan: tenant.plan,
    planKnown: plan !== undefined,
    limits,
    allowedModules,
    override,
    usage,
    levels: levelsOf(limits, usage, warningPercent),
    enforcement,
    trial,
  };
}

/** `rpc.quota.tenant.get.v1`. */
export function getTenantQuotaHandler(ctx: QuotaContext): RpcHandler<'quota.tenant.get.v1'> {
  return async (req) => ({
    quota: await tenantQuotaOf(ctx.pool, req.tenantId, ctx.config.QUOTA_WARNING_PERCENT),
  });
}
