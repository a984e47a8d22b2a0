import { PermanentError, RpcError, RpcUnavailableError, TransientError } from '@ocp/bus';
import type { RestoreTarget, Tenant } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import type { RunnerContext } from '@ocp/operations';
import {
  type BackupRow,
  getBackup,
  insertBackup,
  type OperationRow,
  toBackup,
  updateOperation,
} from '../db/catalog.ts';
import {
  BackupIntegrityError,
  BackupKeyError,
  DumpFailedError,
  ObjectMissingError,
  PgToolsMissingError,
  RestoreFailedError,
  restoreBackup,
  StoreError,
  writeBackup,
} from '../pipeline/index.ts';
import { type BackupContext, backupKey, serverOf } from './context.ts';
import { pruneTenant } from './retention.ts';
import {
  acceptsConnections,
  copyForDump,
  createEmptyDatabase,
  databaseSize,
  dropDatabase,
  dumpCopyName,
  removeDir,
  scratchName,
  siblingDir,
} from './server-sql.ts';

/** Failures a retry cannot cure: the operation fails at once, with what was wrong. */
export function isPermanentFailure(e: unknown): boolean {
  return (
    e instanceof PermanentError ||
    e instanceof BackupIntegrityError ||
    e instanceof BackupKeyError ||
    e instanceof ObjectMissingError ||
    e instanceof RestoreFailedError ||
    e instanceof DumpFailedError ||
    e instanceof PgToolsMissingError ||
    e instanceof StoreError ||
    (e instanceof RpcError && e.code !== 'DATABASE_UNAVAILABLE' && e.code !== 'SERVICE_UNAVAILABLE')
  );
}

/** A tenant-service call; its refusal is permanent, its silence passes. */
async function askTenant<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RpcUnavailableError)
      throw new TransientError(`the tenant service did not answer: ${e.message}`);
    throw e;
  }
}

/**
 * Reports bytes moved on the operation at most once a second (each report is an event), with a
 * progress estimated from `expected` bytes, kept below 95 % until the end.
 */
function progressReporter(
  ctx: BackupContext,
  op: OperationRow,
  step: string,
  expected: number | null,
  from = 5,
  to = 95,
) {
  let last = 0;
  let pending: Promise<unknown> = Promise.resolve();
  return (bytes: number) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    const share = expected ? Math.min(1, bytes / expected) : 0;
    const progress = Math.floor(from + (to - from) * share);
    pending = pending
      .then(() => updateOperation(ctx.pool, op.id, { step, bytesDone: bytes, progress }))
      .catch((err: unknown) => ctx.logger.debug({ err }, 'progress not recorded'));
  };
}

async function sourceOf(
  ctx: BackupContext,
  tenantId: string,
): Promise<{ tenant: Tenant; target: RestoreTarget }> {
  return await askTenant(() =>
    ctx.bus.request('tenant.backup.source.v1', { tenantId }, { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS }),
  );
}

/** The expected size of a tenant's next backup: its last one, else a third of its database. */
async function expectedBytes(
  ctx: BackupContext,
  tenantId: string,
  target: RestoreTarget,
): Promise<number | null> {
  const { rows } = await ctx.pool.query<{ stored_bytes: string }>(
    `SELECT stored_bytes FROM backups WHERE tenant_id = $1 AND state = 'succeeded'
     ORDER BY created_at DESC LIMIT 1`,
    [tenantId],
  );
  if (rows[0]) return Number(rows[0].stored_bytes);
  const size = await databaseSize(ctx.connection(serverOf(target), 'postgres'), target.databaseName);
  return size ? Math.ceil(size / 3) : null;
}

/**
 * Dumps the tenant's database and filestore into the store as backup `backup`, and enters it in the
 * catalog as succeeded in one transaction with its event, only after the object is complete. The
 * same backup taken again (a retry, a worker that died) writes the same key again.
 */
async function takeBackup(
  ctx: BackupContext,
  backup: BackupRow,
  target: RestoreTarget,
  signal: AbortSignal,
  onBytes: (n: number) => void,
  inTransaction?: (client: PoolClient, row: BackupRow) => Promise<void>,
): Promise<BackupRow> {
  const tools = await ctx.tools(serverOf(target));
  const key = backupKey(backup.tenant_id, backup.id, backup.created_at);
  await ctx.pool.query(
    `UPDATE backups SET state = 'running', error = NULL WHERE id = $1 AND state <> 'succeeded'`,
    [backup.id],
  );
  // A suspended tenant's database takes no connections, pg_dump's included: it is dumped from a
  // momentary copy, so it is never opened to anyone.
  const admin = ctx.connection(serverOf(target), 'postgres');
  const shut = !(await acceptsConnections(admin, target.databaseName));
  const dumped = shut ? dumpCopyName(backup.id) : target.databaseName;
  if (shut) await copyForDump(admin, target.databaseName, dumped, target.ownerRole);
  const written = await writeBackup({
    tools,
    source: ctx.connection(serverOf(target), dumped),
    databaseName: target.databaseName,
    filestoreDir: target.filestoreDir,
    ids: { tenantId: backup.tenant_id, backupId: backup.id },
    odooVersion: target.odooVersion
      ? { version: target.odooVersion, versionInfo: versionInfo(target.odooVersion) }
      : null,
    store: ctx.store,
    key,
    keyring: ctx.keyring,
    signal,
    onProgress: (p) => onBytes(p.storedBytes),
  }).finally(async () => {
    if (shut)
      await dropDatabase(admin, dumped).catch((err: unknown) =>
        ctx.logger.warn(
          { err, database: dumped },
          'the momentary copy of a suspended tenant could not be dropped',
        ),
      );
  });
  const { manifest, storedBytes } = written;
  return await withTransaction(ctx.pool, async (client) => {
    const { rows } = await client.query<BackupRow>(
      `UPDATE backups SET state = 'succeeded', object_key = $2, stored_bytes = $3, manifest = $4,
         database_server_id = $5, owner_role = $6, database_server_name = $7, error = NULL, finished_at = now()
       WHERE id = $1 RETURNING *`,
      [
        backup.id,
        key,
        storedBytes,
        JSON.stringify(manifest),
        target.databaseServerId,
        target.ownerRole,
        target.databaseServerName,
      ],
    );
    const row = rows[0]!;
    await enqueueEvent(client, 'ocp.backup.completed.v1', {
      subject: row.tenant_id,
      data: { backup: toBackup(row) },
    });
    if (inTransaction) await inTransaction(client, row);
    return row;
  });
}

/** Odoo's `version_info` for a series such as "18.0": [18, 0, 0, "final", 0, ""]. */
export function versionInfo(series: string): unknown[] {
  const [major, minor] = series.split('.').map((n) => Number.parseInt(n, 10));
  return [Number.isFinite(major) ? major : 0, Number.isFinite(minor) ? minor : 0, 0, 'final', 0, ''];
}

/** Marks a backup failed with its reason and announces it (no catalog entry claims it). */
export async function failBackup(client: PoolClient, backupId: string, error: string): Promise<void> {
  const { rows } = await client.query<BackupRow>(
    `UPDATE backups SET state = 'failed', error = $2, finished_at = now()
     WHERE id = $1 AND state IN ('queued', 'running') RETURNING *`,
    [backupId, error.slice(0, 2000)],
  );
  const row = rows[0];
  if (row)
    await enqueueEvent(client, 'ocp.backup.failed.v1', {
      subject: row.tenant_id,
      data: { backup: toBackup(row) },
    });
}

/** `backup.run`: one backup of the tenant, then the tenant's retention. */
export async function runBackup(ctx: BackupContext, op: OperationRow, run: RunnerContext): Promise<void> {
  try {
    await backUp(ctx, op, run);
  } catch (e) {
    // The operation's error says what failed in the words a restore's would (describe).
    if (isPermanentFailure(e) && !(e instanceof PermanentError))
      throw new PermanentError(describe(e), { cause: e });
    throw e;
  }
}

async function backUp(ctx: BackupContext, op: OperationRow, run: RunnerContext): Promise<void> {
  const backup = op.backup_id ? await getBackup(ctx.pool, op.backup_id) : undefined;
  if (!backup) throw new PermanentError(`operation ${op.id} has no backup row`);
  await updateOperation(ctx.pool, op.id, { state: 'running', step: 'source', progress: 1 });
  const { target } = await sourceOf(ctx, op.tenant_id);
  const report = progressReporter(ctx, op, 'streaming', await expectedBytes(ctx, op.tenant_id, target));
  const row = await takeBackup(ctx, backup, target, run.signal, report, async (client, done) => {
    await updateOperation(client, op.id, {
      state: 'succeeded',
      step: 'done',
      progress: 100,
      error: null,
      bytesDone: Number(done.stored_bytes),
      result: { backupId: done.id, storedBytes: Number(done.stored_bytes) },
    });
  });
  await pruneTenant(ctx, row.tenant_id).catch((err: unknown) =>
    ctx.logger.warn(
      { err, tenantId: row.tenant_id },
      'retention could not prune this tenant now; it will next time',
    ),
  );
}

/**
 * `backup.restore`: hands the tenant (or a new one) to this service (`restoring`), takes a
 * pre-restore backup of a tenant restored in place, restores the backup into a new database and
 * directory, checking every part's size and SHA-256 and every table's rows against the manifest,
 * and only then asks the tenant service to switch them in. Any failure ends the restore as failed:
 * the tenant keeps the database it had.
 */
export async function runRestore(ctx: BackupContext, op: OperationRow, run: RunnerContext): Promise<void> {
  const backup = op.backup_id ? await getBackup(ctx.pool, op.backup_id) : undefined;
  if (backup?.state !== 'succeeded' || !backup.object_key)
    throw new PermanentError(`backup ${op.backup_id} is not a succeeded backup; nothing to restore`);
  await updateOperation(ctx.pool, op.id, { state: 'running', step: 'hold', progress: 1 });
  const begin = await askTenant(() =>
    ctx.bus.request(
      'tenant.restore.begin.v1',
      {
        restoreId: op.id,
        ...(op.params.newTenant
          ? { newTenant: { ...op.params.newTenant, sourceTenantId: backup.tenant_id } }
          : { tenantId: op.tenant_id }),
        ...(op.actor ? { actor: op.actor } : {}),
      },
      { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS },
    ),
  );
  const target = begin.target;
  const tenantId = begin.tenant.id;
  if (op.params.targetTenantId !== tenantId)
    await updateOperation(ctx.pool, op.id, { params: { targetTenantId: tenantId } });
  try {
    if (!op.params.newTenant && !op.params.preRestoreBackupId) {
      // What the tenant has now is kept first: a restore of the wrong backup can be undone.
      const pre = await insertBackup(ctx.pool, { tenantId, kind: 'pre-restore', operationId: op.id });
      await updateOperation(ctx.pool, op.id, {
        step: 'pre-restore backup',
        progress: 5,
        params: { preRestoreBackupId: pre.id },
      });
      await takeBackup(
        ctx,
        pre,
        target,
        run.signal,
        progressReporter(ctx, op, 'pre-restore backup', Number(backup.stored_bytes), 5, 45),
      );
    }
    const end = await restoreAndSwitch(ctx, op, run, backup, target, tenantId);
    await updateOperation(ctx.pool, op.id, {
      state: 'succeeded',
      step: 'done',
      progress: 100,
      error: null,
      result: {
        backupId: backup.id,
        tenantId: end.tenant.id,
        ...(op.params.preRestoreBackupId ? { preRestoreBackupId: op.params.preRestoreBackupId } : {}),
      },
    });
  } catch (e) {
    if (isPermanentFailure(e)) {
      await endRestoreFailed(ctx, op.id, tenantId, describe(e));
      throw new PermanentError(describe(e), { cause: e });
    }
    throw e;
  }
}

/**
 * Restores `backup` into the database and directory the tenant service named in `target` (made
 * empty first), checking every part and table against the manifest, then asks the tenant service
 * to switch them in. Answers its reply.
 */
async function restoreAndSwitch(
  ctx: BackupContext,
  op: OperationRow,
  run: RunnerContext,
  backup: BackupRow,
  target: RestoreTarget,
  tenantId: string,
) {
  const restoreDb = target.restoreDatabaseName!;
  const restoreDir = target.filestoreDir ? siblingDir(target.filestoreDir, restoreDb) : null;
  run.signal.throwIfAborted();
  await updateOperation(ctx.pool, op.id, { step: 'restoring', progress: 50 });
  await createEmptyDatabase(ctx.connection(serverOf(target), 'postgres'), restoreDb, target.ownerRole);
  await removeDir(restoreDir);
  await restoreBackup({
    store: ctx.store,
    key: backup.object_key!,
    keyring: ctx.keyring,
    expect: { tenantId: backup.tenant_id, backupId: backup.id },
    signal: run.signal,
    onProgress: progressReporter(ctx, op, 'restoring', Number(backup.stored_bytes), 50, 95),
    tools: await ctx.tools(serverOf(target)),
    target: ctx.connection(serverOf(target), restoreDb),
    ownerRole: target.ownerRole,
    filestoreDir: restoreDir,
  });
  await updateOperation(ctx.pool, op.id, { step: 'switching', progress: 96 });
  return await askTenant(() =>
    ctx.bus.request(
      'tenant.restore.end.v1',
      { restoreId: op.id, tenantId, outcome: 'restored', backupId: backup.id },
      { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS },
    ),
  );
}

/**
 * `backup.move`: moves a tenant to another database server. The tenant service hands it over in
 * state `migrating`, shut (what is written after the backup would be lost), and names the database
 * on the other server; a backup of the tenant as it is (kind `move`, kept as a restore point) is
 * taken and restored there, and the tenant service switches the tenant to its new server (and
 * runtime), dropping the old database afterwards. Any failure ends the move: the tenant stays where
 * it was, opened again.
 */
export async function runMove(ctx: BackupContext, op: OperationRow, run: RunnerContext): Promise<void> {
  await updateOperation(ctx.pool, op.id, { state: 'running', step: 'hold', progress: 1 });
  const begin = await askTenant(() =>
    ctx.bus.request(
      'tenant.restore.begin.v1',
      {
        restoreId: op.id,
        tenantId: op.tenant_id,
        move: op.params.move ?? {},
        ...(op.actor ? { actor: op.actor } : {}),
      },
      { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS },
    ),
  );
  try {
    let carrier = op.params.moveBackupId ? await getBackup(ctx.pool, op.params.moveBackupId) : undefined;
    if (carrier?.state !== 'succeeded') {
      const { target: source } = await sourceOf(ctx, op.tenant_id);
      const row =
        carrier ??
        (await insertBackup(ctx.pool, { tenantId: op.tenant_id, kind: 'move', operationId: op.id }));
      await updateOperation(ctx.pool, op.id, {
        step: 'backup',
        progress: 5,
        params: { moveBackupId: row.id },
      });
      carrier = await takeBackup(
        ctx,
        row,
        source,
        run.signal,
        progressReporter(ctx, op, 'backup', await expectedBytes(ctx, op.tenant_id, source), 5, 45),
      );
    }
    const end = await restoreAndSwitch(ctx, op, run, carrier, begin.target, op.tenant_id);
    await updateOperation(ctx.pool, op.id, {
      state: 'succeeded',
      step: 'done',
      progress: 100,
      error: null,
      result: {
        backupId: carrier.id,
        databaseServerId: end.tenant.databaseServerId,
        runtimeId: end.tenant.runtimeId ?? null,
      },
    });
  } catch (e) {
    if (isPermanentFailure(e)) {
      await endRestoreFailed(ctx, op.id, op.tenant_id, describe(e));
      throw new PermanentError(describe(e), { cause: e });
    }
    throw e;
  }
}

/** Ends a restore as failed at the tenant service (which drops what the restore made); best effort. */
export async function endRestoreFailed(
  ctx: BackupContext,
  restoreId: string,
  tenantId: string,
  error: string,
): Promise<void> {
  await ctx.bus
    .request(
      'tenant.restore.end.v1',
      { restoreId, tenantId, outcome: 'failed', error: error.slice(0, 2000) },
      { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS },
    )
    .catch((err: unknown) =>
      ctx.logger.error(
        { err, tenantId, restoreId },
        'the failed restore could not be ended at the tenant service; it stays restoring',
      ),
    );
}

/** What went wrong, for an operator: the error's own message, named. */
export function describe(e: unknown): string {
  if (e instanceof BackupKeyError) return `the backup could not be decrypted: ${e.message}`;
  if (e instanceof BackupIntegrityError) return `the backup is damaged: ${e.message}`;
  if (e instanceof ObjectMissingError) return `the backup's object is missing from the store: ${e.message}`;
  if (e instanceof StoreError) return `the object store failed: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * `backup.drill`: restores the backup into a scratch database on its server (files read and
 * counted, not kept), compares every table's rows and the files with the manifest, records the
 * result on the backup, and drops the scratch database whatever happened.
 */
export async function runDrill(ctx: BackupContext, op: OperationRow, run: RunnerContext): Promise<void> {
  const backup = op.backup_id ? await getBackup(ctx.pool, op.backup_id) : undefined;
  if (backup?.state !== 'succeeded' || !backup.object_key || !backup.owner_role)
    throw new PermanentError(`backup ${op.backup_id} is not a succeeded backup; nothing to drill`);
  await updateOperation(ctx.pool, op.id, { state: 'running', step: 'restoring', progress: 5 });
  const scratch = scratchName(op.id);
  const admin = ctx.connection(backup.database_server_name ?? backup.database_server_id, 'postgres');
  let outcome: { state: 'passed' | 'failed'; detail: string };
  try {
    await createEmptyDatabase(admin, scratch, backup.owner_role);
    const manifest = await restoreBackup({
      store: ctx.store,
      key: backup.object_key,
      keyring: ctx.keyring,
      expect: { tenantId: backup.tenant_id, backupId: backup.id },
      signal: run.signal,
      onProgress: progressReporter(ctx, op, 'restoring', Number(backup.stored_bytes)),
      tools: await ctx.tools(backup.database_server_name ?? backup.database_server_id),
      target: ctx.connection(backup.database_server_name ?? backup.database_server_id, scratch),
      ownerRole: backup.owner_role,
      filestoreDir: null,
    });
    const tables = Object.keys(manifest.database.tables).length;
    const rows = Object.values(manifest.database.tables).reduce((a, b) => a + b, 0);
    outcome = {
      state: 'passed',
      detail: `restored into a scratch database: ${tables} tables and ${rows} rows as in the manifest, ${manifest.filestore.files} files with their checksum`,
    };
  } catch (e) {
    if (!isPermanentFailure(e)) throw e;
    outcome = { state: 'failed', detail: describe(e) };
  } finally {
    await dropDatabase(admin, scratch).catch((err: unknown) =>
      ctx.logger.warn({ err, database: scratch }, 'the drill scratch database could not be dropped'),
    );
  }
  await withTransaction(ctx.pool, async (client) => {
    const { rows } = await client.query<BackupRow>(
      `UPDATE backups SET drill_state = $2, drill_at = now(), drill_detail = $3 WHERE id = $1 RETURNING *`,
      [backup.id, outcome.state, outcome.detail.slice(0, 2000)],
    );
    if (rows[0])
      await enqueueEvent(client, 'ocp.backup.drilled.v1', {
        subject: backup.tenant_id,
        data: { backup: toBackup(rows[0]) },
      });
    await updateOperation(client, op.id, {
      state: outcome.state === 'passed' ? 'succeeded' : 'failed',
      step: 'done',
      progress: 100,
      error: outcome.state === 'passed' ? null : outcome.detail,
      result: { backupId: backup.id, drill: outcome.state, detail: outcome.detail },
    });
  });
}

/**
 * `backup.import` is run by the upload that carries the zip; a worker only finds one whose upload
 * was cut off (the process that took it died), and fails it: the zip is gone with the request.
 */
export async function runAbandonedImport(ctx: BackupContext, op: OperationRow): Promise<void> {
  const tenantId = op.params.targetTenantId;
  if (tenantId)
    await endRestoreFailed(ctx, op.id, tenantId, 'the upload was interrupted; upload the zip again');
  throw new PermanentError('the upload was interrupted before the import finished; upload the zip again');
}
