import { type Bus, RpcError } from '@ocp/bus';
import type { Tenant } from '@ocp/contracts';
import type { FastifyRequest } from 'fastify';
import type { Permission } from '../domain/permissions.ts';
import { forbidden } from '../errors.ts';
import { checkTenantScope, tenantScopeOf } from '../plugins/auth.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when a `{tenant}` path value is a tenant id rather than a slug. */
export const isTenantId = (key: string): boolean => UUID.test(key);

/**
 * Resolves `{tenant}` (an id or a slug) to the tenant, within the caller's tenants, and notes it
 * for the audit log. A limited caller gets 403 for any other tenant, existing or not, so it learns
 * nothing about them.
 */
export async function lookupTenant(
  bus: Bus,
  rpc: { timeoutMs: number },
  req: FastifyRequest,
  key: string,
  permission: Permission,
): Promise<Tenant> {
  const byId = isTenantId(key);
  req.audit.target = `tenant:${key}`;
  if (byId) {
    req.audit.tenantId = key;
    checkTenantScope(req, key, permission);
  }
  let tenant: Tenant;
  try {
    ({ tenant } = await bus.request('tenant.get.v1', byId ? { tenantId: key } : { slug: key }, rpc));
  } catch (e) {
    if (tenantScopeOf(req) && e instanceof RpcError && e.code === 'TENANT_NOT_FOUND')
      throw forbidden(
        permission,
        `this needs the permission ${permission} for tenant ${key}, which is not one of this account's tenants`,
      );
    throw e;
  }
  req.audit.target = `tenant:${tenant.id}`;
  req.audit.tenantId = tenant.id;
  checkTenantScope(req, tenant.id, permission);
  return tenant;
}
