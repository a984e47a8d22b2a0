import type { EventHandler } from '@ocp/bus';
import { claimInbox, type Pool, type PoolClient, type Queryable, withTransaction } from '@ocp/db';

/** The inbox name of the consumer of backup events (the durable's name). */
export const BACKUP_USAGE_CONSUMER = 'quota-backup-events';

export const BACKUP_USAGE_TYPES = ['ocp.backup.completed.v1', 'ocp.backup.pruned.v1'] as const;
type Followed = (typeof BACKUP_USAGE_TYPES)[number];

/**
 * Recomputes a tenant's running figure from its ledger of backups (the caller holds the lock of
 * its row): the figure is then the same whatever order the events came in (a `pruned` before its
 * `completed` leaves a pruned entry behind, which the late `completed` does not count again).
 */
async function refreshFigure(client: PoolClient, tenantId: string): Promise<void> {
  await client.query(
    `UPDATE backup_usage u SET bytes = s.bytes, generations = s.generations, updated_at = now()
     FROM (SELECT COALESCE(sum(stored_bytes), 0)::bigint AS bytes, count(*)::int AS generations
           FROM measure_backups WHERE tenant_id = $1 AND completed AND NOT pruned) s
     WHERE u.tenant_id = $1`,
    [tenantId],
  );
}

/**
 * `backup.completed` / `backup.pruned` on EVENTS_BACKUP: a tenant's backup storage (bytes and
 * generations kept) as a running figure in the quota database, each event applied once (the
 * inbox, in the same transaction as its effect).
 */
export function backupUsageHandler(pool: Pool): EventHandler<Followed> {
  return async (event) => {
    const b = event.data.backup;
    await withTransaction(pool, async (client) => {
      if (!(await claimInbox(client, BACKUP_USAGE_CONSUMER, event.id))) return;
      // Lock the tenant's figure first, so that two events of one tenant apply one after the other.
      await client.query('INSERT INTO backup_usage (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        b.tenantId,
      ]);
      await client.query('SELECT 1 FROM backup_usage WHERE tenant_id = $1 FOR UPDATE', [b.tenantId]);
      if (event.type === 'ocp.backup.completed.v1')
        await client.query(
          `INSERT INTO measure_backups (backup_id, tenant_id, stored_bytes, completed) VALUES ($1, $2, $3, true)
           ON CONFLICT (backup_id) DO UPDATE SET completed = true, stored_bytes = EXCLUDED.stored_bytes, updated_at = now()`,
          [b.id, b.tenantId, b.storedBytes ?? 0],
        );
      else
        await client.query(
          `INSERT INTO measure_backups (backup_id, tenant_id, stored_bytes, pruned) VALUES ($1, $2, $3, true)
           ON CONFLICT (backup_id) DO UPDATE SET pruned = true, updated_at = now()`,
          [b.id, b.tenantId, b.storedBytes ?? 0],
        );
      await refreshFigure(client, b.tenantId);
    });
  };
}

/** A tenant's backup storage as the events have told it; zero for a tenant never backed up. */
export async function backupFigures(
  db: Queryable,
  tenantId: string,
): Promise<{ backupBytes: number; backupGenerations: number }> {
  const { rows } = await db.query<{ bytes: string; generations: number }>(
    'SELECT bytes, generations FROM backup_usage WHERE tenant_id = $1',
    [tenantId],
  );
  return { backupBytes: Number(rows[0]?.bytes ?? 0), backupGenerations: rows[0]?.generations ?? 0 };
}
