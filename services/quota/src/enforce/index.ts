import { type Pool, type PoolClient, withTransaction } from '@ocp/db';
import type { Logger } from 'pino';
import { type EvaluateContext, evaluateTenant, type TermsLookup } from './evaluate.ts';
import { type Figures, METRICS } from './levels.ts';
import { graceExpired } from './state-store.ts';

export type { TenantTerms, TermsLookup } from './evaluate.ts';
export type { Level, Levels, Limits, Metric } from './levels.ts';
export { effectiveLimits } from './levels.ts';
export { enforcementOf, type TenantEnforcement } from './state-store.ts';

/** The figures of a usage sample the enforcer reads (a `UsageSample`; null: not measured). */
export interface SampleFigures {
  tenantId: string;
  activeUsers: number | null;
  databaseBytes: number | null;
  filestoreBytes: number | null;
  backupBytes: number | null;
  backupGenerations: number | null;
}

/**
 * Judges a new usage sample. Call it once the sample is written: in the transaction that writes
 * it (pass `client`), so the sample, the levels and their events commit together, or after that
 * transaction (it opens its own).
 */
export type AfterSample = (sample: SampleFigures, client?: PoolClient) => Promise<void>;

export interface Enforcer {
  afterSample: AfterSample;
  /** Judges a tenant again from its last figures (its plan, override or policy changed). */
  reevaluateTenant(tenantId: string, client?: PoolClient): Promise<void>;
  /** Judges again every tenant the enforcer knows on a plan (the plan changed). */
  reevaluatePlan(plan: string, tenantsOnPlan: (client: PoolClient) => Promise<string[]>): Promise<void>;
  /** Revokes access of tenants whose grace period ran out since their last sample. */
  revokeAfterGrace(): Promise<number>;
}

export interface EnforcerDeps {
  pool: Pool;
  logger: Logger;
  warningPercent: number;
  termsOf: TermsLookup;
  now?: () => Date;
}

/** The thresholds and enforcement of the quota service, over its database and outbox. */
export function createEnforcer(deps: EnforcerDeps): Enforcer {
  const ctx: EvaluateContext = {
    logger: deps.logger.child({ part: 'enforce' }),
    warningPercent: deps.warningPercent,
    termsOf: deps.termsOf,
    ...(deps.now ? { now: deps.now } : {}),
  };
  const inTx = <T>(client: PoolClient | undefined, fn: (c: PoolClient) => Promise<T>) =>
    client ? fn(client) : withTransaction(deps.pool, fn);
  return {
    afterSample: (sample, client) =>
      inTx(client, (c) => evaluateTenant(c, ctx, sample.tenantId, { figures: figuresOf(sample) })),
    reevaluateTenant: (tenantId, client) => inTx(client, (c) => evaluateTenant(c, ctx, tenantId)),
    async reevaluatePlan(_plan, tenantsOnPlan) {
      const ids = await withTransaction(deps.pool, tenantsOnPlan);
      // One transaction per tenant: a plan with thousands of tenants never holds them all locked.
      for (const id of ids) await withTransaction(deps.pool, (c) => evaluateTenant(c, ctx, id));
    },
    async revokeAfterGrace() {
      const ids = await graceExpired(deps.pool, ctx.now?.() ?? new Date(), 500);
      for (const id of ids) await withTransaction(deps.pool, (c) => evaluateTenant(c, ctx, id));
      return ids.length;
    },
  };
}

const figuresOf = (s: SampleFigures): Figures =>
  Object.fromEntries(METRICS.map((m) => [m, s[m] ?? null])) as Figures;
