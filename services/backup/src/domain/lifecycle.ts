import type { RetentionPolicy } from './retention.ts';

/** Days a generation can reach back: a week is 7 days, a month at most 31. */
const DAYS_PER = { daily: 1, weekly: 7, monthly: 31 } as const;

/** Days past the longest retention before the bucket expires a backup: the service prunes first. */
export const EXPIRY_MARGIN_DAYS = 7;

/** Multipart uploads left incomplete (a worker killed mid-upload) are aborted after this. */
export const ABORT_INCOMPLETE_DAYS = 1;

/** The prefix every backup object is under (see `backupKey`). */
export const BACKUPS_PREFIX = 'tenants/';

export interface BucketLifecycle {
  rules: Array<{ id: string; prefix: string; expireDays: number }>;
  abortIncompleteDays: number;
  /** The longest a backup is kept by any plan's daily, weekly and monthly generations. */
  longestRetentionDays: number;
}

/** How long, in days, a policy's generations can keep a backup of a tenant backed up daily. */
export function retentionDays(p: RetentionPolicy): number {
  return Math.max(p.daily * DAYS_PER.daily, p.weekly * DAYS_PER.weekly, p.monthly * DAYS_PER.monthly);
}

/** The longest deletion grace period the tenant service allows (TENANT_DELETE_GRACE_SECONDS). */
export const MAX_DELETE_GRACE_DAYS = 90;

/**
 * The bucket's safety net behind retention: backups expire a margin after the longest any plan
 * keeps them, or a final backup is kept (taken at a deletion, kept through its grace period and
 * `finalKeepDays` after), so none outlives the policy when the service stops pruning; incomplete
 * multipart uploads are aborted, so their parts do not pile up unseen.
 */
export function bucketLifecycle(
  byPlan: ReadonlyMap<string, RetentionPolicy>,
  finalKeepDays = 0,
): BucketLifecycle {
  const longest = Math.max(
    0,
    ...[...byPlan.values()].map(retentionDays),
    finalKeepDays > 0 ? finalKeepDays + MAX_DELETE_GRACE_DAYS : 0,
  );
  return {
    rules: [{ id: 'expire-backups', prefix: BACKUPS_PREFIX, expireDays: longest + EXPIRY_MARGIN_DAYS }],
    abortIncompleteDays: ABORT_INCOMPLETE_DAYS,
    longestRetentionDays: longest,
  };
}
