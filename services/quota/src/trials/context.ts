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
