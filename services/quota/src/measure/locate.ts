import { RpcError } from '@ocp/bus';
import type { Queryable } from '@ocp/db';
import type { KnownTenantRow } from '../db/tenants.ts';
import { type TenantPlace, TenantPlaceError } from './measure-tenant.ts';

/**
 * Where a tenant's database and filestore are: from the quota service's copy of the tenants when
 * the tenant service has told it already (`located_at`; a tenant event that changes the database,
 * server or runtime forgets it), else asked now through `ask` (`tenant.backup.source`, the answer
 * the backup service dumps from, which records it). The server is its name, the key of its admin
 * URL in QUOTA_DB_SERVERS, or its id.
 */
export function locateKnownTenant(
  db: Queryable,
  ask: (tenant: KnownTenantRow) => Promise<KnownTenantRow | undefined>,
): (tenantId: string) => Promise<TenantPlace> {
  return async (tenantId) => {
    const { rows } = await db.query<KnownTenantRow>(
      "SELECT * FROM known_tenants WHERE tenant_id = $1 AND state <> 'deleted'",
      [tenantId],
    );
    let t = rows[0];
    if (!t) throw new TenantPlaceError('TENANT_NOT_FOUND', `no tenant ${tenantId}`);
    if (!t.located_at) {
      try {
        t = await ask(t);
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
      if (!t) throw new TenantPlaceError('TENANT_NOT_MEASURABLE', `tenant ${tenantId} has no database yet`);
    }
    return {
      databaseName: t.database_name,
      server: t.database_server_name ?? t.database_server_id,
      filestoreDir: t.filestore_dir,
    };
  };
}
