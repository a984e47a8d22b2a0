import { RpcError, type RpcHandler } from '@ocp/bus';
import { measureAndRecord, type ScanDeps } from './scan.ts';

/**
 * `quota.measure.now`: measures one tenant at once, out of its turn, and records the sample as the
 * scan would (its next turn then counts from now). A tenant the quota service has not heard of is
 * not found.
 */
export function measureNowHandler(deps: ScanDeps): RpcHandler<'quota.measure.now.v1'> {
  return async (req) => {
    const { rowCount } = await deps.pool.query(
      "SELECT 1 FROM known_tenants WHERE tenant_id = $1 AND state <> 'deleted'",
      [req.tenantId],
    );
    if (!rowCount) throw new RpcError('TENANT_NOT_FOUND', `no tenant ${req.tenantId}`, '/tenantId');
    return { sample: await measureAndRecord(deps, req.tenantId) };
  };
}
