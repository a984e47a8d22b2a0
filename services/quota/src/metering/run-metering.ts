import type { ServiceRuntime } from '@ocp/service-kit';
import type { QuotaConfig } from '../config.ts';
import type { QuotaContext } from '../handlers/context.ts';
import { registerMeteringMetrics } from './metrics.ts';
import { createPaddleUsageReporter } from './paddle-reporter.ts';
import { type MeteringContext, reportMeteredUsage } from './report-usage.ts';
import { createStripeUsageReporter } from './stripe-reporter.ts';

/**
 * Starts metered usage: a run every `QUOTA_METERING_RUN_INTERVAL_MS` reports the current period
 * (`QUOTA_METERING_INTERVAL_MS` long) of each usage-priced tenant not reported yet, to the
 * providers whose API key is configured.
 */
export function runMetering(rt: ServiceRuntime<QuotaConfig>, ctx: QuotaContext): MeteringContext {
  const c = rt.config;
  const metering: MeteringContext = {
    pool: ctx.pool,
    logger: ctx.logger.child({ part: 'metering' }),
    metrics: registerMeteringMetrics(rt.registry),
    intervalMs: c.QUOTA_METERING_INTERVAL_MS,
    stripe: c.STRIPE_API_KEY
      ? createStripeUsageReporter({ apiKey: c.STRIPE_API_KEY, apiBase: c.STRIPE_API_BASE })
      : undefined,
    paddle: c.PADDLE_API_KEY
      ? createPaddleUsageReporter({ apiKey: c.PADDLE_API_KEY, apiBase: c.PADDLE_API_BASE })
      : undefined,
    now: ctx.now,
  };
  rt.every('metered usage', c.QUOTA_METERING_RUN_INTERVAL_MS, (signal) =>
    reportMeteredUsage(metering, signal),
  );
  return metering;
}
