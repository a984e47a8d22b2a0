import { randomUUID } from 'node:crypto';
import type { Backup, CloudEvent, Operation } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, type Queryable } from '@ocp/db';
import type { BackupManifest } from '../pipeline/index.ts';

export type BackupKind = Backup['kind'];
export type BackupOperationKind = Extract<Operation['kind'], `backup.${string}`>;

export interface BackupRow {
  id: string;
  tenant_id: string;
  kind: BackupKind;
  state: Backup['state'];
  object_key: string | null;
  stored_bytes: string | null;
  manifest: BackupManifest | null;
  database_server_id: string | null;
  /** The server's name: its key in BACKUP_DB_SERVERS. */
  database_server_name: string | null;
  owner_role: string | null;
  generation: Backup['generation'] | 'newest' | 'proven';
  drill_state: Backup['drill']['state'];
  drill_at: Date | null;
  drill_detail: string | null;
  error: string | null;
  operation_id: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface OperationParams {
  /** backup.run: why it is taken. */
  backupKind?: BackupKind;
  /** backup.restore: into its own tenant, or a new one (slug, display name). */
  newTenant?: { slug: string; displayName?: string | undefined };
  /** The tenant a restore goes into (the new tenant's id once registered). */
  targetTenantId?: string;
  /** backup.restore: the backup taken of the tenant before it was replaced. */
  preRestoreBackupId?: string;
  /** backup.move: where the tenant goes, and the backup that carries it. */
  move?: { runtimeId?: string | undefined; databaseServerId?: string | undefined };
  moveBackupId?: string;
}

export interface OperationRow {
  id: string;
  kind: BackupOperationKind;
  tenant_id: string;
  backup_id: string | null;
  state: Operation['state'];
  progress: number;
  step: string | null;
  bytes_done: string | null;
  error: string | null;
  attempts: number;
  params: OperationParams;
  result: Record<string, unknown> | null;
  actor: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  leased_by: string | null;
  lease_expires_at: Date | null;
  run_after: Date;
  traceparent: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const num = (s: string | number | null | undefined) => (s === null || s === undefined ? null : Number(s));

/** Generations as the API names them: the newest and the proven one are kept as daily ones. */
const generationOf = (g: BackupRow['generation']): Backup['generation'] =>
  g === 'newest' || g === 'proven' ? 'daily' : (g ?? null);

export function toBackup(r: BackupRow): Backup {
  const m = r.manifest;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    kind: r.kind,
    state: r.state,
    createdAt: r.created_at.toISOString(),
    finishedAt: iso(r.finished_at),
    storedBytes: num(r.stored_bytes),
    database: {
      bytes: m?.database.bytes ?? null,
      sha256: m?.database.sha256 ?? null,
      tables: m ? Object.keys(m.database.tables).length : null,
    },
    filestore: {
      bytes: m?.filestore.bytes ?? null,
      sha256: m?.filestore.sha256 ?? null,
      files: m?.filestore.files ?? null,
    },
    odooVersion: m?.odoo.version ?? null,
    postgresVersion: m?.postgres.serverVersion ?? null,
    modules: m ? Object.keys(m.odoo.modules).length : null,
    generation: r.state === 'succeeded' ? generationOf(r.generation) : null,
    drill: { state: r.drill_state, at: iso(r.drill_at), detail: r.drill_detail },
    error: r.error,
    operationId: r.operation_id,
  };
}

export function toOperation(r: OperationRow): Operation {
  return {
    id: r.id,
    kind: r.kind,
    tenantId: r.tenant_id,
    state: r.state,
    progress: r.progress,
    step: r.step,
    error: r.error,
    attempts: r.attempts,
    result: r.result,
    bytesDone: num(r.bytes_done),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

export async function getBackup(db: Queryable, id: string): Promise<BackupRow | undefined> {
  const { rows } = await db.query<BackupRow>('SELECT * FROM backups WHERE id = $1', [id]);
  return rows[0];
}

export async function getOperation(db: Queryable, id: string): Promise<OperationRow | undefined> {
  const { rows } = await db.query<OperationRow>('SELECT * FROM operations WHERE id = $1', [id]);
  return rows[0];
}

/** The open (queued or running) operation of a kind for a tenant, oldest first. */
export async function openOperation(
  db: Queryable,
  tenantId: string,
  kinds: readonly BackupOperationKind[],
): Promise<OperationRow | undefined> {
  const { rows } = await db.query<OperationRow>(
    `SELECT * FROM operations WHERE tenant_id = $1 AND kind = ANY($2::text[]) AND state IN ('queued', 'running')
     ORDER BY created_at LIMIT 1`,
    [tenantId, kinds],
  );
  return rows[0];
}

/** Registers a backup as queued (it claims nothing until it succeeds). */
export async function insertBackup(
  client: Queryable,
  b: { id?: string; tenantId: string; kind: BackupKind; operationId: string | null },
): Promise<BackupRow> {
  const { rows } = await client.query<BackupRow>(
    `INSERT INTO backups (id, tenant_id, kind, operation_id) VALUES ($1, $2, $3, $4) RETURNING *`,
    [b.id ?? randomUUID(), b.tenantId, b.kind, b.operationId],
  );
  return rows[0]!;
}

/**
 * Creates a queued operation and, in the same transaction, the work command that wakes a worker
 * and the event that announces it.
 */
export async function queueOperation(
  client: PoolClient,
  o: {
    id?: string;
    kind: BackupOperationKind;
    tenantId: string;
    backupId?: string | null;
    params?: OperationParams;
    actor?: string | undefined;
  },
  traceparent?: string,
): Promise<{ op: OperationRow; command: CloudEvent }> {
  const id = o.id ?? randomUUID();
  const { rows } = await client.query<OperationRow>(
    `INSERT INTO operations (id, kind, tenant_id, backup_id, params, actor, traceparent)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [
      id,
      o.kind,
      o.tenantId,
      o.backupId ?? null,
      JSON.stringify(o.params ?? {}),
      o.actor ?? null,
      traceparent ?? null,
    ],
  );
  const op = rows[0]!;
  const command = await enqueueEvent(client, 'ocp.backup.operation.run.v1', {
    subject: o.tenantId,
    data: { operationId: id, tenantId: o.tenantId, kind: o.kind },
    traceparent,
  });
  await enqueueEvent(client, 'ocp.backup.operation_updated.v1', {
    subject: o.tenantId,
    data: { operation: toOperation(op) },
    traceparent,
  });
  return { op, command };
}

/** Updates an operation and announces the change. */
export async function updateOperation(
  client: Queryable,
  id: string,
  patch: Partial<Pick<OperationRow, 'state' | 'progress' | 'step' | 'error' | 'result'>> & {
    bytesDone?: number;
    backupId?: string;
    params?: OperationParams;
  },
): Promise<OperationRow> {
  const { rows } = await client.query<OperationRow>(
    `UPDATE operations SET
       state = COALESCE($2, state),
       progress = GREATEST(progress, COALESCE($3, progress)),
       step = COALESCE($4, step),
       error = CASE WHEN $5::boolean THEN $6 ELSE error END,
       bytes_done = COALESCE($7, bytes_done),
       result = COALESCE($8, result),
       backup_id = COALESCE($9, backup_id),
       params = params || COALESCE($10, '{}')::jsonb,
       started_at = CASE WHEN $2 = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() ELSE finished_at END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      patch.state ?? null,
      patch.progress ?? null,
      patch.step ?? null,
      'error' in patch,
      patch.error ?? null,
      patch.bytesDone ?? null,
      patch.result ? JSON.stringify(patch.result) : null,
      patch.backupId ?? null,
      patch.params ? JSON.stringify(patch.params) : null,
    ],
  );
  const op = rows[0]!;
  await enqueueEvent(client, 'ocp.backup.operation_updated.v1', {
    subject: op.tenant_id,
    data: { operation: toOperation(op) },
    traceparent: op.traceparent ?? undefined,
  });
  return op;
}
