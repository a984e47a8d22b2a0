import { createHash, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import type { Bus } from '@ocp/bus';
import type { Tenant, TenantCreateRequestV1, TenantListRequestV1 } from '@ocp/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../../domain/permissions.ts';
import { tenantScopeOf } from '../../plugins/auth.ts';
import {
  createTenantBody,
  createTenantReply,
  duplicateBody,
  idempotencyHeaders,
  listQuery,
  listReply,
  reasonBody,
  renameBody,
  statsReply,
  tenantAndOperation,
  tenantIdParams,
  tenantRef,
} from '../../schemas/tenants.ts';
import { lookupTenant } from '../tenant-lookup.ts';

type Reason = Tenant['suspensionReasons'][number];
type CreateBody = Omit<TenantCreateRequestV1, 'actor' | 'idempotencyKey' | 'requestHash'>;

const scryptAsync = promisify(scrypt) as (password: string, salt: string, keylen: number) => Promise<Buffer>;

/**
 * The hash that tells a repeated create (same Idempotency-Key, same body) from a reused key: every
 * field of the body. The tenant service stores it, so the administrator's password enters it only
 * through scrypt salted with the key: the stored hash is no quick way back to the password. A body
 * without the Odoo fields hashes as before they existed, so a key sent again across an upgrade of
 * the gateway still answers its first result.
 */
async function createRequestHash(body: CreateBody, key: string): Promise<string> {
  const fields: unknown[] = [body.slug, body.displayName, body.plan];
  const odoo = [body.adminLogin, body.adminPassword, body.companyName, body.runtimeId, body.odooVersion];
  if (odoo.some((v) => v !== undefined)) {
    const password = body.adminPassword
      ? (await scryptAsync(body.adminPassword, `ocp-idempotency:${key}`, 32)).toString('hex')
      : null;
    fields.push(
      body.adminLogin ?? null,
      password,
      body.companyName ?? null,
      body.runtimeId ?? null,
      body.odooVersion ?? null,
    );
  }
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * `/api/v1/tenants`: create, list, get, suspend, resume, retry, duplicate, rename, delete. Long work
 * answers 202 with the operation.
 */
export default async function tenantRoutes(app: FastifyInstance, opts: { bus: Bus; timeoutMs: number }) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };
  const actor = (req: FastifyRequest) => req.principal?.actor ?? 'anonymous';

  const lookup = (req: FastifyRequest, key: string, permission: Permission) =>
    lookupTenant(bus, rpc, req, key, permission);

  /** Notes the tenant before and after a change, and answers 202 with the operation to follow. */
  function accepted(
    req: FastifyRequest,
    reply: FastifyReply,
    before: Tenant | null,
    result: { tenant: Tenant; operation: { id: string } },
  ) {
    req.audit.target = `tenant:${result.tenant.id}`;
    req.audit.tenantId = result.tenant.id;
    req.audit.before = before;
    req.audit.after = result.tenant;
    return reply.code(202).header('location', `/api/v1/operations/${result.operation.id}`).send(result);
  }

  app.post<{ Body: CreateBody; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/tenants',
    {
      config: { permission: 'tenants:create', action: 'tenant.create' },
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant',
        description: [
          'Registers the tenant and queues its provisioning. Answers 202 with the operation to follow.',
          "The tenant becomes an Odoo database of its own: its administrator (Odoo's user 2) logs in as `adminLogin` (an email address or a user name) with `adminPassword`; when no password is given one is generated and answered once, as `adminPassword`, and never again. `companyName` names its Odoo company.",
          "The tenant goes to the runtime given as `runtimeId`, else to the ready runtime with the fewest tenants (of the Odoo series `odooVersion`, when given) that has room. With no runtime registered it is made from the built-in template, owned by the server's default runtime role, and no Odoo serves it.",
        ].join('\n\n'),
        headers: idempotencyHeaders,
        body: createTenantBody,
        response: { 202: createTenantReply },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const result = await bus.request(
        'tenant.create.v1',
        {
          ...req.body,
          actor: actor(req),
          ...(key
            ? {
                idempotencyKey: `${req.principal?.operator.id}:${key}`,
                requestHash: await createRequestHash(req.body, `${req.principal?.operator.id}:${key}`),
              }
            : {}),
        },
        rpc,
      );
      return accepted(req, reply, null, result);
    },
  );

  app.get<{
    Querystring: {
      limit: number;
      cursor?: string;
      state?: Tenant['state'];
      plan?: string;
      slugPrefix?: string;
      includeDeleted: boolean;
      sort: NonNullable<TenantListRequestV1['sort']>;
      q?: string;
      runtimeId?: string;
      id?: [string, ...string[]];
    };
  }>(
    '/api/v1/tenants',
    {
      config: { permission: 'tenants:read', action: 'tenant.list' },
      schema: {
        tags: ['tenants'],
        summary: 'List tenants',
        description: [
          'Newest first unless `sort` says otherwise; ties go by id, so paging with `cursor` shows every tenant once. `q` finds text (case-insensitive) in the display name, slug, domain (the host of `baseUrl`) or billing customer id. Deleted tenants are left out unless `state=deleted` or `includeDeleted=true`.',
          '`id` (repeated) lists exactly those tenants, deleted ones included: the names behind the tenant ids a page shows, in one request.',
          'An account limited to some tenants sees only those.',
        ].join('\n\n'),
        querystring: listQuery,
        response: { 200: listReply },
      },
    },
    async (req) => {
      const scope = tenantScopeOf(req);
      const { id, ...query } = req.query;
      return bus.request(
        'tenant.list.v1',
        { ...query, ...(id ? { ids: id } : {}), ...(scope ? { tenantIds: scope } : {}) },
        rpc,
      );
    },
  );

  app.get(
    '/api/v1/tenants/stats',
    {
      config: { permission: 'tenants:read', action: 'tenant.stats' },
      schema: {
        tags: ['tenants'],
        summary: 'Count tenants by state',
        description:
          'How many tenants are in each state (every state present, 0 when none) and in all, deleted ones included: the fleet overview. An account limited to some tenants counts only those. The path is matched before `/tenants/{tenant}`: a tenant with the slug `stats` is reached by its id.',
        response: { 200: statsReply },
      },
    },
    async (req) => {
      const scope = tenantScopeOf(req);
      return bus.request('tenant.stats.v1', scope ? { tenantIds: scope } : {}, rpc);
    },
  );

  app.get<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant',
    {
      config: { permission: 'tenants:read', action: 'tenant.read' },
      schema: {
        tags: ['tenants'],
        summary: 'Get a tenant by id or slug',
        params: tenantIdParams,
        response: { 200: tenantRef },
      },
    },
    async (req) => lookup(req, req.params.tenant, 'tenants:read'),
  );

  for (const action of ['suspend', 'resume'] as const) {
    app.post<{ Params: { tenant: string }; Body: { reason: Reason } | null }>(
      `/api/v1/tenants/:tenant/${action}`,
      {
        config: { permission: `tenants:${action}`, action: `tenant.${action}` },
        schema: {
          tags: ['tenants'],
          summary: action === 'suspend' ? 'Suspend a tenant for a reason' : 'Clear one suspension reason',
          description:
            action === 'suspend'
              ? "The tenant's database refuses new connections and open sessions end. Reasons: billing, quota, trial, manual (the default)."
              : 'The tenant resumes when no other reason holds it.',
          params: tenantIdParams,
          body: reasonBody,
          response: { 202: tenantAndOperation },
        },
      },
      async (req, reply) => {
        const tenant = await lookup(req, req.params.tenant, `tenants:${action}`);
        const reason = req.body?.reason ?? 'manual';
        const result = await bus.request(
          `tenant.${action}.v1`,
          { tenantId: tenant.id, reason, actor: actor(req) },
          rpc,
        );
        return accepted(req, reply, tenant, result);
      },
    );
  }

  app.post<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/retry',
    {
      config: { permission: 'tenants:retry', action: 'tenant.retry' },
      schema: {
        tags: ['tenants'],
        summary: 'Retry a failed provisioning',
        description: 'Provisions a tenant in state failed again. Answers 202 with the operation to follow.',
        params: tenantIdParams,
        response: { 202: tenantAndOperation },
      },
    },
    async (req, reply) => {
      const tenant = await lookup(req, req.params.tenant, 'tenants:retry');
      const result = await bus.request('tenant.retry.v1', { tenantId: tenant.id, actor: actor(req) }, rpc);
      return accepted(req, reply, tenant, result);
    },
  );

  app.post<{ Params: { tenant: string }; Body: { slug: string; displayName?: string; neutralize: boolean } }>(
    '/api/v1/tenants/:tenant/duplicate',
    {
      config: { permission: 'tenants:duplicate', action: 'tenant.duplicate' },
      schema: {
        tags: ['tenants'],
        summary: 'Make a staging copy of a tenant',
        description: [
          'Queues a copy of the tenant as a new tenant with `slug`: its own database, `database.uuid`, `database.secret` and filestore, neutralised as Odoo neutralises a copy (no mail in or out, no scheduled actions, webhooks and IAP off, a banner) unless `neutralize` is false. The source stays online but for about a second.',
          'Answers 202 with the new tenant and the operation to follow. A source that is suspended, being deleted or busy with another operation answers 409 naming its state.',
        ].join('\n\n'),
        params: tenantIdParams,
        body: duplicateBody,
        response: { 202: tenantAndOperation },
      },
    },
    async (req, reply) => {
      const source = await lookup(req, req.params.tenant, 'tenants:duplicate');
      const result = await bus.request(
        'tenant.duplicate.v1',
        { tenantId: source.id, ...req.body, actor: actor(req) },
        rpc,
      );
      // The change is the new tenant; it names its source (sourceTenantId).
      return accepted(req, reply, null, result);
    },
  );

  app.post<{ Params: { tenant: string }; Body: { slug: string } }>(
    '/api/v1/tenants/:tenant/rename',
    {
      config: { permission: 'tenants:rename', action: 'tenant.rename' },
      schema: {
        tags: ['tenants'],
        summary: "Rename a tenant's slug",
        description:
          "Queues the rename of the tenant's slug, database and filestore directory together (its Odoo is offline for that moment). Answers 202 with the operation to follow; a slug in use answers 409.",
        params: tenantIdParams,
        body: renameBody,
        response: { 202: tenantAndOperation },
      },
    },
    async (req, reply) => {
      const tenant = await lookup(req, req.params.tenant, 'tenants:rename');
      const result = await bus.request(
        'tenant.rename.v1',
        { tenantId: tenant.id, slug: req.body.slug, actor: actor(req) },
        rpc,
      );
      return accepted(req, reply, tenant, result);
    },
  );

  app.delete<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant',
    {
      config: { permission: 'tenants:delete', action: 'tenant.delete' },
      schema: {
        tags: ['tenants'],
        summary: 'Delete a tenant',
        description:
          "Shuts the tenant's database, has a final backup taken, and keeps the database and files for the grace period (TENANT_DELETE_GRACE_SECONDS of the tenant service, 7 days by default; `purgeAfter` on the tenant), during which POST /tenants/{tenant}/undelete gives the tenant back; then they are dropped. Answers 202 with the operation to follow; asked again during the grace period, it answers the purge that ends it.",
        params: tenantIdParams,
        response: { 202: tenantAndOperation },
      },
    },
    async (req, reply) => {
      const tenant = await lookup(req, req.params.tenant, 'tenants:delete');
      const result = await bus.request('tenant.delete.v1', { tenantId: tenant.id, actor: actor(req) }, rpc);
      return accepted(req, reply, tenant, result);
    },
  );

  app.post<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/undelete',
    {
      config: { permission: 'tenants:delete', action: 'tenant.undelete' },
      schema: {
        tags: ['tenants'],
        summary: 'Undo a deletion',
        description:
          'During the grace period of a deletion, gives the tenant back in the state it was deleted from (an active tenant opens to connections again), with its database and files. 409 while the final backup is still being taken, or once the purge has begun.',
        params: tenantIdParams,
        response: { 200: tenantRef },
      },
    },
    async (req) => {
      const tenant = await lookup(req, req.params.tenant, 'tenants:delete');
      const result = await bus.request('tenant.undelete.v1', { tenantId: tenant.id, actor: actor(req) }, rpc);
      return result.tenant;
    },
  );
}
