import type { RpcHandler } from '@ocp/bus';
import { RpcError, RpcUnavailableError } from '@ocp/bus';
import type { PlanInput, QuotaPlan } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import { getPlan, listPlans, markPlanDeleted, planRow, toPlan, writePlan } from '../db/plans.ts';
import { tenantsOfPlanWithUsage, tenantsOnPlan } from '../db/tenants.ts';
import { effectiveLimits, METRICS } from '../domain/limits.ts';
import { modulesNamed, planProblem } from '../domain/plan-rules.ts';
import type { QuotaContext } from './context.ts';

const DEFAULT_LIMIT = 50;

/** `rpc.quota.plans.list.v1`: live plans by name. */
export function listPlansHandler(ctx: QuotaContext): RpcHandler<'quota.plans.list.v1'> {
  return async (req) => {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const rows = await listPlans(ctx.pool, req.after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page, ...(rows.length > limit && last ? { next: last.name } : {}) };
  };
}

/** `rpc.quota.plans.get.v1`. */
export function getPlanHandler(ctx: QuotaContext): RpcHandler<'quota.plans.get.v1'> {
  return async (req) => {
    const plan = await getPlan(ctx.pool, req.name);
    if (!plan) throw new RpcError('PLAN_NOT_FOUND', `no plan "${req.name}"`);
    return { plan };
  };
}

/**
 * The module names of a plan its Odoo version does not have, asked of the tenant service (which
 * reads them from a ready runtime of that version). A plan without a version is not checked: the
 * tenant service refuses unknown modules at install time anyway.
 */
async function unknownModules(ctx: QuotaContext, plan: PlanInput): Promise<string[]> {
  const named = modulesNamed(plan);
  if (!plan.odooVersion || named.length === 0) return [];
  let offered: string[];
  try {
    offered = (
      await ctx.bus.request(
        'tenant.runtime.modules.v1',
        { odooVersion: plan.odooVersion },
        { timeoutMs: ctx.config.QUOTA_TENANT_RPC_TIMEOUT_MS },
      )
    ).modules;
  } catch (e) {
    if (e instanceof RpcError && (e.code === 'RUNTIME_NOT_FOUND' || e.code === 'NO_RUNTIME'))
      throw new RpcError(
        'PLAN_INVALID',
        `no ready Odoo runtime serves Odoo ${plan.odooVersion}, so the plan's modules cannot be checked against it: register one, or leave odooVersion out (${e.message})`,
        '/plan/odooVersion',
      );
    if (e instanceof RpcUnavailableError)
      throw new RpcError(
        'SERVICE_UNAVAILABLE',
        `the tenant service did not say which modules Odoo ${plan.odooVersion} has; try again`,
      );
    throw e;
  }
  const known = new Set(offered);
  return named.filter((m) => !known.has(m));
}

/**
 * The first tenant on the plan whose latest usage is above a limit of the new plan (a metric its
 * override sets is not the plan's to judge).
 */
async function limitBelowUsage(client: PoolClient, plan: PlanInput): Promise<string | undefined> {
  for (const { tenant, override, sample } of await tenantsOfPlanWithUsage(client, plan.name)) {
    if (!sample) continue;
    const limits = effectiveLimits(plan.limits, override?.limits);
    for (const m of METRICS) {
      const limit = limits[m];
      const usage = sample[m];
      if (limit !== null && usage !== null && usage > limit)
        return `tenant "${tenant.slug}" uses ${usage} of ${m} (measured ${sample.measuredAt}), above the new limit ${limit}; raise the limit, or send force: true to lower it anyway`;
    }
  }
  return undefined;
}

/**
 * `rpc.quota.plans.put.v1`: creates or replaces a plan and announces it (quota.plan_changed, in
 * the same transaction). Its version rises by one at every write, deleted plans included, so the
 * services that follow the catalog keep the newest.
 */
export function putPlanHandler(ctx: QuotaContext): RpcHandler<'quota.plans.put.v1'> {
  return async (req, delivery) => {
    const input = req.plan;
    const problem = planProblem(input);
    if (problem) throw new RpcError('PLAN_INVALID', problem.message, problem.field);
    // Asked before the transaction: no row lock is held while another service answers.
    const unknown = await unknownModules(ctx, input);
    if (unknown.length > 0)
      throw new RpcError(
        'PLAN_MODULE_UNKNOWN',
        `Odoo ${input.odooVersion} has no module named ${unknown.map((m) => `"${m}"`).join(', ')}; use technical module names (e.g. "sale_management", "crm")`,
        '/plan/allowedModules',
      );
    return await withTransaction(ctx.pool, async (client) => {
      const before = await planRow(client, input.name, true);
      if (!req.force) {
        const below = await limitBelowUsage(client, input);
        if (below) throw new RpcError('PLAN_LIMIT_BELOW_USAGE', below, '/plan/limits');
      }
      const live = before !== undefined && before.deleted_at === null;
      const row = await writePlan(client, input, (before?.version ?? 0) + 1, live, ctx.now());
      const plan: QuotaPlan = toPlan(row);
      await enqueueEvent(client, 'ocp.quota.plan_changed.v1', {
        subject: plan.name,
        data: { plan },
        traceparent: delivery.traceparent,
      });
      return { plan, created: !live };
    });
  };
}

/** `rpc.quota.plans.delete.v1`: only a plan no tenant is on; announced with `deleted: true`. */
export function deletePlanHandler(ctx: QuotaContext): RpcHandler<'quota.plans.delete.v1'> {
  return async (req, delivery) =>
    await withTransaction(ctx.pool, async (client) => {
      const before = await planRow(client, req.name, true);
      if (!before || before.deleted_at) throw new RpcError('PLAN_NOT_FOUND', `no plan "${req.name}"`);
      const users = await tenantsOnPlan(client, req.name);
      if (users > 0)
        throw new RpcError(
          'PLAN_IN_USE',
          `${users} tenant${users === 1 ? ' is' : 's are'} on plan "${req.name}"; move ${users === 1 ? 'it' : 'them'} to another plan first`,
        );
      const row = await markPlanDeleted(client, req.name, before.version + 1, ctx.now());
      await enqueueEvent(client, 'ocp.quota.plan_changed.v1', {
        subject: req.name,
        data: { plan: toPlan(row), deleted: true },
        traceparent: delivery.traceparent,
      });
      return {};
    });
}
