import { withTransaction } from '@ocp/db';
import { lockTenant } from '../db/store.ts';
import type { HandlerContext } from './context.ts';

interface Candidate {
  id: string;
  state: 'active' | 'suspended';
  database_name: string;
  database_server_id: string;
}

const NO_OPEN_OPERATION = `NOT EXISTS (SELECT 1 FROM operations o
  WHERE o.tenant_id = t.id AND o.state IN ('queued', 'running'))`;

/**
 * One pass of the reconciler: finds tenants whose database disagrees with their row, with no
 * operation open that would settle it, and applies the row's side to the database again. An
 * active tenant's database accepts connections and a suspended one's does not; a half-done step
 * (connections refused, then the operation failed before the row said `suspended`) would leave a
 * tenant its users cannot reach while every API call says it is active. Returns the repairs made.
 */
export async function reconcileTenants(ctx: HandlerContext): Promise<number> {
  const { rows } = await ctx.pool.query<Candidate>(
    `SELECT t.id, t.state, t.database_name, t.database_server_id FROM tenants t
     WHERE t.state IN ('active', 'suspended') AND t.database_server_id IS NOT NULL AND ${NO_OPEN_OPERATION}
     ORDER BY t.database_server_id, t.id`,
  );
  const byServer = new Map<string, Candidate[]>();
  for (const row of rows) {
    const list = byServer.get(row.database_server_id) ?? [];
    list.push(row);
    byServer.set(row.database_server_id, list);
  }
  let repaired = 0;
  for (const [serverId, tenants] of byServer) {
    const admin = await ctx.servers.admin(serverId);
    const allowed = await admin.connectionsAllowed(tenants.map((t) => t.database_name));
    for (const seen of tenants) {
      const allows = allowed.get(seen.database_name);
      if (allows === undefined || allows === (seen.state === 'active')) continue;
      // Under the tenant's row lock, which queueing an operation takes too: an operation queued
      // since the look above is seen here, and one queued after waits for the repair.
      const done = await withTransaction(ctx.pool, async (client) => {
        const t = await lockTenant(client, seen.id);
        if (!t || t.state !== seen.state) return false;
        const { rowCount } = await client.query(
          `SELECT 1 FROM tenants t WHERE t.id = $1 AND ${NO_OPEN_OPERATION}`,
          [seen.id],
        );
        if (rowCount !== 1) return false;
        if (t.state === 'active') await admin.unlock(t.database_name);
        else await admin.lock(t.database_name);
        return true;
      });
      if (!done) continue;
      repaired++;
      ctx.logger.warn(
        {
          tenantId: seen.id,
          state: seen.state,
          database: seen.database_name,
          repair: seen.state === 'active' ? 'ALLOW_CONNECTIONS true' : 'ALLOW_CONNECTIONS false',
        },
        `repaired a tenant whose database ${allows ? 'accepted' : 'refused'} connections while its row said ${seen.state}`,
      );
    }
  }
  return repaired;
}
