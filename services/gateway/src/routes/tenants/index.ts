import { createHash } from 'node:crypto';
import type { Bus } from '@ocp/bus';
import type { Tenant } from '@ocp/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../../domain/permissions.ts';
import { tenantScopeOf } from '../../plugins/auth.ts';
import {
  createTenantBody,
  idempotencyHeaders,
  listQuery,
  listReply,
  reasonBody,
  tenantAndOperation,
  tenantIdParams,
  tenantRef,
} from '../../schemas/tenants.ts';
import { lookupTenant } from '../tenant-lookup.ts';

type Reason = Tenant['suspensionReasons'][number];

/** `/api/v1/tenants`: create, list, get, suspend, resume, delete. Long work answers 202 with the operation. */
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

  app.post<{
    Body: { slug: string; displayName: string; plan: string };
    Headers: { 'idempotency-key'?: string };
  }>(
    '/api/v1/tenants',
    {
      config: { permission: 'tenants:create', action: 'tenant.create' },
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant',
        description:
          'Registers the tenant and queues its provisioning. Answers 202 with the operation to follow.',
        headers: idempotencyHeaders,
        body: createTenantBody,
        response: { 202: tenantAndOperation },
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
                requestHash: createHash('sha256')
                  .update(JSON.stringify([req.body.slug, req.body.displayName, req.body.plan]))
                  .digest('hex'),
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
    };
  }>(
    '/api/v1/tenants',
    {
      config: { permission: 'tenants:read', action: 'tenant.list' },
      schema: {
        tags: ['tenants'],
        summary: 'List tenants, newest first',
        description: 'An account limited to some tenants sees only those.',
        querystring: listQuery,
        response: { 200: listReply },
      },
    },
    async (req) => {
      const scope = tenantScopeOf(req);
      return bus.request('tenant.list.v1', { ...req.query, ...(scope ? { tenantIds: scope } : {}) }, rpc);
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

  app.delete<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant',
    {
      config: { permission: 'tenants:delete', action: 'tenant.delete' },
      schema: {
        tags: ['tenants'],
        summary: 'Delete a tenant',
        description: "Drops the tenant's database and role. Answers 202 with the operation to follow.",
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
}
