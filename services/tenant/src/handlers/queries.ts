import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { listOperationPage } from '@ocp/operations';
import { type OperationRow, toOperation, toTenant } from '../db/rows.ts';
import { getOperation, getTenant, getTenantBySlug } from '../db/store.ts';
import type { HandlerContext } from './context.ts';

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

/** `rpc.operation.get.v1`. */
export function getOperationHandler(ctx: HandlerContext): RpcHandler<'operation.get.v1'> {
  return async (req) => {
    const row: OperationRow | undefined = await getOperation(ctx.pool, req.operationId);
    if (!row) throw new RpcError('OPERATION_NOT_FOUND', `no operation ${req.operationId}`);
    return { operation: toOperation(row) };
  };
}

/** `rpc.operation.list.v1`: a page of this service's operations, newest first, from a position. */
export function listOperationsHandler(ctx: HandlerContext): RpcHandler<'operation.list.v1'> {
  return async (req) => {
    const { rows, more } = await listOperationPage<OperationRow>(ctx.pool, 'operations', req);
    return { items: rows.map(toOperation), more };
  };
}
