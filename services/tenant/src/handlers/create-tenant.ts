import { randomUUID } from 'node:crypto';
import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { enqueueEvent, withTransaction } from '@ocp/db';
import { type TenantRow, toOperation, toTenant } from '../db/rows.ts';
import { passwordPlace } from '../db/sealed.ts';
import { getOperation, getTenant, placeTenant, queueOperation } from '../db/store.ts';
import { databaseNameFor } from '../domain/lifecycle.ts';
import { generatePassword, sealSecret } from '../domain/secrets.ts';
import type { HandlerContext } from './context.ts';

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/**
 * `rpc.tenant.create.v1`: registers the tenant (pending) and queues its provisioning, in one
 * transaction. The same idempotency key with the same request answers the first result again.
 */
export function createTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.create.v1'> {
  async function replay(key: string, hash: string | undefined) {
    const { rows } = await ctx.pool.query<{ request_hash: string; tenant_id: string; operation_id: string }>(
      'SELECT request_hash, tenant_id, operation_id FROM idempotency_keys WHERE key = $1',
      [key],
    );
    const hit = rows[0];
    if (!hit) return undefined;
    if (hit.request_hash !== (hash ?? '')) {
      throw new RpcError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body; use a new key',
      );
    }
    const [tenant, op] = await Promise.all([
      getTenant(ctx.pool, hit.tenant_id),
      getOperation(ctx.pool, hit.operation_id),
    ]);
    return { tenant: toTenant(tenant!), operation: toOperation(op!) };
  }

  return async (req, { traceparent }) => {
    if (req.idempotencyKey) {
      const earlier = await replay(req.idempotencyKey, req.requestHash);
      if (earlier) return earlier;
    }
    const serverId = await placeTenant(ctx.pool);
    if (!serverId)
      throw new RpcError(
        'NO_CAPACITY',
        'no database server accepts new tenants; register one or raise a limit',
      );
    const id = randomUUID();
    const dbName = databaseNameFor(ctx.config.TENANT_DB_PREFIX, req.slug);
    try {
      const result = await withTransaction(ctx.pool, async (client) => {
        const { rows } = await client.query<TenantRow>(
          `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, database_server_id, db_password_sealed)
           VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7) RETURNING *`,
          [
            id,
            req.slug,
            req.displayName,
            req.plan,
            dbName,
            serverId,
            sealSecret(ctx.secrets, generatePassword(), passwordPlace(id)),
          ],
        );
        const tenant = toTenant(rows[0]!);
        const { op, command } = await queueOperation(
          client,
          { tenantId: id, kind: 'tenant.provision', actor: req.actor },
          traceparent,
        );
        await enqueueEvent(client, 'ocp.tenant.created.v1', {
          subject: id,
          data: { tenant, operationId: op.id },
          traceparent,
        });
        if (req.idempotencyKey) {
          await client.query(
            'INSERT INTO idempotency_keys (key, request_hash, tenant_id, operation_id) VALUES ($1, $2, $3, $4)',
            [req.idempotencyKey, req.requestHash ?? '', id, op.id],
          );
        }
        return { reply: { tenant, operation: toOperation(op) }, command };
      });
      ctx.dispatch(result.command);
      return result.reply;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // The same key sent twice at once: the first one's answer, once it committed.
      if (req.idempotencyKey) {
        const earlier = await replay(req.idempotencyKey, req.requestHash);
        if (earlier) return earlier;
      }
      throw new RpcError('TENANT_EXISTS', `a tenant with slug "${req.slug}" already exists`, '/slug');
    }
  };
}
