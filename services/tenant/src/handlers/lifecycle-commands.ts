import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import type { OperationRow, TenantRow } from '../db/rows.ts';
import { toOperation, toTenant } from '../db/rows.ts';
import {
  lastOperationOf,
  lockTenant,
  openOperationOf,
  queueOperation,
  updateOperation,
} from '../db/store.ts';
import { type OperationKind, refuseOperation } from '../domain/lifecycle.ts';
import type { HandlerContext } from './context.ts';

async function queue(
  ctx: HandlerContext,
  tenantId: string,
  kind: OperationKind,
  opts: {
    reason?: string;
    actor?: string | undefined;
    traceparent: string;
    check?: (reasons: string[], state: string) => string | undefined;
    /** An open operation of this kind answers the request instead of a second one. */
    joinOpen?: boolean;
    /** Chooses the operation from the locked row instead (the kind is then only checked against). */
    choose?: (
      client: PoolClient,
      row: TenantRow,
    ) => Promise<{ kind: OperationKind; params: Record<string, unknown> }>;
  },
) {
  const result = await withTransaction(ctx.pool, async (client) => {
    const row = await lockTenant(client, tenantId);
    if (!row || row.state === 'deleted') throw new RpcError('TENANT_NOT_FOUND', `no tenant ${tenantId}`);
    const refusal = refuseOperation(kind, row.state) ?? opts.check?.(row.suspension_reasons, row.state);
    if (refusal) throw new RpcError('INVALID_STATE', refusal);
    // A deletion in its grace period is answered with the purge that ends it.
    const open = opts.joinOpen
      ? ((await openOperationOf(client, tenantId, kind)) ??
        (kind === 'tenant.delete' ? await openOperationOf(client, tenantId, 'tenant.purge') : undefined))
      : undefined;
    if (open) return { reply: { tenant: toTenant(row), operation: toOperation(open) }, command: undefined };
    const chosen = (await opts.choose?.(client, row)) ?? {
      kind,
      params: opts.reason ? { reason: opts.reason } : {},
    };
    const { op, command } = await queueOperation(
      client,
      { tenantId, kind: chosen.kind, params: chosen.params, actor: opts.actor },
      opts.traceparent,
    );
    return { reply: { tenant: toTenant(row), operation: toOperation(op) }, command };
  });
  if (result.command) ctx.dispatch(result.command);
  return result.reply;
}

/** `rpc.tenant.suspend.v1`: queues a suspension for one reason. */
export function suspendTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.suspend.v1'> {
  return (req, { traceparent }) =>
    queue(ctx, req.tenantId, 'tenant.suspend', {
      reason: req.reason,
      actor: req.actor,
      traceparent,
      check: (reasons) =>
        reasons.includes(req.reason) ? `the tenant is already suspended for reason ${req.reason}` : undefined,
    });
}

/** `rpc.tenant.resume.v1`: queues clearing one reason; other reasons keep the tenant suspended. */
export function resumeTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.resume.v1'> {
  return (req, { traceparent }) =>
    queue(ctx, req.tenantId, 'tenant.resume', {
      reason: req.reason,
      actor: req.actor,
      traceparent,
      check: (reasons) =>
        reasons.includes(req.reason)
          ? undefined
          : `the tenant is not suspended for reason ${req.reason} (its reasons: ${reasons.join(', ') || 'none'})`,
    });
}

/**
 * `rpc.tenant.delete.v1`: queues dropping the tenant's database and role. A tenant has at most one
 * open delete: asking again while one is queued or running answers that one (the tenant's row lock
 * orders concurrent requests, so the second sees the first's operation). Unlike a second suspension
 * for the same reason (409: the caller asked for something that is already true), a second delete
 * asks for what is already on its way, so it is answered with it, as an idempotent retry would be.
 */
export function deleteTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.delete.v1'> {
  return (req, { traceparent }) =>
    queue(ctx, req.tenantId, 'tenant.delete', { actor: req.actor, traceparent, joinOpen: true });
}

/**
 * `rpc.tenant.retry.v1`: makes a tenant whose making failed again, the way it was first made: a
 * staging copy is copied from its source again (with the neutralisation first asked for), any other
 * tenant is provisioned from its template.
 */
export function retryTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.retry.v1'> {
  return (req, { traceparent }) =>
    queue(ctx, req.tenantId, 'tenant.provision', {
      actor: req.actor,
      traceparent,
      check: (_reasons, state) =>
        state === 'failed'
          ? undefined
          : `only a tenant whose provisioning failed can be retried; this one is ${state}`,
      choose: async (client, row) => {
        if (!row.source_tenant_id) return { kind: 'tenant.provision', params: {} };
        const last = await lastOperationOf(client, row.id, 'tenant.duplicate');
        return {
          kind: 'tenant.duplicate',
          params: {
            sourceTenantId: row.source_tenant_id,
            neutralize: last?.params.neutralize !== false,
          },
        };
      },
    });
}

/**
 * `rpc.tenant.undelete.v1`: undoes a deletion during its grace period: the purge waiting for the
 * end of it is cancelled, and the tenant goes back to the state it was deleted from (its database
 * opened again when that is `active`; a suspended one keeps its reasons), with
 * `tenant.deletion_cancelled`. Refused while the final backup is still being taken or once the
 * purge has begun.
 */
export function undeleteTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.undelete.v1'> {
  return async (req, { traceparent }) => {
    let cancelled: OperationRow | undefined;
    const reply = await withTransaction(ctx.pool, async (client) => {
      const row = await lockTenant(client, req.tenantId);
      if (!row || row.state === 'deleted')
        throw new RpcError('TENANT_NOT_FOUND', `no tenant ${req.tenantId}`);
      if (row.state !== 'deleting')
        throw new RpcError(
          'INVALID_STATE',
          `tenant "${row.slug}" is ${row.state}; only a tenant being deleted can be undeleted`,
        );
      const deleting = await openOperationOf(client, row.id, 'tenant.delete');
      if (deleting)
        throw new RpcError(
          'INVALID_STATE',
          `the deletion of "${row.slug}" is still ${deleting.state} (${deleting.step ?? 'queued'}); undelete it once it has finished`,
        );
      const purge = await openOperationOf(client, row.id, 'tenant.purge');
      if (purge?.state !== 'queued')
        throw new RpcError(
          'INVALID_STATE',
          purge
            ? `the database of "${row.slug}" is being dropped already; it cannot be undeleted`
            : `tenant "${row.slug}" has no grace period to undo (its deletion did not finish, or had none); delete it again`,
        );
      cancelled = await updateOperation(client, purge.id, {
        state: 'failed',
        step: 'cancelled',
        error: `cancelled: the deletion was undone${req.actor ? ` by ${req.actor}` : ''}`,
      });
      const back =
        row.deleting_from === 'active' || row.deleting_from === 'suspended' ? row.deleting_from : 'failed';
      if (back === 'active' && row.database_server_id)
        await (await ctx.servers.admin(row.database_server_id)).unlock(row.database_name);
      const { rows } = await client.query<TenantRow>(
        `UPDATE tenants SET state = $2, purge_after = NULL, deleting_from = NULL, updated_at = now()
         WHERE id = $1 RETURNING *`,
        [row.id, back],
      );
      const tenant = toTenant(rows[0]!);
      await enqueueEvent(client, 'ocp.tenant.deletion_cancelled.v1', {
        subject: row.id,
        data: { tenant },
        traceparent,
      });
      return { tenant };
    });
    // After the commit: a cancelled purge ended, neither succeeded nor failed.
    if (cancelled) ctx.operationMetrics?.ended({ ...cancelled, state: 'cancelled' });
    return reply;
  };
}
