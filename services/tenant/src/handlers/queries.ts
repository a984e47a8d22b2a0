import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { type OperationRow, type TenantRow, toOperation, toTenant } from '../db/rows.ts';
import { getOperation, getTenant, getTenantBySlug } from '../db/store.ts';
import type { HandlerContext } from './context.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** `rpc.tenant.get.v1`: one tenant by id or by slug. */
export function getTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.get.v1'> {
  return async (req) => {
    if (!req.tenantId && !req.slug) throw new RpcError('VALIDATION_FAILED', 'give tenantId or slug');
    const row = req.tenantId
      ? await getTenant(ctx.pool, req.tenantId)
      : await getTenantBySlug(ctx.pool, req.slug!);
    if (!row) throw new RpcError('TENANT_NOT_FOUND', `no tenant ${req.tenantId ?? req.slug}`);
    return { tenant: toTenant(row) };
  };
}

/** `rpc.tenant.list.v1`: newest first, keyset-paginated, so a page costs the same at any depth. */
export function listTenantsHandler(ctx: HandlerContext): RpcHandler<'tenant.list.v1'> {
  return async (req) => {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    if (req.state) where.push(`state = ${arg(req.state)}`);
    else if (!req.includeDeleted) where.push("state <> 'deleted'");
    if (req.plan) where.push(`plan = ${arg(req.plan)}`);
    if (req.tenantIds) where.push(`id = ANY(${arg(req.tenantIds)}::uuid[])`);
    if (req.slugPrefix)
      where.push(`slug LIKE ${arg(`${req.slugPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    if (req.cursor) {
      const c = decodeCursor(req.cursor);
      where.push(`(created_at, id) < (${arg(c.t)}::timestamptz, ${arg(c.id)}::uuid)`);
    }
    const sql = `SELECT * FROM tenants ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${arg(req.limit + 1)}`;
    const { rows } = await ctx.pool.query<TenantRow>(sql, args);
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toTenant),
      nextCursor:
        rows.length > req.limit && last
          ? encodeCursor({ t: last.created_at.toISOString(), id: last.id })
          : null,
    };
  };
}

/** `rpc.operation.get.v1`. */
export function getOperationHandler(ctx: HandlerContext): RpcHandler<'operation.get.v1'> {
  return async (req) => {
    const row: OperationRow | undefined = await getOperation(ctx.pool, req.operationId);
    if (!row) throw new RpcError('OPERATION_NOT_FOUND', `no operation ${req.operationId}`);
    return { operation: toOperation(row) };
  };
}
