import { durables, streams } from '@ocp/contracts';
import type { ServiceRuntime } from '@ocp/service-kit';
import { type QuotaConfig, trialNoticeDays } from '../config.ts';
import type { QuotaContext } from '../handlers/context.ts';
import type { TrialsContext } from './context.ts';
import { putTrialHandler } from './put-trial-handler.ts';
import { applySubscriptionChange } from './subscriptions.ts';
import { sweepTrials } from './sweep.ts';

/**
 * Starts the trial part of the quota service: `quota.trial.put`, billing's subscriptions
 * (`EVENTS_BILLING`, durable `quota-billing`) and the sweep of notices and ends.
 */
export async function runTrials(rt: ServiceRuntime<QuotaConfig>, ctx: QuotaContext): Promise<TrialsContext> {
  const trials: TrialsContext = {
    pool: ctx.pool,
    logger: ctx.logger.child({ part: 'trials' }),
    noticeDays: trialNoticeDays(rt.config),
    now: ctx.now,
  };
  rt.bus.serve('quota.trial.put.v1', putTrialHandler(ctx, trials));
  await rt.bus.consume(
    {
      durable: durables.quotaBilling.durable,
      stream: streams.billingEvents,
      types: ['ocp.billing.subscription_changed.v1'],
      deliverFrom: 'all',
      maxDeliver: -1,
      concurrency: 4,
    },
    async (event, delivery) => {
      await applySubscriptionChange(trials, event.data.subscription, delivery.traceparent);
    },
  );
  rt.every('trial sweep', rt.config.QUOTA_TRIAL_SWEEP_INTERVAL_MS, () => sweepTrials(trials));
  return trials;
}
