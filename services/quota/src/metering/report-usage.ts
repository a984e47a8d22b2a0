import { enqueueEvent, type Pool, withTransaction } from '@ocp/db';
import type { Logger } from 'pino';
import type { MeteringMetrics, ReportOutcome } from './metrics.ts';
import type { PaddleUsageReporter } from './paddle-reporter.ts';
import { meteringPeriodOf } from './period.ts';
import { UsageReportError } from './provider-error.ts';
import { type MeteredTenant, meteredTenantsDue, recordUsageReport } from './store.ts';
import type { StripeUsageReporter } from './stripe-reporter.ts';

/** What the metering run is given. */
export interface MeteringContext {
  pool: Pool;
  logger: Logger;
  metrics: MeteringMetrics;
  /** `QUOTA_METERING_INTERVAL_MS`: the length of a period. */
  intervalMs: number;
  /** The providers whose API key is configured. */
  stripe?: StripeUsageReporter | undefined;
  paddle?: PaddleUsageReporter | undefined;
  now(): Date;
}

/** Tenants reported per run; the rest wait for the next run of the same period. */
const BATCH = 200;

/**
 * Reports the current period's active users of every tenant on a usage-priced plan that has not
 * been reported yet. The record of a period is written, with its `quota.usage_reported`, only after
 * the provider accepted it: a refusal leaves the period due and the next run tries again. A crash
 * between the two sends the period again, which the providers take once (Stripe keeps one event
 * per identifier, Paddle's quantity is set, not added). Runs often (each run is cheap when all is
 * reported), so a retry comes soon after an outage.
 */
export async function reportMeteredUsage(ctx: MeteringContext, signal?: AbortSignal): Promise<void> {
  const now = ctx.now();
  const period = meteringPeriodOf(now, ctx.intervalMs);
  for (const tenant of await meteredTenantsDue(ctx.pool, period, BATCH)) {
    if (signal?.aborted) break;
    const outcome = await reportOne(ctx, tenant, period, now);
    ctx.metrics.report(tenant.provider, outcome);
  }
  ctx.metrics.run();
}

async function reportOne(
  ctx: MeteringContext,
  t: MeteredTenant,
  period: string,
  now: Date,
): Promise<ReportOutcome> {
  const log = ctx.logger.child({ tenantId: t.tenantId, provider: t.provider, period });
  if (t.activeUsers === null) return 'no_usage';
  let quantity = t.activeUsers;
  try {
    if (t.provider === 'stripe') {
      if (!ctx.stripe) return 'not_configured';
      if (!t.customerId || !t.meterEventName) return 'no_subscription';
      await ctx.stripe.report({
        meterEventName: t.meterEventName,
        customerId: t.customerId,
        quantity,
        identifier: `${t.tenantId}:${period}`,
      });
    } else {
      if (!ctx.paddle) return 'not_configured';
      if (!t.subscriptionId || !t.priceId) return 'no_subscription';
      quantity = await ctx.paddle.report({ subscriptionId: t.subscriptionId, priceId: t.priceId, quantity });
    }
  } catch (err) {
    if (!(err instanceof UsageReportError)) throw err;
    log.warn(
      { err: err.message, permanent: err.permanent },
      'metered usage not accepted; the next run tries again',
    );
    return 'failed';
  }
  await withTransaction(ctx.pool, async (client) => {
    const recorded = await recordUsageReport(client, {
      tenantId: t.tenantId,
      period,
      provider: t.provider,
      quantity,
      at: now,
    });
    if (!recorded) return;
    await enqueueEvent(client, 'ocp.quota.usage_reported.v1', {
      subject: t.tenantId,
      data: { tenantId: t.tenantId, provider: t.provider, period, quantity },
    });
  });
  log.info({ quantity }, 'metered usage reported');
  return 'reported';
}
