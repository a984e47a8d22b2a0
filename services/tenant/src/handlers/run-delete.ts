import { PermanentError, RpcError, RpcUnavailableError, TransientError } from '@ocp/bus';
import { withTransaction } from '@ocp/db';
import { releaseDomainsOf } from '../db/domains.ts';
import { toOperation } from '../db/rows.ts';
import { lockTenant, queueOperation, setOperationResult, updateOperation } from '../db/store.ts';
import { removeFilestore } from '../odoo/filestore.ts';
import { getRuntime } from '../runtime/registry.ts';
import { adminFor, finish, type RunContext, type Runner, start, transition } from './operation-kit.ts';

/**
 * A deletion, in steps that can each run again: the tenant goes to `deleting` and its database is
 * shut; the backup service takes a final backup (TENANT_DELETE_FINAL_BACKUP), and the deletion waits
 * for it, failing (the tenant kept, shut) when it fails; then, with a grace period
 * (TENANT_DELETE_GRACE_SECONDS), a `tenant.purge` operation is queued to run when it ends and the
 * deletion is done: until then `tenant.undelete` gives the tenant back. Without one, the database
 * and files go at once.
 */

const FINAL_BACKUP_POLL_MS = 1000;
const nap = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Asks for the final backup and waits until it has succeeded; its id. */
async function awaitFinalBackup(rc: RunContext): Promise<string> {
  for (;;) {
    rc.signal.throwIfAborted();
    let backup: { id: string; state: string; error: string | null };
    try {
      ({ backup } = await rc.bus.request(
        'backup.final.v1',
        { tenantId: rc.tenant.id, requestId: rc.op.id },
        { timeoutMs: 10_000, traceparent: rc.traceparent },
      ));
    } catch (e) {
      if (e instanceof RpcUnavailableError)
        throw new TransientError(`the backup service did not answer for the final backup: ${e.message}`);
      if (e instanceof RpcError && e.code !== 'DATABASE_UNAVAILABLE')
        throw new PermanentError(`the final backup could not be asked for: ${e.message}`);
      throw e;
    }
    if (backup.state === 'succeeded') return backup.id;
    if (backup.state === 'failed')
      throw new PermanentError(
        `the final backup failed (${backup.error ?? 'no reason given'}); the tenant is kept, shut: delete it again to retry, or undelete it`,
      );
    await nap(FINAL_BACKUP_POLL_MS, rc.signal);
  }
}

/** Drops the database (and an older tenant's own role) and removes the files: the tenant is gone. */
async function purgeNow(rc: RunContext): Promise<void> {
  const t = rc.tenant;
  // Only tenants of before runtimes have a login role of their own (named as their database).
  const legacyRole = t.db_password_sealed ? t.database_name : undefined;
  const left = (await (await adminFor(rc))?.drop(t.database_name, legacyRole, t.id)) ?? [];
  const root = t.runtime_id
    ? (await getRuntime(rc.pool, t.runtime_id))?.filestore_path
    : rc.config.TENANT_FILESTORE_DIR;
  // A database of that name that is not the tenant's keeps its files too.
  if (root && !left.includes(t.database_name)) await removeFilestore(root, t.database_name);
  await withTransaction(rc.pool, async (client) => {
    const locked = (await lockTenant(client, t.id))!;
    if (locked.state !== 'deleted')
      await transition(client, rc, 'deleted', 'ocp.tenant.deleted.v1', {}, { deleted: true });
    // Its custom domains go with it: free for another tenant to claim.
    await releaseDomainsOf(client, t.id, rc.traceparent);
    await client.query('UPDATE tenants SET purge_after = NULL WHERE id = $1', [t.id]);
    await finish(client, rc);
  });
}

export const runDelete: Runner = async (rc) => {
  const from = await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    if (t.state !== 'deleting' && t.state !== 'deleted') {
      await client.query('UPDATE tenants SET deleting_from = state WHERE id = $1', [t.id]);
      await transition(client, rc, 'deleting', 'ocp.tenant.deleting.v1', {});
    }
    await start(client, rc, 10, 'shutting the database');
    const { rows } = await client.query<{ deleting_from: string | null; final_backup_id: string | null }>(
      'SELECT deleting_from, final_backup_id FROM tenants WHERE id = $1',
      [t.id],
    );
    return rows[0]!;
  });
  const t = rc.tenant;
  const admin = await adminFor(rc);
  // Only a database carrying the tenant's mark is its own: one of its name that is not (the reason a
  // provisioning failed) is never shut, backed up or dropped.
  const hasDatabase = !!admin && (await admin.marksOf(t.database_name, '')).database === t.id;
  if (hasDatabase) await admin.lock(t.database_name);
  let finalBackupId = from.final_backup_id;
  if (rc.config.TENANT_DELETE_FINAL_BACKUP && hasDatabase && !finalBackupId) {
    await updateOperation(rc.pool, rc.op.id, { progress: 20, step: 'taking the final backup' });
    finalBackupId = await awaitFinalBackup(rc);
    await rc.pool.query('UPDATE tenants SET final_backup_id = $2 WHERE id = $1', [t.id, finalBackupId]);
  }
  const grace = rc.config.TENANT_DELETE_GRACE_SECONDS;
  if (grace > 0 && hasDatabase) {
    const purge = await withTransaction(rc.pool, async (client) => {
      const { rows } = await client.query<{ purge_after: Date }>(
        `UPDATE tenants SET purge_after = COALESCE(purge_after, now() + $2::bigint * interval '1 second'), updated_at = now()
         WHERE id = $1 RETURNING purge_after`,
        [t.id, grace],
      );
      const purgeAfter = rows[0]!.purge_after;
      const { op, command } = await queueOperation(
        client,
        { tenantId: t.id, kind: 'tenant.purge', actor: rc.op.actor ?? undefined },
        rc.traceparent,
      );
      await client.query('UPDATE operations SET run_after = $2 WHERE id = $1', [op.id, purgeAfter]);
      await setOperationResult(client, rc.op.id, {
        finalBackupId,
        purgeAfter: purgeAfter.toISOString(),
        purgeOperationId: op.id,
      });
      await finish(client, rc);
      return { op, command };
    });
    rc.dispatch(purge.command);
    rc.logger.info(
      { tenantId: t.id, purgeOperationId: toOperation(purge.op).id },
      'tenant deleted; its database and files are kept until the grace period ends',
    );
    return;
  }
  await updateOperation(rc.pool, rc.op.id, {
    progress: 60,
    step: 'dropping the database and removing its files',
  });
  if (finalBackupId) await setOperationResult(rc.pool, rc.op.id, { finalBackupId });
  await purgeNow(rc);
};

/** `tenant.purge`: the end of a deletion's grace period; nothing when the deletion was undone. */
export const runPurge: Runner = async (rc) => {
  const state = await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    if (t.state === 'deleting') await start(client, rc, 30, 'dropping the database and removing its files');
    else await finish(client, rc);
    return t.state;
  });
  if (state === 'deleting') await purgeNow(rc);
};
