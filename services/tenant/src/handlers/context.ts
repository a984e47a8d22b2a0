import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import type { TenantConfig } from '../config.ts';
import type { DbServers } from '../dbserver/registry.ts';

/** What every handler of the tenant service is given. */
export interface HandlerContext {
  pool: Pool;
  servers: DbServers;
  config: TenantConfig;
  secretsKey: Buffer;
  logger: Logger;
}
