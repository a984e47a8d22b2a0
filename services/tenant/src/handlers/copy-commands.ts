import { randomUUID } from 'node:crypto';
import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import { type TenantRow, toOperation, toTenant } from '../db/rows.ts';
import {
  getTenantBySlug,
  lockTenant,
  openCopyOf,
  openOperationOfTenant,
  queueOperation,
} from '../db/store.ts';
import { databaseNameFor, refuseOperation } from '../domain/lifecycle.ts';
import type { HandlerContext } from './context.ts';
import { baseUrlFor } from './create-tenant.ts';

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/** The live tenant under its row lock, or TENANT_NOT_FOUND. */
async function lockLive(client: PoolClient, tenantId: string): Promise<TenantRow> {
  const row = await lockTenant(client, tenantId);
  if (!row || row.state === 'deleted') throw new RpcError('TENANT_NOT_FOUND', `no tenant ${tenantId}`);
  return row;
}

/**
 * Refuses (INVALID_STATE, naming the blocker) when the tenant has an operation queued or running,
 * or a staging copy of it is being made: a copy or a rename must see the database at rest.
 */
async function refuseBusy(client: PoolClient, row: TenantRow, what: string): Promise<void> {
  const open = await openOperationOfTenant(client, row.id);
  if (open)
    throw new RpcError(
      'INVALID_STATE',
      `tenant "${row.slug}" cannot be ${what} while it has an operation ${open.state} (${open.kind}, ${open.id}); try again when it has finished`,
    );
  const copying = await openCopyOf(client, row.id);
  if (copying)
    throw new RpcError(
      'INVALID_STATE',
      `tenant "${row.slug}" cannot be ${what} while a staging copy of it is being made (operation ${copying.id}, ${copying.state}); try again when it has finished`,
    );
}

/**
 * `rpc.tenant.duplicate.v1`: registers the staging copy as a new tenant (pending) on the source's
 * runtime, server and owner role, with the source's administrator login and company, and queues
 * its `tenant.duplicate` operation (run on the copy's row), in one transaction. The source must be
 * active with nothing in progress; it is held off for about a second when the copy is made.
 */
export function duplicateTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.duplicate.v1'> {
  return async (req, { traceparent }) => {
    const id = randomUUID();
    const dbName = databaseNameFor(ctx.config.TENANT_DB_PREFIX, req.slug);
    try {
      const result = await withTransaction(ctx.pool, async (client) => {
        const source = await lockLive(client, req.tenantId);
        if (source.state !== 'active')
          throw new RpcError(
            'INVALID_STATE',
            `tenant "${source.slug}" is ${source.state}; only an active tenant can be copied`,
          );
        await refuseBusy(client, source, 'copied');
        if (!source.database_server_id || !source.db_owner)
          throw new RpcError(
            'INVALID_STATE',
            `tenant "${source.slug}" has a database of its own login role (made before databases were owned by a runtime's role); it cannot be copied`,
          );
        const displayName = req.displayName ?? `${source.display_name} (staging)`.slice(0, 200);
        const { rows } = await client.query<TenantRow>(
          `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, database_server_id,
             db_password_sealed, runtime_id, db_owner, admin_login, admin_password_sealed, company_name,
             base_url, source_tenant_id)
           VALUES ($1, $2, $3, $4, 'pending', $5, $6, NULL, $7, $8, $9, NULL, $10, $11, $12) RETURNING *`,
          [
            id,
            req.slug,
            displayName,
            source.plan,
            dbName,
            source.database_server_id,
            source.runtime_id,
            source.db_owner,
            source.admin_login,
            source.company_name,
            baseUrlFor(ctx.config.TENANT_BASE_URL, req.slug),
            source.id,
          ],
        );
        const tenant = toTenant(rows[0]!);
        const { op, command } = await queueOperation(
          client,
          {
            tenantId: id,
            kind: 'tenant.duplicate',
            params: { sourceTenantId: source.id, neutralize: req.neutralize ?? true },
            actor: req.actor,
          },
          traceparent,
        );
        await enqueueEvent(client, 'ocp.tenant.created.v1', {
          subject: id,
          data: { tenant, operationId: op.id },
          traceparent,
        });
        return { reply: { tenant, operation: toOperation(op) }, command };
      });
      ctx.dispatch(result.command);
      return result.reply;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new RpcError('TENANT_EXISTS', `a tenant with slug "${req.slug}" already exists`, '/slug');
    }
  };
}

/**
 * `rpc.tenant.rename.v1`: queues renaming the tenant's slug, database and filestore directory
 * together. The new slug must be free among live tenants and not promised to another rename.
 */
export function renameTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.rename.v1'> {
  return async (req, { traceparent }) => {
    const result = await withTransaction(ctx.pool, async (client) => {
      const row = await lockLive(client, req.tenantId);
      if (row.slug === req.slug)
        throw new RpcError('VALIDATION_FAILED', `the tenant's slug is "${req.slug}" already`, '/slug');
      const refusal = refuseOperation('tenant.rename', row.state);
      if (refusal) throw new RpcError('INVALID_STATE', refusal);
      await refuseBusy(client, row, 'renamed');
      const taken = await getTenantBySlug(client, req.slug);
      if (taken)
        throw new RpcError('TENANT_EXISTS', `a tenant with slug "${req.slug}" already exists`, '/slug');
      const { rowCount } = await client.query(
        `SELECT 1 FROM operations WHERE kind = 'tenant.rename' AND state IN ('queued', 'running')
           AND params->>'slug' = $1`,
        [req.slug],
      );
      if (rowCount)
        throw new RpcError('TENANT_EXISTS', `another tenant is being renamed to "${req.slug}"`, '/slug');
      const { op, command } = await queueOperation(
        client,
        { tenantId: row.id, kind: 'tenant.rename', params: { slug: req.slug }, actor: req.actor },
        traceparent,
      );
      return { reply: { tenant: toTenant(row), operation: toOperation(op) }, command };
    });
    ctx.dispatch(result.command);
    return result.reply;
  };
}
