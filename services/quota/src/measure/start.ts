import type { Bus, EventHandler, RpcHandler } from '@ocp/bus';
import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import { BACKUP_USAGE_TYPES, backupUsageHandler } from './backup-usage.ts';
import { locateThroughTenantService } from './locate.ts';
import { measureNowHandler } from './measure-now.ts';
import { type MeasureScan, type ScanDeps, startMeasureScan } from './scan.ts';
import { createServerConnections, type ServerConnections } from './server-connections.ts';

export interface MeasurementOptions {
  pool: Pool;
  bus: Bus;
  logger: Logger;
  /** QUOTA_DB_ADMIN_URL. */
  adminUrl: string;
  /** QUOTA_DB_SERVERS, parsed. */
  servers: ReadonlyMap<string, string>;
  /** QUOTA_MAX_CONNECTIONS_PER_SERVER. */
  maxPerServer: number;
  /** QUOTA_SCAN_INTERVAL_MS. */
  intervalMs: number;
  /** How long to wait for the tenant service to say where a tenant's data is. */
  tenantRpcTimeoutMs: number;
  now?: () => Date;
}

/** Measurement as the service runs it; the service serves and consumes what it hands out. */
export interface Measurement {
  connections: ServerConnections;
  scan: MeasureScan;
  /** Serve as `quota.measure.now.v1`. */
  measureNow: RpcHandler<'quota.measure.now.v1'>;
  /** Consume `BACKUP_USAGE_TYPES` with it on the durable `quotaBackupEvents`. */
  backupUsage: EventHandler<(typeof BACKUP_USAGE_TYPES)[number]>;
  stop(): Promise<void>;
}

/** Starts the scan and makes the handlers of measurement. */
export function startMeasurement(o: MeasurementOptions): Measurement {
  const connections = createServerConnections({
    defaultUrl: o.adminUrl,
    servers: o.servers,
    maxPerServer: o.maxPerServer,
  });
  const deps: ScanDeps = {
    db: o.pool,
    pool: o.pool,
    logger: o.logger,
    connections,
    locate: locateThroughTenantService(o.bus, o.tenantRpcTimeoutMs),
    now: o.now ?? (() => new Date()),
    intervalMs: o.intervalMs,
    // Enough measurements in flight to keep every server's slots busy while filestores are walked.
    concurrency: Math.max(4, o.maxPerServer * 4),
  };
  const scan = startMeasureScan(deps);
  return {
    connections,
    scan,
    measureNow: measureNowHandler(deps),
    backupUsage: backupUsageHandler(o.pool),
    stop: () => scan.stop(),
  };
}

export { BACKUP_USAGE_TYPES };
