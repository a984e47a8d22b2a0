import { type Bus, RpcError } from '@ocp/bus';
import { type TenantPlace, TenantPlaceError } from './measure-tenant.ts';

/**
 * Where a tenant's database and filestore are, as the tenant service says (`tenant.backup.source`,
 * the same answer the backup service dumps from): its database, its server's name (the key of its
 * admin URL in QUOTA_DB_SERVERS, as in the backup service's BACKUP_DB_SERVERS) and its filestore
 * directory. Asked at each measurement, so a tenant moved or restored is measured where it is now.
 */
export function locateThroughTenantService(
  bus: Bus,
  timeoutMs: number,
): (tenantId: string) => Promise<TenantPlace> {
  return async (tenantId) => {
    try {
      const { target } = await bus.request('tenant.backup.source.v1', { tenantId }, { timeoutMs });
      return {
        databaseName: target.databaseName,
        server: target.databaseServerName ?? target.databaseServerId,
        filestoreDir: target.filestoreDir,
      };
    } catch (e) {
      if (e instanceof RpcError && e.code === 'TENANT_NOT_FOUND')
        throw new TenantPlaceError('TENANT_NOT_FOUND', e.message, { cause: e });
      if (e instanceof RpcError && e.code === 'INVALID_STATE')
        throw new TenantPlaceError('TENANT_NOT_MEASURABLE', e.message, { cause: e });
      throw new TenantPlaceError(
        'TENANT_SERVICE_UNAVAILABLE',
        `the tenant service did not say where the tenant's data is: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  };
}
