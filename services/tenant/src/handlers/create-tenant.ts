import { randomUUID } from 'node:crypto';
import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { enqueueEvent, withTransaction } from '@ocp/db';
import { type TenantRow, toOperation, toTenant } from '../db/rows.ts';
import { getOperation, getTenant, queueOperation } from '../db/store.ts';
import { databaseNameFor } from '../domain/lifecycle.ts';
import { openSecret, sealSecret } from '../domain/secrets.ts';
import { adminPasswordPlace, generateAdminPassword } from '../odoo/passwords.ts';
import { baseUrlFor } from '../odoo/personalise.ts';
import { placeTenant } from '../runtime/placement.ts';
import type { HandlerContext } from './context.ts';

/** A tenant's address from TENANT_BASE_URL (kept here too for the handlers that import it from here). */
export { baseUrlFor };

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/** Logins of the users every Odoo database has besides its administrator: never the administrator's. */
const RESERVED_LOGINS = new Set(['__system__', 'default', 'public', 'portaltemplate']);

/**
 * `rpc.tenant.create.v1`: places the tenant (see runtime/placement.ts), registers it (pending) with
 * its administrator's login, its password sealed until provisioning has written its hash, its
 * company name and address, and queues its provisioning, in one transaction. A password the
 * platform generated is answered as `adminPassword`.
 *
 * The same idempotency key with the same request answers the first result again. A generated
 * password is answered again only while it is still kept sealed, i.e. until the tenant is active
 * (a client whose first reply was lost retries within that time with the same key and body, which
 * the gateway scopes to one operator); after that it is gone and a replay answers without it.
 */
export function createTenantHandler(ctx: HandlerContext): RpcHandler<'tenant.create.v1'> {
  async function replay(key: string, hash: string | undefined, given: boolean) {
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
    const reply: {
      tenant: ReturnType<typeof toTenant>;
      operation: ReturnType<typeof toOperation>;
      adminPassword?: string;
    } = {
      tenant: toTenant(tenant!),
      operation: toOperation(op!),
    };
    if (!given && tenant!.admin_password_sealed)
      reply.adminPassword = openSecret(
        ctx.secrets,
        tenant!.admin_password_sealed,
        adminPasswordPlace(tenant!.id),
      );
    return reply;
  }

  return async (req, { traceparent }) => {
    const given = req.adminPassword !== undefined;
    if (req.idempotencyKey) {
      const earlier = await replay(req.idempotencyKey, req.requestHash, given);
      if (earlier) return earlier;
    }
    const adminLogin = req.adminLogin ?? 'admin';
    if (RESERVED_LOGINS.has(adminLogin))
      throw new RpcError(
        'VALIDATION_FAILED',
        `"${adminLogin}" is the login of one of Odoo's own users; choose another administrator login`,
        '/adminLogin',
      );
    const placement = await placeTenant(ctx.pool, req, ctx.config.TENANT_DEFAULT_RUNTIME_ROLE);
    const ready = given ? undefined : ctx.passwords.take();
    const adminPassword = req.adminPassword ?? ready?.password ?? generateAdminPassword();
    const id = randomUUID();
    const dbName = databaseNameFor(ctx.config.TENANT_DB_PREFIX, req.slug);
    try {
      const result = await withTransaction(ctx.pool, async (client) => {
        const { rows } = await client.query<TenantRow>(
          `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, database_server_id,
             db_password_sealed, runtime_id, db_owner, admin_login, admin_password_sealed, company_name, base_url,
             admin_password_hash)
           VALUES ($1, $2, $3, $4, 'pending', $5, $6, NULL, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
          [
            id,
            req.slug,
            req.displayName,
            req.plan,
            dbName,
            placement.serverId,
            placement.kind === 'runtime' ? placement.runtime.id : null,
            placement.owner,
            adminLogin,
            sealSecret(ctx.secrets, adminPassword, adminPasswordPlace(id)),
            req.companyName ?? req.displayName,
            baseUrlFor(ctx.config.TENANT_BASE_URL, req.slug),
            ready?.hash ?? null,
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
        const reply = {
          tenant,
          operation: toOperation(op),
          ...(given ? {} : { adminPassword }),
        };
        return { reply, command };
      });
      ctx.dispatch(result.command);
      return result.reply;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // The same key sent twice at once: the first one's answer, once it committed.
      if (req.idempotencyKey) {
        const earlier = await replay(req.idempotencyKey, req.requestHash, given);
        if (earlier) return earlier;
      }
      throw new RpcError('TENANT_EXISTS', `a tenant with slug "${req.slug}" already exists`, '/slug');
    }
  };
}
