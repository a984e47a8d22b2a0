import type { RpcHandler } from '@ocp/bus';
import { getPlan } from '../db/plans.ts';
import { enforcementOf, getOverride } from '../db/tenants.ts';
import type { QuotaContext } from '../handlers/context.ts';
import { mustKnowTenant } from '../handlers/tenant-quota.ts';

/**
 * `rpc.quota.module.check.v1`: whether the tenant may install a module now, as the quota service
 * sees it (the override's allowed list over the plan's, then the block). Informational: the
 * tenant service decides module operations from its own copy, so it never waits on this answer.
 */
export function moduleCheckHandler(ctx: QuotaContext): RpcHandler<'quota.module.check.v1'> {
  return async (req) => {
    const tenant = await mustKnowTenant(ctx.pool, req.tenantId);
    const [plan, override, enforcement] = await Promise.all([
      getPlan(ctx.pool, tenant.plan),
      getOverride(ctx.pool, req.tenantId),
      enforcementOf(ctx.pool, req.tenantId),
    ]);
    const allowed =
      override && Object.hasOwn(override, 'allowedModules')
        ? (override.allowedModules ?? null)
        : (plan?.allowedModules ?? null);
    if (allowed && !allowed.includes(req.module)) return { allowed: false, reason: 'not_in_plan' };
    if (enforcement.installsBlocked) return { allowed: false, reason: 'over_quota' };
    return { allowed: true };
  };
}
