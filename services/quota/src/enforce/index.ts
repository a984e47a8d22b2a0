import type { UsageSample } from '@ocp/contracts';
import { type Pool, type PoolClient, withTransaction } from '@ocp/db';
import type { Logger } from 'pino';
import {
  catalogTerms,
  type EvaluateContext,
  evaluateTenant,
  figuresOf,
  type TermsLookup,
} from './evaluate.ts';
import { graceExpired } from './state-store.ts';

export type { TenantTerms, TermsLookup } from './evaluate.ts';

/**
 * Judges a new usage sample: levels, crossings announced once, enforcement. Call it once the
 * sample is written: in the transaction that writes it (pass `client`), so the sample, the
 * levels and their events commit together; or after it (it opens its own transaction).
 */
export type AfterSample = (sample: UsageSample, client?: PoolClient) => Promise<void>;

/** The thresholds and enforcement of the quota service. */
export interface Enforcer {
  afterSample: AfterSample;
  /** Judges a tenant again from its latest sample (its plan, override or policy changed). */
  reevaluateTenant(tenantId: string, client?: PoolClient): Promise<void>;
  /** Judges again every live tenant on a plan (the plan changed), one transaction each. */
  reevaluatePlan(plan: string): Promise<void>;
  /** Revokes access of tenants whose grace period ran out since their last evaluation. */
  revokeAfterGrace(): Promise<number>;
}

export interface EnforcerDeps {
  pool: Pool;
  logger: Logger;
  warningPercent: number;
  /** Where the tenant's plan, override and policy come from; the catalog's tables by default. */
  termsOf?: TermsLookup;
  now?: () => Date;
}

/** The enforcer over the quota service's database and outbox. */
export function createEnforcer(deps: EnforcerDeps): Enforcer {
  const ctx: EvaluateContext = {
    logger: deps.logger.child({ part: 'enforce' }),
    warningPercent: deps.warningPercent,
    termsOf: deps.termsOf ?? catalogTerms,
    now: deps.now ?? (() => new Date()),
  };
  const inTx = <T>(client: PoolClient | undefined, fn: (c: PoolClient) => Promise<T>) =>
    client ? fn(client) : withTransaction(deps.pool, fn);
  return {
    afterSample: (sample, client) =>
      inTx(client, (c) => evaluateTenant(c, ctx, sample.tenantId, { figures: figuresOf(sample) })),
    reevaluateTenant: (tenantId, client) => inTx(client, (c) => evaluateTenant(c, ctx, tenantId)),
    async reevaluatePlan(plan) {
      const { rows } = await deps.pool.query<{ tenant_id: string }>(
        `SELECT tenant_id FROM known_tenants WHERE plan = $1 AND state <> 'deleted'`,
        [plan],
      );
      // One transaction per tenant: a plan with thousands of tenants never holds them all locked.
      for (const { tenant_id } of rows)
        await withTransaction(deps.pool, (c) => evaluateTenant(c, ctx, tenant_id));
    },
    async revokeAfterGrace() {
      const ids = await graceExpired(deps.pool, ctx.now(), 500);
      for (const id of ids) await withTransaction(deps.pool, (c) => evaluateTenant(c, ctx, id));
      return ids.length;
    },
  };
}
