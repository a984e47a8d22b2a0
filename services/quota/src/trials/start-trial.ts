import type { Queryable } from '@ocp/db';
import { insertTrial } from './store.ts';

const DAY_MS = 86_400_000;

/**
 * Starts the trial of a tenant created (or activated) on a plan with `trialDays`, from `at` (the
 * time of the lifecycle event, so a late delivery does not lengthen it), in the caller's
 * transaction. A tenant that has had a trial keeps it as it is. True when one was started.
 */
export async function startPlanTrial(
  db: Queryable,
  tenantId: string,
  trialDays: number | null | undefined,
  at: Date,
): Promise<boolean> {
  if (trialDays === null || trialDays === undefined || trialDays <= 0) return false;
  return await insertTrial(db, tenantId, at, new Date(at.getTime() + trialDays * DAY_MS));
}
