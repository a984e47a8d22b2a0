import { randomUUID } from 'node:crypto';
import { withTransaction } from '@ocp/db';
import { insertBackup, queueOperation } from '../db/catalog.ts';
import type { BackupContext } from './context.ts';

/**
 * A tenant's window start in minutes after midnight UTC (`known_tenants k`): the operator's, or a
 * minute derived from its id, which spreads a fleet over the day.
 */
export const WINDOW_START = `COALESCE(k.window_start, ((hashtext(k.tenant_id::text)::bigint % 1440) + 1440) % 1440)`;

/**
 * One look of the scheduler: tenants (active or suspended) inside their backup window with no
 * backup in the last 23 hours, none open and none failed in the last hour, get a scheduled backup;
 * at most BACKUP_SCHEDULE_BATCH per look, so a fleet's backups never start at once. A tenant's
 * window opens at its `window_start` (minutes after midnight UTC, set by an operator) or, unset, at
 * a minute derived from its id, which spreads the fleet over the day; it lasts `window_minutes`.
 * Answers how many were queued.
 */
export async function queueScheduledBackups(ctx: BackupContext): Promise<number> {
  const { rows } = await ctx.pool.query<{ tenant_id: string }>(
    `SELECT k.tenant_id FROM known_tenants k
     WHERE k.state IN ('active', 'suspended')
       AND ((extract(hour FROM $1::timestamptz AT TIME ZONE 'UTC') * 60 + extract(minute FROM $1::timestamptz AT TIME ZONE 'UTC'))::int
            - ${WINDOW_START} + 1440) % 1440 < k.window_minutes
       AND NOT EXISTS (SELECT 1 FROM backups b WHERE b.tenant_id = k.tenant_id AND b.kind IN ('scheduled', 'manual')
                         AND ((b.state <> 'failed' AND b.created_at > $1::timestamptz - interval '23 hours')
                              OR (b.state = 'failed' AND b.created_at > $1::timestamptz - interval '1 hour')))
       AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.tenant_id = k.tenant_id AND o.kind = 'backup.run'
                         AND o.state IN ('queued', 'running'))
     ORDER BY k.tenant_id LIMIT $2`,
    [ctx.now(), ctx.config.BACKUP_SCHEDULE_BATCH],
  );
  for (const { tenant_id } of rows) {
    const command = await withTransaction(ctx.pool, async (client) => {
      const opId = randomUUID();
      const backup = await insertBackup(client, {
        tenantId: tenant_id,
        kind: 'scheduled',
        operationId: opId,
      });
      const { command } = await queueOperation(client, {
        id: opId,
        kind: 'backup.run',
        tenantId: tenant_id,
        backupId: backup.id,
        actor: 'schedule',
      });
      return command;
    });
    ctx.dispatch(command);
  }
  return rows.length;
}

/**
 * Scheduled drills: each tenant's newest succeeded backup is drilled when none of the tenant's
 * backups passed or failed a drill in the last BACKUP_DRILL_INTERVAL_DAYS; a few per look.
 */
export async function queueScheduledDrills(ctx: BackupContext): Promise<number> {
  if (ctx.config.BACKUP_DRILL_INTERVAL_DAYS === 0) return 0;
  const { rows } = await ctx.pool.query<{ id: string; tenant_id: string }>(
    `SELECT DISTINCT ON (b.tenant_id) b.id, b.tenant_id FROM backups b
     JOIN known_tenants k ON k.tenant_id = b.tenant_id AND k.state IN ('active', 'suspended')
     WHERE b.state = 'succeeded'
       AND NOT EXISTS (SELECT 1 FROM backups d WHERE d.tenant_id = b.tenant_id AND d.drill_at > $1::timestamptz - make_interval(days => $2))
       AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.tenant_id = b.tenant_id AND o.state IN ('queued', 'running'))
     ORDER BY b.tenant_id, b.created_at DESC LIMIT $3`,
    [
      ctx.now(),
      ctx.config.BACKUP_DRILL_INTERVAL_DAYS,
      Math.max(1, Math.floor(ctx.config.BACKUP_SCHEDULE_BATCH / 5)),
    ],
  );
  for (const b of rows) {
    const command = await withTransaction(ctx.pool, async (client) => {
      const { command } = await queueOperation(client, {
        kind: 'backup.drill',
        tenantId: b.tenant_id,
        backupId: b.id,
        actor: 'schedule',
      });
      return command;
    });
    ctx.dispatch(command);
  }
  return rows.length;
}
