import { enqueueEvent, withTransaction } from '@ocp/db';
import { type BackupRow, toBackup } from '../db/catalog.ts';
import { decideRetention } from '../domain/retention.ts';
import type { BackupContext } from './context.ts';

/**
 * Applies the tenant's plan's retention: the generations it keeps are labelled, the rest removed
 * from the store first, then from the catalog with their event (a backup whose object could not be
 * removed stays listed, and goes next time). A final backup (taken before a deletion) is not
 * counted. Answers how many went.
 */
export async function pruneTenant(ctx: BackupContext, tenantId: string): Promise<number> {
  const { rows: known } = await ctx.pool.query<{ plan: string }>(
    'SELECT plan FROM known_tenants WHERE tenant_id = $1',
    [tenantId],
  );
  const policy = ctx.retention(known[0]?.plan ?? null);
  const { rows } = await ctx.pool.query<BackupRow>(
    `SELECT * FROM backups WHERE tenant_id = $1 AND state = 'succeeded' AND kind <> 'final'
     ORDER BY created_at DESC LIMIT 5000`,
    [tenantId],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const decision = decideRetention(
    rows.map((r) => ({ id: r.id, createdAt: r.created_at, drillPassed: r.drill_state === 'passed' })),
    policy,
  );
  for (const [id, generation] of decision.keep) {
    if (byId.get(id)?.generation !== generation)
      await ctx.pool.query('UPDATE backups SET generation = $2 WHERE id = $1', [id, generation]);
  }
  let pruned = 0;
  for (const candidate of decision.prune) {
    await removeBackup(
      ctx,
      byId.get(candidate.id)!,
      `not among the ${policy.daily} daily, ${policy.weekly} weekly and ${policy.monthly} monthly generations kept`,
    );
    pruned++;
  }
  if (pruned) ctx.logger.info({ tenantId, pruned, kept: decision.keep.size }, 'retention pruned backups');
  return pruned;
}

/**
 * Removes the final backups of tenants deleted for good longer ago than BACKUP_FINAL_KEEP_DAYS (their
 * last `known_tenants` event), store first, a batch at a time. Answers how many went.
 */
export async function pruneFinalBackups(ctx: BackupContext): Promise<number> {
  const { rows } = await ctx.pool.query<BackupRow>(
    `SELECT b.* FROM backups b JOIN known_tenants k ON k.tenant_id = b.tenant_id
     WHERE b.kind = 'final' AND k.state = 'deleted'
       AND k.event_time < $1::timestamptz - make_interval(days => $2)
     ORDER BY b.created_at LIMIT 100`,
    [ctx.now(), ctx.config.BACKUP_FINAL_KEEP_DAYS],
  );
  for (const row of rows)
    await removeBackup(
      ctx,
      row,
      `the final backup of a tenant deleted more than ${ctx.config.BACKUP_FINAL_KEEP_DAYS} days ago`,
    );
  return rows.length;
}

/** Removes a backup from the store, then from the catalog with `backup.pruned` and the reason. */
async function removeBackup(ctx: BackupContext, row: BackupRow, reason: string): Promise<void> {
  if (row.object_key) await ctx.store.remove(row.object_key);
  await withTransaction(ctx.pool, async (client) => {
    const { rows: gone } = await client.query<BackupRow>('DELETE FROM backups WHERE id = $1 RETURNING *', [
      row.id,
    ]);
    if (gone[0])
      await enqueueEvent(client, 'ocp.backup.pruned.v1', {
        subject: row.tenant_id,
        data: { backup: toBackup(gone[0]), reason },
      });
  });
}
