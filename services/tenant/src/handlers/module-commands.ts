import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { withTransaction } from '@ocp/db';
import { OdooError, OdooTransportError } from '@ocp/odoo';
import { type TenantRow, toOperation, toTenant } from '../db/rows.ts';
import { getTenant, lockTenant, openCopyOf, queueOperation, quotaCopyOf } from '../db/store.ts';
import { withServerSql } from '../dbserver/snapshot.ts';
import { type OperationKind, refuseOperation } from '../domain/lifecycle.ts';
import { refuseModuleOperation } from '../domain/module-policy.ts';
import { listModules } from '../odoo/modules.ts';
import { runtimeOfTenant, withTenantSession } from '../odoo/tenant-session.ts';
import type { HandlerContext } from './context.ts';

/** What a tenant without a runtime is answered: nobody could be asked. */
export const noRuntime = () =>
  new RpcError(
    'NO_RUNTIME',
    'no Odoo runtime is registered for this tenant; register one (POST /api/v1/runtimes) to manage modules',
  );

/** An Odoo failure as a request's answer: Odoo's own exception name and message, or that it did not answer. */
export function odooFailure(e: unknown, runtimeName: string): RpcError | undefined {
  if (e instanceof OdooError)
    return new RpcError('RUNTIME_REFUSED', `Odoo refused: ${e.name}: ${e.odooMessage}`);
  if (e instanceof OdooTransportError)
    return new RpcError(
      'RUNTIME_UNREACHABLE',
      `the Odoo runtime "${runtimeName}" did not answer: ${e.message}`,
    );
  return undefined;
}

const encodeCursor = (offset: number) => Buffer.from(String(offset)).toString('base64url');

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (/^(0|[1-9][0-9]{0,8})$/.test(text)) return Number(text);
  throw new RpcError(
    'VALIDATION_FAILED',
    'cursor is not one this API gave out; pass nextCursor from the previous page',
    '/cursor',
  );
}

/** The live tenant, or TENANT_NOT_FOUND. */
function live(row: TenantRow | undefined, tenantId: string): TenantRow {
  if (!row || row.state === 'deleted') throw new RpcError('TENANT_NOT_FOUND', `no tenant ${tenantId}`);
  return row;
}

/**
 * `rpc.tenant.modules.list.v1`: a page of the tenant's modules by name, read from its runtime as
 * its administrator (a short-lived key, see odoo/tenant-session.ts). The cursor is the offset of
 * the next page: Odoo's module list changes only when modules are added to its disk.
 */
export function listModulesHandler(ctx: HandlerContext): RpcHandler<'tenant.modules.list.v1'> {
  return async (req) => {
    const offset = decodeCursor(req.cursor);
    const tenant = live(await getTenant(ctx.pool, req.tenantId), req.tenantId);
    if (!tenant.runtime_id) throw noRuntime();
    if (tenant.state !== 'active')
      throw new RpcError(
        'INVALID_STATE',
        `a tenant in state ${tenant.state} has no running Odoo database to read modules from; its modules can be listed while it is active`,
      );
    const runtime = await runtimeOfTenant(ctx.pool, tenant.runtime_id);
    if (!runtime || !tenant.database_server_id) throw noRuntime();
    try {
      const page = await withServerSql(ctx, tenant.database_server_id, (sql) =>
        withTenantSession(sql, tenant, runtime, { timeoutMs: ctx.config.ODOO_RPC_TIMEOUT_MS }, (s) =>
          listModules(s, { offset, limit: req.limit, state: req.state, search: req.search }),
        ),
      );
      return { items: page.items, nextCursor: page.more ? encodeCursor(offset + req.limit) : null };
    } catch (e) {
      throw odooFailure(e, runtime.name) ?? e;
    }
  };
}

const kinds: Record<'install' | 'upgrade' | 'uninstall', OperationKind> = {
  install: 'tenant.module_install',
  upgrade: 'tenant.module_upgrade',
  uninstall: 'tenant.module_uninstall',
};

/**
 * `rpc.tenant.module.v1`: queues installing, upgrading or uninstalling one module. Operations of
 * a tenant run one at a time, oldest first, so a second request waits behind the first. Refused
 * while a staging copy of the tenant is being made (the copy is the new tenant's operation, so it
 * would not wait for it). Refused as well when the tenant's plan does not allow the module or its
 * installs are blocked by a reached limit, decided from this service's copy of the quota service's
 * plans and decisions (see domain/module-policy.ts).
 */
export function moduleOperationHandler(ctx: HandlerContext): RpcHandler<'tenant.module.v1'> {
  return async (req, { traceparent }) => {
    const kind = kinds[req.action];
    const result = await withTransaction(ctx.pool, async (client) => {
      const row = live(await lockTenant(client, req.tenantId), req.tenantId);
      if (!row.runtime_id) throw noRuntime();
      const refusal = refuseOperation(kind, row.state);
      if (refusal) throw new RpcError('INVALID_STATE', refusal);
      const quota = await quotaCopyOf(client, row);
      if (!quota.known)
        ctx.logger.warn(
          { tenantId: row.id, plan: row.plan, module: req.module, action: req.action },
          'the tenant plan is not in the copy of the quota catalog; the module operation is allowed',
        );
      const quotaRefusal = refuseModuleOperation(req.action, req.module, quota);
      if (quotaRefusal) throw new RpcError(quotaRefusal.code, quotaRefusal.message);
      const copying = await openCopyOf(client, row.id);
      if (copying)
        throw new RpcError(
          'INVALID_STATE',
          `a staging copy of this tenant is being made (operation ${copying.id}, ${copying.state}); try again when it has finished`,
        );
      const { op, command } = await queueOperation(
        client,
        { tenantId: row.id, kind, params: { module: req.module }, actor: req.actor },
        traceparent,
      );
      return { reply: { tenant: toTenant(row), operation: toOperation(op) }, command };
    });
    ctx.dispatch(result.command);
    return result.reply;
  };
}
