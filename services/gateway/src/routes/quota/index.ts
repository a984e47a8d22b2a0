import { type Bus, RpcError } from '@ocp/bus';
import type { PartialLimits, PlanInput, QuotaUsageHistoryRequestV1 } from '@ocp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Permission } from '../../domain/permissions.ts';
import { apiError } from '../../errors.ts';
import {
  measureReply,
  overrideBody,
  planBody,
  planListQuery,
  planListReply,
  planParams,
  planPutReply,
  planRef,
  tenantQuotaRef,
  trialBody,
  usageHistoryQuery,
  usageHistoryReply,
} from '../../schemas/quota.ts';
import { tenantIdParams } from '../../schemas/tenants.ts';
import { lookupTenant } from '../tenant-lookup.ts';

type PlanBody = Omit<PlanInput, 'name'> & { force?: boolean };
interface OverrideBody {
  limits: PartialLimits;
  allowedModules?: string[] | null;
}

/**
 * The plan catalog, tenants' quotas, usage history, overrides and trials, served by the quota
 * service over NATS request/reply. A quota service that does not answer is a 503.
 */
export default async function quotaRoutes(app: FastifyInstance, opts: { bus: Bus; timeoutMs: number }) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };

  /** `{tenant}` (an id or a slug) as the tenant's id, within the caller's tenants. */
  const tenantIdOf = async (req: FastifyRequest, key: string, permission: Permission) =>
    (await lookupTenant(bus, rpc, req, key, permission)).id;

  /** The quota service names plan fields under `/plan/`; the body here is the plan itself. */
  function planFieldInBody(e: unknown): never {
    if (e instanceof RpcError && e.field?.startsWith('/plan/'))
      throw apiError(e.code, e.message, `body${e.field.slice('/plan'.length)}`);
    throw e;
  }

  app.get<{ Querystring: { after?: string; limit: number } }>(
    '/api/v1/plans',
    {
      config: { permission: 'plans:read', action: 'plan.list' },
      schema: {
        tags: ['plans'],
        summary: 'The plan catalog, by name',
        description: 'Page with after = next of the previous page.',
        querystring: planListQuery,
        response: { 200: planListReply },
      },
    },
    async (req) => await bus.request('quota.plans.list.v1', req.query, rpc),
  );

  app.get<{ Params: { plan: string } }>(
    '/api/v1/plans/:plan',
    {
      config: { permission: 'plans:read', action: 'plan.read' },
      schema: {
        tags: ['plans'],
        summary: 'One plan',
        params: planParams,
        response: { 200: planRef },
      },
    },
    async (req) => (await bus.request('quota.plans.get.v1', { name: req.params.plan }, rpc)).plan,
  );

  app.put<{ Params: { plan: string }; Body: PlanBody }>(
    '/api/v1/plans/:plan',
    {
      config: { permission: 'plans:write', action: 'plan.put' },
      schema: {
        tags: ['plans'],
        summary: 'Create or replace a plan',
        description:
          "Limits are non-negative integers or null (unlimited). Module names are checked against the plan's Odoo version (400 PLAN_MODULE_UNKNOWN); default modules must be among the allowed ones (400 PLAN_INVALID); a limit below a tenant's current usage is refused (409 PLAN_LIMIT_BELOW_USAGE) unless `force`. Every change is announced (quota.plan_changed). 201 when the plan is new.",
        params: planParams,
        body: planBody,
        response: { 200: planPutReply, 201: planPutReply },
      },
    },
    async (req, reply) => {
      const { force, ...fields } = req.body;
      req.audit.target = `plan:${req.params.plan}`;
      const before = await bus
        .request('quota.plans.get.v1', { name: req.params.plan }, rpc)
        .then((r) => r.plan)
        .catch((e: unknown) => {
          if (e instanceof RpcError && e.code === 'PLAN_NOT_FOUND') return null;
          throw e;
        });
      const result = await bus
        .request(
          'quota.plans.put.v1',
          { plan: { ...fields, name: req.params.plan }, ...(force !== undefined ? { force } : {}) },
          rpc,
        )
        .catch(planFieldInBody);
      req.audit.before = before;
      req.audit.after = result.plan;
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.delete<{ Params: { plan: string } }>(
    '/api/v1/plans/:plan',
    {
      config: { permission: 'plans:write', action: 'plan.delete' },
      schema: {
        tags: ['plans'],
        summary: 'Delete a plan no tenant is on',
        description: '409 PLAN_IN_USE while tenants are on it. Announced (quota.plan_changed, deleted).',
        params: planParams,
        response: { 204: { type: 'null', description: 'Deleted.' } },
      },
    },
    async (req, reply) => {
      req.audit.target = `plan:${req.params.plan}`;
      const { plan } = await bus.request('quota.plans.get.v1', { name: req.params.plan }, rpc);
      req.audit.before = plan;
      await bus.request('quota.plans.delete.v1', { name: req.params.plan }, rpc);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/quota',
    {
      config: { permission: 'quotas:read', action: 'quota.read' },
      schema: {
        tags: ['quotas'],
        summary: "A tenant's limits, usage and what is enforced",
        description:
          "The effective limits (the plan's with the tenant's override on top), the latest usage sample, each metric's level (ok, warning, exceeded, unlimited, unknown), enforcement and trial.",
        params: tenantIdParams,
        response: { 200: tenantQuotaRef },
      },
    },
    async (req) => {
      const tenantId = await tenantIdOf(req, req.params.tenant, 'quotas:read');
      return (await bus.request('quota.tenant.get.v1', { tenantId }, rpc)).quota;
    },
  );

  app.get<{ Params: { tenant: string }; Querystring: Omit<QuotaUsageHistoryRequestV1, 'tenantId'> }>(
    '/api/v1/tenants/:tenant/usage',
    {
      config: { permission: 'quotas:read', action: 'quota.usage.read' },
      schema: {
        tags: ['quotas'],
        summary: "A tenant's usage history, newest first",
        description:
          'Page with after = next of the previous page; since: only samples measured from then on.',
        params: tenantIdParams,
        querystring: usageHistoryQuery,
        response: { 200: usageHistoryReply },
      },
    },
    async (req) => {
      const tenantId = await tenantIdOf(req, req.params.tenant, 'quotas:read');
      return await bus.request('quota.usage.history.v1', { ...req.query, tenantId }, rpc);
    },
  );

  app.post<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/usage/measure',
    {
      config: { permission: 'quotas:write', action: 'quota.measure' },
      schema: {
        tags: ['quotas'],
        summary: 'Measure a tenant now',
        description: 'Out of the schedule; the sample is kept in its history and judged like any other.',
        params: tenantIdParams,
        response: { 200: measureReply },
      },
    },
    async (req) => {
      const tenantId = await tenantIdOf(req, req.params.tenant, 'quotas:write');
      const result = await bus.request('quota.measure.now.v1', { tenantId }, rpc);
      req.audit.after = result.sample;
      return result;
    },
  );

  app.put<{ Params: { tenant: string }; Body: OverrideBody }>(
    '/api/v1/tenants/:tenant/quota/override',
    {
      config: { permission: 'quotas:write', action: 'quota.override.put' },
      schema: {
        tags: ['quotas'],
        summary: "Set a tenant's override of its plan",
        description:
          "Replaces the override: each limit named replaces the plan's (null: unlimited), the others follow the plan; allowedModules, when given, replaces the plan's list (null: any module).",
        params: tenantIdParams,
        body: overrideBody,
        response: { 200: tenantQuotaRef },
      },
    },
    async (req) => {
      const tenantId = await tenantIdOf(req, req.params.tenant, 'quotas:write');
      const before = (await bus.request('quota.tenant.get.v1', { tenantId }, rpc)).quota.override;
      const { quota } = await bus.request(
        'quota.overrides.put.v1',
        {
          tenantId,
          limits: req.body.limits,
          ...(req.body.allowedModules !== undefined ? { allowedModules: req.body.allowedModules } : {}),
        },
        rpc,
      );
      req.audit.before = before;
      req.audit.after = quota.override;
      return quota;
    },
  );

  app.delete<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/quota/override',
    {
      config: { permission: 'quotas:write', action: 'quota.override.delete' },
      schema: {
        tags: ['quotas'],
        summary: "Remove a tenant's override",
        description: "The plan's limits apply again.",
        params: tenantIdParams,
        response: { 200: tenantQuotaRef },
      },
    },
    async (req) => {
      const tenantId = await tenantIdOf(req, req.params.tenant, 'quotas:write');
      const before = (await bus.request('quota.tenant.get.v1', { tenantId }, rpc)).quota.override;
      const { quota } = await bus.request('quota.overrides.delete.v1', { tenantId }, rpc);
      req.audit.before = before;
      return quota;
    },
  );

  app.put<{ Params: { tenant: string }; Body: { endsAt: string } }>(
    '/api/v1/tenants/:tenant/trial',
    {
      config: { permission: 'quotas:write', action: 'quota.trial.put' },
      schema: {
        tags: ['quotas'],
        summary: "Start a tenant's trial, or move its end",
        description:
          'Starts a trial ending at endsAt, or extends (or shortens) the running one. An end that is not in the future is refused (400 TRIAL_END_IN_PAST).',
        params: tenantIdParams,
        body: trialBody,
        response: { 200: tenantQuotaRef },
      },
    },
    async (req) => {
      const tenantId = await tenantIdOf(req, req.params.tenant, 'quotas:write');
      // Refused here too, so the answer does not depend on the quota service's clock.
      if (Date.parse(req.body.endsAt) <= Date.now())
        throw apiError(
          'TRIAL_END_IN_PAST',
          `endsAt ${req.body.endsAt} is not in the future; give a time to come, e.g. ${new Date(Date.now() + 14 * 86400_000).toISOString()}`,
          'body/endsAt',
        );
      const { quota } = await bus.request('quota.trial.put.v1', { tenantId, endsAt: req.body.endsAt }, rpc);
      req.audit.after = quota.trial;
      return quota;
    },
  );
}
