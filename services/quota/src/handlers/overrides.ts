import type { RpcHandler } from '@ocp/bus';
import { withTransaction } from '@ocp/db';
import { deleteOverride, putOverride } from '../db/tenants.ts';
import type { QuotaContext } from './context.ts';
import { mustKnowTenant, tenantQuotaOf } from './tenant-quota.ts';

/**
 * `rpc.quota.overrides.put.v1`: replaces the tenant's override. A metric left out of `limits`
 * follows the plan; `allowedModules` left out follows the plan's list.
 */
export function putOverrideHandler(ctx: QuotaContext): RpcHandler<'quota.overrides.put.v1'> {
  return async (req) =>
    await withTransaction(ctx.pool, async (client) => {
      await mustKnowTenant(client, req.tenantId);
      await putOverride(client, req.tenantId, req.limits, req.allowedModules, ctx.now());
      return { quota: await tenantQuotaOf(client, req.tenantId, ctx.config.QUOTA_WARNING_PERCENT) };
    });
}

/** `rpc.quota.overrides.delete.v1`: the plan's limits apply again (no override is fine too). */
export function deleteOverrideHandler(ctx: QuotaContext): RpcHandler<'quota.overrides.delete.v1'> {
  return async (req) =>
    await withTransaction(ctx.pool, async (client) => {
      await mustKnowTenant(client, req.tenantId);
      await deleteOverride(client, req.tenantId);
      return { quota: await tenantQuotaOf(client, req.tenantId, ctx.config.QUOTA_WARNING_PERCENT) };
    });
}
