import type { Bus } from '@ocp/bus';
import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import type { QuotaConfig } from '../config.ts';

/** What every handler of the quota service is given. */
export interface QuotaContext {
  pool: Pool;
  bus: Bus;
  config: QuotaConfig;
  logger: Logger;
  /** The clock; tests may move it. */
  now(): Date;
}
