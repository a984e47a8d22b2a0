import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import type { BillingConfig } from '../config.ts';
import type { BillingMetrics } from '../metrics.ts';

/** What every handler of the billing service is given. */
export interface HandlerContext {
  pool: Pool;
  config: BillingConfig;
  logger: Logger;
  metrics: BillingMetrics;
  /** `BILLING_PLAN_MAP`: provider price or product id to platform plan. */
  planMap: ReadonlyMap<string, string>;
  /** The clock; tests may move it. */
  now(): Date;
}
