import { rename, rm, stat } from 'node:fs/promises';
import { RpcError, type RpcHandler } from '@ocp/bus';
import type { RestoreTarget } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, type Queryable, quoteIdent, withTransaction } from '@ocp/db';
import { type TenantRow, toTenant } from '../db/rows.ts';
import { getTenant, lockTenant, openCopyOf, openOperationOfTenant, setTenantState } from '../db/store.ts';
import { stagingName } from '../dbserver/admin.ts';
import {
  allowConnections,
  databaseFacts,
  type ServerSql,
  switchInRestored,
  withServerSql,
} from '../dbserver/snapshot.ts';
import { databaseNameFor } from '../domain/lifecycle.ts';
import { filestoreDir } from '../odoo/filestore.ts';
import { baseUrlFor } from '../odoo/personalise.ts';
import { placeTenant } from '../runtime/placement.ts';
import { getRuntime } from '../runtime/registry.ts';
import { applyHeldBillingDecisions } from './billing-decisions.ts';
import type { HandlerContext } from './context.ts';

/**
 * The tenant service's side of backups and restores. The backup service dumps a tenant's database
 * and filestore where `tenant.backup.source` says they are. For a restore, `tenant.restore.begin`
 * hands it the tenant in state `restoring` (no other operation can start then) with the name of a
 * database and filestore directory to restore into; `tenant.restore.end` switches those in under
 * the tenant's names (the replaced ones are kept until the switch has happened, then dropped), or
 * drops them after a failure, and gives the tenant its state back. The tenant databases stay the
 * tenant service's: the backup service never renames, marks or drops one.
 */

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );

/** Names of a restore's database and of the database it replaces, kept apart by the restore id. */
export const restoredName = (database: string, restoreId: string) =>
  stagingName(database, `restore:${restoreId}`);
export const replacedName = (database: string, restoreId: string) =>
  stagingName(database, `replaced:${restoreId}`);

/** Where a tenant's database is (`current`), or goes when it is being moved (`move`). */
interface Place {
  serverId: string | null;
  runtimeId: string | null;
  owner: string;
}

function placeOf(ctx: HandlerContext, t: TenantRow, which: 'current' | 'move'): Place {
  if (which === 'move' && t.move_target) return t.move_target;
  return {
    serverId: t.database_server_id,
    runtimeId: t.runtime_id,
    owner: t.db_owner ?? ctx.config.TENANT_DEFAULT_RUNTIME_ROLE,
  };
}

async function filestoreRootOf(
  ctx: HandlerContext,
  db: Queryable,
  place: Place,
): Promise<string | undefined> {
  if (!place.runtimeId) return ctx.config.TENANT_FILESTORE_DIR;
  return (await getRuntime(db, place.runtimeId))?.filestore_path;
}

async function targetOf(
  ctx: HandlerContext,
  db: Queryable,
  t: TenantRow,
  restoreId?: string,
  which: 'current' | 'move' = 'move',
): Promise<RestoreTarget> {
  const place = placeOf(ctx, t, which);
  const runtime = place.runtimeId ? await getRuntime(db, place.runtimeId) : undefined;
  const root = place.runtimeId ? runtime?.filestore_path : ctx.config.TENANT_FILESTORE_DIR;
  const { rows } = await db.query<{ name: string }>('SELECT name FROM database_servers WHERE id = $1', [
    place.serverId,
  ]);
  return {
    databaseName: t.database_name,
    databaseServerId: place.serverId,
    databaseServerName: rows[0]?.name ?? null,
    ownerRole: place.owner,
    filestoreDir: root ? filestoreDir(root, t.database_name) : null,
    odooVersion: runtime?.odoo_version ?? null,
    previousState: t.restore_previous_state as RestoreTarget['previousState'],
    restoreDatabaseName: restoreId ? restoredName(t.database_name, restoreId) : null,
  };
}

async function lockLive(client: PoolClient, tenantId: string): Promise<TenantRow> {
  const row = await lockTenant(client, tenantId);
  if (!row || row.state === 'deleted') throw new RpcError('TENANT_NOT_FOUND', `no tenant ${tenantId}`);
  return row;
}

function refuseLegacy(t: TenantRow): void {
  if (!t.database_server_id || !t.db_owner)
    throw new RpcError(
      'INVALID_STATE',
      `tenant "${t.slug}" has a database of its own login role (made before databases were owned by a runtime's role); back it up with pg_dump by hand`,
    );
}

/** `rpc.tenant.backup.source.v1`: where a tenant's database and filestore are. */
export function backupSourceHandler(ctx: HandlerContext): RpcHandler<'tenant.backup.source.v1'> {
  return async (req) => {
    const t = await getTenant(ctx.pool, req.tenantId);
    if (!t || t.state === 'deleted') throw new RpcError('TENANT_NOT_FOUND', `no tenant ${req.tenantId}`);
    if (!['active', 'suspended', 'restoring', 'migrating', 'deleting'].includes(t.state))
      throw new RpcError(
        'INVALID_STATE',
        `tenant "${t.slug}" is ${t.state}: it has no database to back up yet`,
      );
    refuseLegacy(t);
    return { tenant: toTenant(t), target: await targetOf(ctx, ctx.pool, t, undefined, 'current') };
  };
}

/**
 * Where a move takes a tenant: a ready runtime of its Odoo version on another server (a tenant a
 * runtime serves), or another accepting server (a tenant on no runtime). Refusals say why.
 */
async function moveTargetOf(
  ctx: HandlerContext,
  db: Queryable,
  t: TenantRow,
  m: { runtimeId?: string | undefined; databaseServerId?: string | undefined },
): Promise<Place> {
  if (!m.runtimeId === !m.databaseServerId)
    throw new RpcError('VALIDATION_FAILED', 'a move names either runtimeId or databaseServerId', '/move');
  if (m.runtimeId) {
    const runtime = await getRuntime(db, m.runtimeId);
    if (!runtime) throw new RpcError('RUNTIME_NOT_FOUND', `no runtime ${m.runtimeId}`, '/move/runtimeId');
    if (runtime.state !== 'ready')
      throw new RpcError(
        'INVALID_STATE',
        `runtime "${runtime.name}" is ${runtime.state}; a tenant moves only to a ready runtime`,
      );
    const current = t.runtime_id ? await getRuntime(db, t.runtime_id) : undefined;
    const series = current?.odoo_version ?? '18.0';
    if (runtime.odoo_version !== series)
      throw new RpcError(
        'INVALID_STATE',
        `runtime "${runtime.name}" serves Odoo ${runtime.odoo_version} and the tenant runs ${series}: that is an upgrade, not a move`,
      );
    if (runtime.database_server_id === t.database_server_id)
      throw new RpcError(
        'INVALID_STATE',
        `runtime "${runtime.name}" uses the tenant's database server already; rename or restore instead`,
      );
    return { serverId: runtime.database_server_id, runtimeId: runtime.id, owner: runtime.db_role };
  }
  if (t.runtime_id)
    throw new RpcError(
      'INVALID_STATE',
      `tenant "${t.slug}" is served by an Odoo runtime, whose Odoo connects to one server: move it to a runtime on the other server (runtimeId)`,
    );
  const { rows } = await db.query<{ id: string; name: string; accepting: boolean }>(
    'SELECT id, name, accepting FROM database_servers WHERE id = $1',
    [m.databaseServerId],
  );
  const server = rows[0];
  if (!server)
    throw new RpcError(
      'VALIDATION_FAILED',
      `no database server ${m.databaseServerId}`,
      '/move/databaseServerId',
    );
  if (server.id === t.database_server_id)
    throw new RpcError('INVALID_STATE', `tenant "${t.slug}" is on server "${server.name}" already`);
  if (!server.accepting)
    throw new RpcError('INVALID_STATE', `server "${server.name}" does not accept tenants now`);
  return {
    serverId: server.id,
    runtimeId: null,
    owner: t.db_owner ?? ctx.config.TENANT_DEFAULT_RUNTIME_ROLE,
  };
}

/**
 * `rpc.tenant.restore.begin.v1`: an existing tenant (active or suspended, nothing in progress) goes
 * to `restoring`; a new tenant is registered in `restoring` on the runtime of the tenant the backup
 * came from (or placed like any new tenant, for an imported Odoo zip). The same restore id answers
 * the same again.
 */
export function beginRestoreHandler(ctx: HandlerContext): RpcHandler<'tenant.restore.begin.v1'> {
  return async (req, { traceparent }) => {
    if (!req.tenantId === !req.newTenant)
      throw new RpcError('VALIDATION_FAILED', 'give either tenantId (restore in place) or newTenant');
    if (req.tenantId) {
      const tenantId = req.tenantId;
      return await withTransaction(ctx.pool, async (client) => {
        const row = await lockLive(client, tenantId);
        if (row.state === 'restoring' || row.state === 'migrating') {
          if (row.restore_id === req.restoreId)
            return { tenant: toTenant(row), target: await targetOf(ctx, client, row, req.restoreId) };
          throw new RpcError(
            'INVALID_STATE',
            `tenant "${row.slug}" is being ${row.state === 'restoring' ? 'restored' : 'moved'} already (${row.restore_id})`,
          );
        }
        if (row.state !== 'active' && row.state !== 'suspended')
          throw new RpcError(
            'INVALID_STATE',
            `tenant "${row.slug}" is ${row.state}; only an active or suspended tenant can be restored`,
          );
        refuseLegacy(row);
        const open = await openOperationOfTenant(client, row.id);
        if (open)
          throw new RpcError(
            'INVALID_STATE',
            `tenant "${row.slug}" cannot be restored while it has an operation ${open.state} (${open.kind}, ${open.id}); try again when it has finished`,
          );
        const copying = await openCopyOf(client, row.id);
        if (copying)
          throw new RpcError(
            'INVALID_STATE',
            `tenant "${row.slug}" cannot be restored while a staging copy of it is being made (operation ${copying.id})`,
          );
        const move = req.move ? await moveTargetOf(ctx, client, row, req.move) : null;
        const { rows } = await client.query<TenantRow>(
          `UPDATE tenants SET state = $3, restore_id = $2, restore_previous_state = state, move_target = $4,
             updated_at = now()
           WHERE id = $1 RETURNING *`,
          [row.id, req.restoreId, move ? 'migrating' : 'restoring', move ? JSON.stringify(move) : null],
        );
        const held = rows[0]!;
        // What is written after the backup the move carries would be lost: the tenant is shut until it ends.
        if (move) await (await ctx.servers.admin(row.database_server_id!)).lock(row.database_name);
        await enqueueEvent(client, 'ocp.tenant.restoring.v1', {
          subject: held.id,
          data: { tenant: toTenant(held), restoreId: req.restoreId },
          traceparent,
        });
        return { tenant: toTenant(held), target: await targetOf(ctx, client, held, req.restoreId) };
      });
    }
    const fresh = req.newTenant!;
    const { rows: made } = await ctx.pool.query<TenantRow>('SELECT * FROM tenants WHERE restore_id = $1', [
      req.restoreId,
    ]);
    if (made[0])
      return { tenant: toTenant(made[0]), target: await targetOf(ctx, ctx.pool, made[0], req.restoreId) };
    let placement: {
      runtimeId: string | null;
      serverId: string;
      owner: string;
      plan: string;
      company: string | null;
    };
    if (fresh.sourceTenantId) {
      const source = await getTenant(ctx.pool, fresh.sourceTenantId);
      if (!source)
        throw new RpcError(
          'TENANT_NOT_FOUND',
          `no tenant ${fresh.sourceTenantId}`,
          '/newTenant/sourceTenantId',
        );
      refuseLegacy(source);
      placement = {
        runtimeId: source.runtime_id,
        serverId: source.database_server_id!,
        owner: source.db_owner!,
        plan: source.plan,
        company: source.company_name,
      };
    } else {
      const p = await placeTenant(
        ctx.pool,
        { runtimeId: fresh.runtimeId, odooVersion: fresh.odooVersion },
        ctx.config.TENANT_DEFAULT_RUNTIME_ROLE,
      );
      placement = {
        runtimeId: p.kind === 'runtime' ? p.runtime.id : null,
        serverId: p.serverId,
        owner: p.owner,
        plan: 'default',
        company: null,
      };
    }
    try {
      return await withTransaction(ctx.pool, async (client) => {
        const { rows } = await client.query<TenantRow>(
          `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, database_server_id,
             runtime_id, db_owner, company_name, base_url, source_tenant_id, restore_id, restore_previous_state)
           VALUES (gen_random_uuid(), $1, $2, $3, 'restoring', $4, $5, $6, $7, $8, $9, $10, $11, 'pending')
           RETURNING *`,
          [
            fresh.slug,
            fresh.displayName ?? fresh.slug,
            placement.plan,
            databaseNameFor(ctx.config.TENANT_DB_PREFIX, fresh.slug),
            placement.serverId,
            placement.runtimeId,
            placement.owner,
            placement.company,
            baseUrlFor(ctx.config.TENANT_BASE_URL, fresh.slug),
            fresh.sourceTenantId ?? null,
            req.restoreId,
          ],
        );
        const row = rows[0]!;
        const tenant = toTenant(row);
        await enqueueEvent(client, 'ocp.tenant.created.v1', {
          subject: row.id,
          data: { tenant, operationId: req.restoreId },
          traceparent,
        });
        await enqueueEvent(client, 'ocp.tenant.restoring.v1', {
          subject: row.id,
          data: { tenant, restoreId: req.restoreId },
          traceparent,
        });
        return { tenant, target: await targetOf(ctx, client, row, req.restoreId) };
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new RpcError(
        'TENANT_EXISTS',
        `a tenant with slug "${fresh.slug}" already exists`,
        '/newTenant/slug',
      );
    }
  };
}

/** Drops a restore's database when it is there, unmarked or the tenant's, and owned by `owner`. */
async function dropRestored(sql: ServerSql, name: string, tenantId: string, owner: string): Promise<void> {
  const facts = await databaseFacts(sql, name);
  if (!facts.exists) return;
  if ((facts.mark && facts.mark !== tenantId) || facts.owner !== owner) return;
  await sql.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** Moves the restored filestore directory in under the tenant's, keeping the replaced one aside. */
async function switchFilestore(
  root: string,
  database: string,
  restored: string,
  replaced: string,
): Promise<void> {
  const from = filestoreDir(root, restored);
  if (!(await exists(from))) return;
  const current = filestoreDir(root, database);
  const aside = filestoreDir(root, replaced);
  if (await exists(current)) {
    await rm(aside, { recursive: true, force: true });
    await rename(current, aside);
  }
  await rename(from, current);
}

/**
 * `rpc.tenant.restore.end.v1`: restored: the restore's database and filestore directory are
 * switched in under the tenant's names, the replaced ones dropped afterwards, and the tenant goes
 * back to its state (a new tenant becomes active); failed: what the restore made is dropped, the
 * tenant goes back untouched (a new tenant is failed). Under the tenant's row lock; ending a
 * restore that has ended answers the tenant as it is.
 */
export function endRestoreHandler(ctx: HandlerContext): RpcHandler<'tenant.restore.end.v1'> {
  return async (req, { traceparent }) => {
    const cleanup: Array<() => Promise<unknown>> = [];
    const reply = await withTransaction(ctx.pool, async (client) => {
      const row = await lockTenant(client, req.tenantId);
      if (!row) throw new RpcError('TENANT_NOT_FOUND', `no tenant ${req.tenantId}`);
      if (row.restore_id !== req.restoreId) {
        if (row.state === 'restoring' || row.state === 'migrating')
          throw new RpcError(
            'INVALID_STATE',
            `tenant "${row.slug}" is held by another restore (${row.restore_id})`,
          );
        return { tenant: toTenant(row) };
      }
      const from = placeOf(ctx, row, 'current');
      const to = placeOf(ctx, row, 'move');
      const moving = row.move_target !== null;
      const rootFrom = await filestoreRootOf(ctx, client, from);
      const root = await filestoreRootOf(ctx, client, to);
      const restored = restoredName(row.database_name, req.restoreId);
      const replaced = replacedName(row.database_name, req.restoreId);
      const owner = to.owner;
      const previous = row.restore_previous_state ?? 'active';
      const made = previous === 'pending';
      const next = req.outcome === 'restored' ? (made ? 'active' : previous) : made ? 'failed' : previous;
      const log = ctx.logger.child({ tenantId: row.id, restoreId: req.restoreId });
      // A restore in place switches on the tenant's server; a move on the server it goes to.
      await withServerSql(ctx, to.serverId!, async (sql) => {
        if (req.outcome === 'restored') {
          await switchInRestored(sql, {
            database: row.database_name,
            restored,
            previous: replaced,
            tenantId: row.id,
            owner,
          });
          if (root) await switchFilestore(root, row.database_name, restored, replaced);
          await allowConnections(sql, row.database_name, next === 'active');
        } else {
          await dropRestored(sql, restored, row.id, owner);
          if (root) await rm(filestoreDir(root, restored), { recursive: true, force: true });
        }
      });
      if (moving && req.outcome === 'failed')
        await withServerSql(ctx, from.serverId!, (sql) =>
          allowConnections(sql, row.database_name, next === 'active'),
        );
      if (req.outcome === 'restored') {
        cleanup.push(async () => {
          await withServerSql(ctx, to.serverId!, (sql) => dropRestored(sql, replaced, row.id, owner));
          if (root) await rm(filestoreDir(root, replaced), { recursive: true, force: true });
          // A move leaves the tenant's old database and files behind, on the server it left.
          if (moving && from.serverId !== to.serverId)
            await withServerSql(ctx, from.serverId!, (sql) =>
              dropRestored(sql, row.database_name, row.id, from.owner),
            );
          if (moving && rootFrom && rootFrom !== root)
            await rm(filestoreDir(rootFrom, row.database_name), { recursive: true, force: true });
        });
      }
      if (moving)
        await client.query(
          `UPDATE tenants SET move_target = NULL,
             database_server_id = CASE WHEN $2 THEN $3::uuid ELSE database_server_id END,
             runtime_id = CASE WHEN $2 THEN $4::uuid ELSE runtime_id END,
             db_owner = CASE WHEN $2 THEN $5 ELSE db_owner END
           WHERE id = $1`,
          [row.id, req.outcome === 'restored', to.serverId, to.runtimeId, to.owner],
        );
      await setTenantState(client, row.id, next as TenantRow['state'], {
        ...(req.outcome === 'failed' && made ? { lastError: req.error ?? 'the restore failed' } : {}),
      });
      await client.query(
        'UPDATE tenants SET restore_id = NULL, restore_previous_state = NULL WHERE id = $1',
        [row.id],
      );
      const tenant = toTenant((await getTenant(client, row.id))!);
      await enqueueEvent(client, 'ocp.tenant.restored.v1', {
        subject: row.id,
        data: {
          tenant,
          restoreId: req.restoreId,
          outcome: req.outcome,
          backupId: req.backupId ?? null,
          error: req.outcome === 'failed' ? (req.error ?? 'the restore failed') : null,
        },
        traceparent,
      });
      if (moving && req.outcome === 'restored')
        await enqueueEvent(client, 'ocp.tenant.moved.v1', {
          subject: row.id,
          data: {
            tenant,
            restoreId: req.restoreId,
            previousDatabaseServerId: from.serverId,
            previousRuntimeId: from.runtimeId,
          },
          traceparent,
        });
      if (made && next === 'active') {
        await enqueueEvent(client, 'ocp.tenant.activated.v1', {
          subject: row.id,
          data: { tenant, operationId: req.restoreId },
          traceparent,
        });
      }
      if (next === 'active' || next === 'suspended')
        await applyHeldBillingDecisions(client, ctx, row.id, traceparent);
      log.info({ outcome: req.outcome, state: next }, 'restore ended');
      return { tenant };
    });
    for (const step of cleanup)
      await step().catch((e) =>
        ctx.logger.warn(
          { err: e, tenantId: req.tenantId },
          'the database a restore replaced could not be dropped yet',
        ),
      );
    return reply;
  };
}
