import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RpcError, type RpcHandler, RpcUnavailableError } from '@ocp/bus';
import { withTransaction } from '@ocp/db';
import { listOperationPage } from '@ocp/operations';
import {
  type BackupRow,
  getBackup,
  getOperation,
  insertBackup,
  type OperationRow,
  openOperation,
  queueOperation,
  toBackup,
  toOperation,
} from '../db/catalog.ts';
import type { BackupContext } from './context.ts';

/** A keyset position: the time and id of the last backup of a page. */
const encodeCursor = (t: Date, id: string) =>
  Buffer.from(JSON.stringify({ t: t.toISOString(), id })).toString('base64url');

function decodeCursor(s: string): { t: string; id: string } {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { t: string; id: string };
    if (typeof c.t === 'string' && typeof c.id === 'string' && !Number.isNaN(Date.parse(c.t))) return c;
  } catch {}
  throw new RpcError(
    'VALIDATION_FAILED',
    'cursor is not one this API gave out; pass nextCursor from the previous page',
    '/cursor',
  );
}

async function succeededBackup(ctx: BackupContext, backupId: string): Promise<BackupRow> {
  const b = await getBackup(ctx.pool, backupId);
  if (!b) throw new RpcError('BACKUP_NOT_FOUND', `no backup ${backupId}`, '/backupId');
  if (b.state !== 'succeeded' || !b.object_key)
    throw new RpcError(
      'BACKUP_UNUSABLE',
      `backup ${backupId} is ${b.state}${b.error ? ` (${b.error})` : ''}; only a succeeded backup can be used`,
    );
  return b;
}

/**
 * The tenant as the tenant service knows it (`tenant.backup.source`): its refusal is the answer
 * (TENANT_NOT_FOUND naming the field, INVALID_STATE), its silence SERVICE_UNAVAILABLE.
 */
export async function askTenantSource(ctx: BackupContext, tenantId: string) {
  try {
    return await ctx.bus.request(
      'tenant.backup.source.v1',
      { tenantId },
      { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS },
    );
  } catch (e) {
    if (e instanceof RpcError && e.code === 'TENANT_NOT_FOUND')
      throw new RpcError('TENANT_NOT_FOUND', e.message, '/tenantId');
    if (e instanceof RpcUnavailableError)
      throw new RpcError('SERVICE_UNAVAILABLE', 'the tenant service did not answer; try again');
    throw e;
  }
}

/**
 * `rpc.backup.create.v1`: queues a backup of the tenant now. A backup of the tenant already queued or
 * running is answered instead of a second one.
 */
export function createBackupHandler(ctx: BackupContext): RpcHandler<'backup.create.v1'> {
  return async (req, { traceparent }) => {
    await askTenantSource(ctx, req.tenantId);
    const result = await withTransaction(ctx.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`backup:${req.tenantId}`]);
      const open = await openOperation(client, req.tenantId, ['backup.run']);
      if (open?.backup_id) {
        const b = await getBackup(client, open.backup_id);
        if (b) return { reply: { backup: toBackup(b), operation: toOperation(open) }, command: undefined };
      }
      const opId = randomUUID();
      const backup = await insertBackup(client, {
        tenantId: req.tenantId,
        kind: 'manual',
        operationId: opId,
      });
      const { op, command } = await queueOperation(
        client,
        { id: opId, kind: 'backup.run', tenantId: req.tenantId, backupId: backup.id, actor: req.actor },
        traceparent,
      );
      return { reply: { backup: toBackup(backup), operation: toOperation(op) }, command };
    });
    if (result.command) ctx.dispatch(result.command);
    return result.reply;
  };
}

/** `rpc.backup.list.v1`: a page of the tenant's backups, newest first. */
export function listBackupsHandler(ctx: BackupContext): RpcHandler<'backup.list.v1'> {
  return async (req) => {
    const after = req.cursor ? decodeCursor(req.cursor) : undefined;
    const { rows } = await ctx.pool.query<BackupRow>(
      `SELECT * FROM backups WHERE tenant_id = $1
         AND ($2::text IS NULL OR state = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [req.tenantId, req.state ?? null, after?.t ?? null, after?.id ?? null, req.limit + 1],
    );
    const page = rows.slice(0, req.limit);
    const last = page.at(-1);
    return {
      items: page.map(toBackup),
      nextCursor: rows.length > req.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  };
}

export function getBackupHandler(ctx: BackupContext): RpcHandler<'backup.get.v1'> {
  return async (req) => {
    const b = await getBackup(ctx.pool, req.backupId);
    if (!b) throw new RpcError('BACKUP_NOT_FOUND', `no backup ${req.backupId}`, '/backupId');
    return { backup: toBackup(b) };
  };
}

export function getOperationHandler(ctx: BackupContext): RpcHandler<'backup.operation.get.v1'> {
  return async (req) => {
    const op = await getOperation(ctx.pool, req.operationId);
    if (!op) throw new RpcError('OPERATION_NOT_FOUND', `no operation ${req.operationId}`, '/operationId');
    return { operation: toOperation(op) };
  };
}

/** `rpc.backup.operation.list.v1`: a page of this service's operations, newest first, from a position. */
export function listOperationsHandler(ctx: BackupContext): RpcHandler<'backup.operation.list.v1'> {
  return async (req) => {
    const { rows, more } = await listOperationPage<OperationRow>(ctx.pool, 'operations', req);
    return { items: rows.map(toOperation), more };
  };
}

async function queue(
  ctx: BackupContext,
  o: Parameters<typeof queueOperation>[1],
  traceparent: string | undefined,
): Promise<OperationRow> {
  const { op, command } = await withTransaction(ctx.pool, (client) => queueOperation(client, o, traceparent));
  ctx.dispatch(command);
  return op;
}

/**
 * `rpc.backup.restore.v1`: queues restoring a succeeded backup into its own tenant, or into a new
 * tenant (a staging copy on the same runtime). A backup never restores into another tenant.
 */
export function restoreBackupHandler(ctx: BackupContext): RpcHandler<'backup.restore.v1'> {
  return async (req, { traceparent }) => {
    if (!req.tenantId === !req.newTenant)
      throw new RpcError('VALIDATION_FAILED', 'give either tenantId (its own tenant) or newTenant, not both');
    const b = await succeededBackup(ctx, req.backupId);
    if (req.tenantId && req.tenantId !== b.tenant_id)
      throw new RpcError(
        'BACKUP_UNUSABLE',
        `backup ${b.id} is of tenant ${b.tenant_id}: a backup restores only into its own tenant, or into a new tenant`,
        '/tenantId',
      );
    const op = await queue(
      ctx,
      {
        kind: 'backup.restore',
        tenantId: b.tenant_id,
        backupId: b.id,
        params: req.newTenant ? { newTenant: req.newTenant } : { targetTenantId: b.tenant_id },
        actor: req.actor,
      },
      traceparent,
    );
    return { operation: toOperation(op) };
  };
}

/** `rpc.backup.drill.v1`: queues a drill of a succeeded backup. */
export function drillBackupHandler(ctx: BackupContext): RpcHandler<'backup.drill.v1'> {
  return async (req, { traceparent }) => {
    const b = await succeededBackup(ctx, req.backupId);
    const op = await queue(
      ctx,
      { kind: 'backup.drill', tenantId: b.tenant_id, backupId: b.id, actor: req.actor },
      traceparent,
    );
    return { operation: toOperation(op) };
  };
}

export const ticketHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * `rpc.backup.transfer.v1`: a single-use ticket, valid for TRANSFER_TICKET_TTL_MS, for the streaming
 * endpoint: the download of a succeeded backup as an Odoo zip, or the upload of an Odoo zip to
 * import as a new tenant. Only the ticket's hash is kept.
 */
export function transferHandler(ctx: BackupContext): RpcHandler<'backup.transfer.v1'> {
  return async (req) => {
    let backupId: string | null = null;
    let fileName: string | null = null;
    if (req.direction === 'download') {
      if (!req.backupId)
        throw new RpcError('VALIDATION_FAILED', 'a download names its backupId', '/backupId');
      const b = await succeededBackup(ctx, req.backupId);
      backupId = b.id;
      const { rows } = await ctx.pool.query<{ slug: string }>(
        'SELECT slug FROM known_tenants WHERE tenant_id = $1',
        [b.tenant_id],
      );
      const stamp = b.created_at.toISOString().slice(0, 19).replaceAll(':', '-');
      fileName = `${rows[0]?.slug ?? b.tenant_id}_${stamp}.zip`;
    } else if (!req.newTenant) {
      throw new RpcError(
        'VALIDATION_FAILED',
        'an import names the new tenant (newTenant.slug)',
        '/newTenant',
      );
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(ctx.now().getTime() + ctx.config.TRANSFER_TICKET_TTL_MS);
    await ctx.pool.query(
      `INSERT INTO transfer_tickets (token_hash, direction, backup_id, params, actor, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        ticketHash(token),
        req.direction,
        backupId,
        JSON.stringify({ newTenant: req.newTenant ?? null }),
        req.actor ?? null,
        expiresAt,
      ],
    );
    await ctx.pool.query("DELETE FROM transfer_tickets WHERE expires_at < now() - interval '1 hour'");
    return { path: `/transfers/${token}`, expiresAt: expiresAt.toISOString(), fileName };
  };
}

/** The id of the final backup asked for by `requestId`: the same request always names the same backup. */
export function finalBackupId(requestId: string): string {
  const h = createHash('sha256').update(`final:${requestId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * `rpc.backup.final.v1`: the final backup of a tenant being deleted, queued at the first request
 * (kind `final`: retention never prunes it; it is kept BACKUP_FINAL_KEEP_DAYS after the tenant is
 * gone) and answered as it is now at each; a failed one is taken again when asked again.
 */
export function finalBackupHandler(ctx: BackupContext): RpcHandler<'backup.final.v1'> {
  return async (req, { traceparent }) => {
    const id = finalBackupId(req.requestId);
    const result = await withTransaction(ctx.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`final:${id}`]);
      const found = await getBackup(client, id);
      if (found && found.state !== 'failed') return { backup: found, command: undefined };
      if (found) await client.query('DELETE FROM backups WHERE id = $1', [id]);
      const opId = randomUUID();
      const backup = await insertBackup(client, {
        id,
        tenantId: req.tenantId,
        kind: 'final',
        operationId: opId,
      });
      const { command } = await queueOperation(
        client,
        { id: opId, kind: 'backup.run', tenantId: req.tenantId, backupId: id, actor: 'tenant deletion' },
        traceparent,
      );
      return { backup, command };
    });
    if (result.command) ctx.dispatch(result.command);
    return { backup: toBackup(result.backup) };
  };
}

/**
 * `rpc.backup.move.v1`: queues moving a tenant to another database server (a runtime there, or the
 * server); the tenant service checks where it may go when the move begins.
 */
export function moveTenantHandler(ctx: BackupContext): RpcHandler<'backup.move.v1'> {
  return async (req, { traceparent }) => {
    if (!req.runtimeId === !req.databaseServerId)
      throw new RpcError('VALIDATION_FAILED', 'a move names either runtimeId or databaseServerId');
    await askTenantSource(ctx, req.tenantId);
    const op = await queue(
      ctx,
      {
        kind: 'backup.move',
        tenantId: req.tenantId,
        params: {
          move: {
            ...(req.runtimeId ? { runtimeId: req.runtimeId } : {}),
            ...(req.databaseServerId ? { databaseServerId: req.databaseServerId } : {}),
          },
        },
        actor: req.actor,
      },
      traceparent,
    );
    return { operation: toOperation(op) };
  };
}
