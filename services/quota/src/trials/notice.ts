const DAY_MS = 86_400_000;

/** The trial-ending notice to send now, if any. */
export interface DueNotice {
  /** The notice day (of `QUOTA_TRIAL_NOTICE_DAYS`) this notice is for. */
  day: number;
  /** Whole days left before the end, rounded up (what the tenant is told). */
  daysLeft: number;
  /** The notice days this one stands for: itself and any earlier one skipped as stale. */
  covers: number[];
}

/**
 * Which notice is due at `now` for a trial ending at `endsAt`. Only the nearest due notice goes
 * out: a trial that starts (or is moved to end) 2 days from now is told "2 days left" once, not
 * also the 7- and 3-day notices it has passed, which are then counted as sent. Nothing is due once
 * the end has come: the end itself is announced by `quota.trial_ended`.
 */
export function dueNotice(
  endsAt: Date,
  now: Date,
  noticeDays: readonly number[],
  sent: readonly number[],
): DueNotice | null {
  const left = endsAt.getTime() - now.getTime();
  if (left <= 0) return null;
  const due = noticeDays.filter((d) => left <= d * DAY_MS && !sent.includes(d));
  if (due.length === 0) return null;
  const day = Math.min(...due);
  return { day, daysLeft: Math.ceil(left / DAY_MS), covers: due };
}
