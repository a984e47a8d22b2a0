import { createHash } from 'node:crypto';
import type { Bus } from '@ocp/bus';
import type { Tenant } from '@ocp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
type Reason = Tenant['suspensionReasons'][number];

/** `/api/v1/tenants`: create, list, get, suspend, resume, delete. Long work answers 202 with the operation. */
export default async function tenantRoutes(app: FastifyInstance, opts: { bus: Bus; timeoutMs: number }) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };
  const actor = (req: FastifyRequest) => (req.operator ? `operator:${req.operator.id}` : 'anonymous');

  /** Resolves `{tenant}` (an id or a slug) to the tenant. */
  async function lookup(key: string, traceparent?: string) {
    const byId = UUID.test(key);
    const { tenant } = await bus.request('tenant.get.v1', byId ? { tenantId: key } : { slug: key }, {
      ...rpc,
      ...(traceparent ? { traceparent } : {}),
    });
    return tenant;
  }

  app.post<{
    Body: { slug: string; displayName: string; plan: string };
    Headers: { 'idempotency-key'?: string };
  }>(
    '/api/v1/tenants',
    {
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
                idempotencyKey: `${req.operator?.id}:${key}`,
                requestHash: createHash('sha256')
                  .update(JSON.stringify([req.body.slug, req.body.displayName, req.body.plan]))
                  .digest('hex'),
              }
            : {}),
        },
        rpc,
      );
      return reply.code(202).header('location', `/api/v1/operations/${result.operation.id}`).send(result);
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
      schema: {
        tags: ['tenants'],
        summary: 'List tenants, newest first',
        querystring: listQuery,
        response: { 200: listReply },
      },
    },
    async (req) => bus.request('tenant.list.v1', req.query, rpc),
  );

  app.get<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Get a tenant by id or slug',
        params: tenantIdParams,
        response: { 200: tenantRef },
      },
    },
    async (req) => lookup(req.params.tenant),
  );

  for (const action of ['suspend', 'resume'] as const) {
    app.post<{ Params: { tenant: string }; Body: { reason: Reason } | null }>(
      `/api/v1/tenants/:tenant/${action}`,
      {
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
        const tenant = await lookup(req.params.tenant);
        const reason = req.body?.reason ?? 'manual';
        const result = await bus.request(
          `tenant.${action}.v1`,
          { tenantId: tenant.id, reason, actor: actor(req) },
          rpc,
        );
        return reply.code(202).header('location', `/api/v1/operations/${result.operation.id}`).send(result);
      },
    );
  }

  app.post<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/retry',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Retry a failed provisioning',
        description: 'Provisions a tenant in state failed again. Answers 202 with the operation to follow.',
        params: tenantIdParams,
        response: { 202: tenantAndOperation },
      },
    },
    async (req, reply) => {
      const tenant = await lookup(req.params.tenant);
      const result = await bus.request('tenant.retry.v1', { tenantId: tenant.id, actor: actor(req) }, rpc);
      return reply.code(202).header('location', `/api/v1/operations/${result.operation.id}`).send(result);
    },
  );

  app.delete<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Delete a tenant',
        description: "Drops the tenant's database and role. Answers 202 with the operation to follow.",
        params: tenantIdParams,
        response: { 202: tenantAndOperation },
      },
    },
    async (req, reply) => {
      const tenant = await lookup(req.params.tenant);
      const result = await bus.request('tenant.delete.v1', { tenantId: tenant.id, actor: actor(req) }, rpc);
      return reply.code(202).header('location', `/api/v1/operations/${result.operation.id}`).send(result);
    },
  );
}
