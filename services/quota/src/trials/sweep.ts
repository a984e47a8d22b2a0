import { enqueueEvent, withTransaction } from '@ocp/db';
import type { TrialsContext } from './context.ts';
import { dueNotice } from './notice.ts';
import {
  claimRunningTrial,
  isPaying,
  markNoticesSent,
  markTrialEnded,
  runningTrialsBefore,
} from './store.ts';

const DAY_MS = 86_400_000;
/** Trials looked at per sweep; the rest wait for the next one. */
const BATCH = 500;

/** What one sweep did, for the logs and tests. */
export interface TrialSweep {
  notices: number;
  converted: number;
  suspended: number;
}

/**
 * Announces the trial notices that are due and ends the trials whose end has come. Safe with
 * several replicas: each trial is settled in a transaction of its own that locks its row (a row
 * another replica holds is skipped) and writes the row's change with its events in the outbox, so
 * a notice or an end is announced once whoever sweeps.
 */
export async function sweepTrials(ctx: TrialsContext): Promise<TrialSweep> {
  const now = ctx.now();
  const horizon = new Date(now.getTime() + Math.max(0, ...ctx.noticeDays) * DAY_MS);
  const done: TrialSweep = { notices: 0, converted: 0, suspended: 0 };
  for (const tenantId of await runningTrialsBefore(ctx.pool, horizon, BATCH)) {
    const outcome = await withTransaction(ctx.pool, (client) => settleTrial(ctx, client, tenantId, now));
    if (outcome) done[outcome]++;
  }
  if (done.notices + done.converted + done.suspended > 0) ctx.logger.info(done, 'trials swept');
  return done;
}

async function settleTrial(
  ctx: TrialsContext,
  client: Parameters<typeof claimRunningTrial>[0],
  tenantId: string,
  now: Date,
): Promise<keyof TrialSweep | null> {
  const trial = await claimRunningTrial(client, tenantId);
  if (!trial) return null;
  if (trial.ends_at.getTime() <= now.getTime()) {
    // Read after the lock: a subscription committed before it is seen here; one committed after
    // finds the trial ended and grants access back itself.
    const paying = await isPaying(client, tenantId);
    const state = await markTrialEnded(client, tenantId, now, paying);
    if (!state) return null;
    if (paying) {
      await enqueueEvent(client, 'ocp.quota.trial_ended.v1', {
        subject: tenantId,
        data: { tenantId, outcome: 'converted' },
      });
      return 'converted';
    }
    await enqueueEvent(client, 'ocp.quota.tenant_access_changed.v1', {
      subject: tenantId,
      data: {
        tenantId,
        access: 'revoked',
        reason: 'trial',
        detail: `the trial ended at ${trial.ends_at.toISOString()} and billing reports no active subscription`,
      },
    });
    await enqueueEvent(client, 'ocp.quota.trial_ended.v1', {
      subject: tenantId,
      data: { tenantId, outcome: 'suspended' },
    });
    return 'suspended';
  }
  const notice = dueNotice(trial.ends_at, now, ctx.noticeDays, trial.notices_sent);
  if (!notice) return null;
  if (!(await markNoticesSent(client, tenantId, trial.ends_at, notice.covers))) return null;
  await enqueueEvent(client, 'ocp.quota.trial_ending.v1', {
    subject: tenantId,
    data: { tenantId, endsAt: trial.ends_at.toISOString(), daysLeft: notice.daysLeft },
  });
  return 'notices';
}
