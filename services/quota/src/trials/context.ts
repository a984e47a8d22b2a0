import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';

/** What the trial code is given by the service. */
export interface TrialsContext {
  pool: Pool;
  logger: Logger;
  /** `QUOTA_TRIAL_NOTICE_DAYS`: how many days before a trial's end `quota.trial_ending` goes out. */
  noticeDays: readonly number[];
  /** The clock; tests may move it. */
  now(): Date;
}

/** `QUOTA_TRIAL_NOTICE_DAYS` (`"7,3,1"`) as days, largest first; the problem when it is not that. */
export function parseNoticeDays(raw: string): { days: number[]; problem?: string } {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const days = parts.map(Number);
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 365)) {
    return {
      days: [],
      problem: `QUOTA_TRIAL_NOTICE_DAYS is ${JSON.stringify(raw)}: give whole days from 1 to 365, comma-separated, e.g. "7,3,1"`,
    };
  }
  return { days: [...new Set(days)].sort((a, b) => b - a) };
}
