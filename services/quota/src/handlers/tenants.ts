import type { EventHandler } from '@ocp/bus';
import { type KnownTenantRow, recordKnownTenant, recordTenantLocation } from '../db/tenants.ts';
import type { QuotaContext } from './context.ts';

/**
 * The tenant events that carry the whole tenant: which tenants exist, their plan (a plan change
 * changes the limits at once: they are read from the plan at every decision), state, database.
 */
export const FOLLOWED_TENANT_TYPES = [
  'ocp.tenant.created.v1',
  'ocp.tenant.provisioning.v1',
  'ocp.tenant.activated.v1',
  'ocp.tenant.provisioning_failed.v1',
  'ocp.tenant.suspended.v1',
  'ocp.tenant.suspension_reason_cleared.v1',
  'ocp.tenant.resumed.v1',
  'ocp.tenant.deleting.v1',
  'ocp.tenant.deleted.v1',
  'ocp.tenant.deletion_cancelled.v1',
  'ocp.tenant.plan_changed.v1',
  'ocp.tenant.renamed.v1',
  'ocp.tenant.restoring.v1',
  'ocp.tenant.moved.v1',
  'ocp.tenant.restored.v1',
] as const;
export type FollowedTenantType = (typeof FOLLOWED_TENANT_TYPES)[number];

/**
 * `events.tenant.>`: the projection of known tenants. Each event carries the whole tenant and an
 * older event than the one recorded changes nothing, so order and redelivery do not matter and no
 * inbox is needed.
 */
export function tenantProjectionHandler(ctx: QuotaContext): EventHandler<FollowedTenantType> {
  return async (event) => {
    const t = event.data.tenant;
    await recordKnownTenant(ctx.pool, t, new Date(event.time ?? t.updatedAt));
  };
}

/**
 * Asks the tenant service where a tenant's database and filestore are (server name, filestore
 * directory, Odoo version) and records it; the tenant events do not carry them. Returns the tenant
 * as now known, or undefined when the tenant service has nothing to say yet (no database).
 */
export async function locateTenant(
  ctx: QuotaContext,
  tenant: KnownTenantRow,
): Promise<KnownTenantRow | undefined> {
  const { target } = await ctx.bus.request(
    'tenant.backup.source.v1',
    { tenantId: tenant.tenant_id },
    { timeoutMs: ctx.config.QUOTA_TENANT_RPC_TIMEOUT_MS },
  );
  const now = ctx.now();
  const where = {
    databaseServerName: target.databaseServerName,
    filestoreDir: target.filestoreDir,
    odooVersion: target.odooVersion,
  };
  await recordTenantLocation(ctx.pool, tenant.tenant_id, where, now);
  return {
    ...tenant,
    database_name: target.databaseName,
    database_server_name: where.databaseServerName,
    filestore_dir: where.filestoreDir,
    odoo_version: where.odooVersion,
    located_at: now,
  };
}
