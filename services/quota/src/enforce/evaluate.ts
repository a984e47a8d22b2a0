import type { PartialLimits, PlanLimits, QuotaLevels } from '@ocp/contracts';
import type { PoolClient } from '@ocp/db';
import { enqueueEvent } from '@ocp/db';
import type { Logger } from 'pino';
import { getPlan } from '../db/plans.ts';
import { getOverride, liveTenant } from '../db/tenants.ts';
import { effectiveLimits, METRICS, UNLIMITED } from '../domain/limits.ts';
import { anyExceeded, type Crossing, compareLevels, type Figures } from './crossings.ts';
import { type AtLimit, decideEnforcement } from './policy.ts';
import { lastFigures, lockState, saveState } from './state-store.ts';

/** What an evaluation needs to know of the tenant's plan; undefined when nothing limits it. */
export interface TenantTerms {
  plan: string;
  planLimits: PlanLimits;
  override: PartialLimits | null;
  atLimit: AtLimit;
}

/** Reads a tenant's plan, its override and its policy at 100 %, in the caller's transaction. */
export type TermsLookup = (client: PoolClient, tenantId: string) => Promise<TenantTerms | undefined>;

/** The terms from the quota service's own catalog, overrides and known tenants. */
export const catalogTerms: TermsLookup = async (client, tenantId) => {
  const tenant = await liveTenant(client, tenantId);
  if (!tenant) return undefined;
  const plan = await getPlan(client, tenant.plan);
  if (!plan) return undefined;
  const override = await getOverride(client, tenantId);
  return {
    plan: plan.name,
    planLimits: plan.limits,
    override: override?.limits ?? null,
    atLimit: plan.atLimit,
  };
};

export interface EvaluateContext {
  logger: Logger;
  warningPercent: number;
  termsOf: TermsLookup;
  now: () => Date;
}

/**
 * Evaluates one tenant in the caller's transaction: its levels against its effective limits, the
 * crossings to announce, and its enforcement. `figures` are a new sample's (a null figure keeps
 * its level); without them the tenant's last measured figures are judged again (its plan,
 * override or policy changed, or the grace check). Every event goes to the outbox in the transaction that
 * records the new state, so an evaluation that finds what the last one found publishes nothing,
 * and a crash between the two can neither lose an event nor send one twice.
 */
export async function evaluateTenant(
  client: PoolClient,
  ctx: EvaluateContext,
  tenantId: string,
  opts: { figures?: Figures; traceparent?: string | undefined } = {},
): Promise<void> {
  const now = ctx.now();
  const before = await lockState(client, tenantId);
  const terms = await ctx.termsOf(client, tenantId);
  // A tenant the catalog has no plan for is limited by nothing: what was enforced is lifted.
  const limits = terms ? effectiveLimits(terms.planLimits, terms.override ?? undefined) : UNLIMITED;
  const atLimit: AtLimit = terms?.atLimit ?? { action: 'block', graceSeconds: 0 };
  const figures = opts.figures ?? (await lastFigures(client, tenantId));
  const { levels, crossings } = compareLevels(before.levels, figures, limits, ctx.warningPercent);
  const decision = decideEnforcement(atLimit, anyExceeded(levels), before, now);
  await saveState(client, tenantId, { levels, ...decision.state, graceEndsAt: decision.graceEndsAt });

  const tp = opts.traceparent;
  for (const c of crossings) await enqueueCrossing(client, tenantId, c, tp);
  const over = overLimits(levels, figures, limits);
  if (decision.installsBlocked !== undefined) {
    await enqueueEvent(client, 'ocp.quota.enforcement_changed.v1', {
      subject: tenantId,
      data: decision.installsBlocked
        ? { tenantId, installsBlocked: true, reason: `over the limits of plan "${terms?.plan}": ${over}` }
        : { tenantId, installsBlocked: false },
      traceparent: tp,
    });
  }
  if (decision.access !== undefined) {
    const detail =
      decision.access === 'revoked'
        ? `over the limits of plan "${terms?.plan}" for longer than its grace period of ${atLimit.graceSeconds} s: ${over}`
        : 'back under every limit of its plan';
    await enqueueEvent(client, 'ocp.quota.tenant_access_changed.v1', {
      subject: tenantId,
      data: { tenantId, access: decision.access, reason: 'quota', detail },
      traceparent: tp,
    });
  }
  if (crossings.length || decision.installsBlocked !== undefined || decision.access !== undefined)
    ctx.logger.info(
      {
        tenantId,
        crossings: crossings.map((c) => `${c.metric}:${c.kind}`),
        installsBlocked: decision.installsBlocked,
        access: decision.access,
      },
      'quota levels changed',
    );
}

const figuresOf = (s: Partial<Figures> | null): Figures =>
  Object.fromEntries(METRICS.map((m) => [m, s?.[m] ?? null])) as Figures;

export { figuresOf };

async function enqueueCrossing(client: PoolClient, tenantId: string, c: Crossing, traceparent?: string) {
  const fields = { subject: tenantId, traceparent };
  switch (c.kind) {
    case 'warning':
      await enqueueEvent(client, 'ocp.quota.warning.v1', {
        ...fields,
        data: { tenantId, metric: c.metric, usage: c.usage, limit: c.limit, percent: c.percent },
      });
      return;
    case 'exceeded':
      await enqueueEvent(client, 'ocp.quota.exceeded.v1', {
        ...fields,
        data: { tenantId, metric: c.metric, usage: c.usage, limit: c.limit },
      });
      return;
    case 'back_under':
      await enqueueEvent(client, 'ocp.quota.back_under.v1', {
        ...fields,
        data: { tenantId, metric: c.metric, usage: c.usage, limit: c.limit },
      });
  }
}

/** The exceeded figures as "activeUsers 3 of 2", for the events' reason and detail. */
function overLimits(levels: QuotaLevels, figures: Figures, limits: PlanLimits): string {
  return METRICS.filter((m) => levels[m] === 'exceeded')
    .map((m) => `${m} ${figures[m] ?? '?'} of ${limits[m]}`)
    .join(', ');
}
