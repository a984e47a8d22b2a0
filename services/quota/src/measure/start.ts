import type { EventHandler, RpcHandler } from '@ocp/bus';
import type { Registry } from 'prom-client';
import type { QuotaContext } from '../handlers/context.ts';
import { locateTenant } from '../handlers/tenants.ts';
import { BACKUP_USAGE_TYPES, backupUsageHandler } from './backup-usage.ts';
import { parseDbServers } from './db-servers.ts';
import { locateKnownTenant } from './locate.ts';
import { measureNowHandler } from './measure-now.ts';
import { registerMeasureMetrics } from './metrics.ts';
import { type AfterSample, type MeasureScan, type ScanDeps, startMeasureScan } from './scan.ts';
import { tickOf } from './schedule.ts';
import { createServerConnections, type ServerConnections } from './server-connections.ts';

/** Measurement as the service runs it; the service serves and consumes what it hands out. */
export interface Measurement {
  connections: ServerConnections;
  scan: MeasureScan;
  /** Serve as `quota.measure.now.v1`. */
  measureNow: RpcHandler<'quota.measure.now.v1'>;
  /** Consume `BACKUP_USAGE_TYPES` with it on the durable `quotaBackupEvents`. */
  backupUsage: EventHandler<(typeof BACKUP_USAGE_TYPES)[number]>;
  /** Stops the scan, waiting for the measurements in flight. */
  stop(): Promise<void>;
}

/**
 * The measurement's dependencies from the service's context (the scan not started); `afterSample`
 * is the enforcer's.
 */
export function measureDepsOf(ctx: QuotaContext, afterSample: AfterSample): ScanDeps {
  const connections = createServerConnections({
    defaultUrl: ctx.config.QUOTA_DB_ADMIN_URL,
    servers: parseDbServers(ctx.config.QUOTA_DB_SERVERS).map,
    maxPerServer: ctx.config.QUOTA_MAX_CONNECTIONS_PER_SERVER,
  });
  return {
    db: ctx.pool,
    pool: ctx.pool,
    logger: ctx.logger,
    connections,
    locate: locateKnownTenant(ctx.pool, (t) => locateTenant(ctx, t)),
    now: () => ctx.now(),
    intervalMs: ctx.config.QUOTA_SCAN_INTERVAL_MS,
    // Enough measurements in flight to keep a server's slots busy while filestores are walked.
    concurrency: ctx.config.QUOTA_MAX_CONNECTIONS_PER_SERVER * 4,
    afterSample,
  };
}

/** How the service runs a periodic task: its runtime's `every` (never two runs at once; the stop waits). */
export type Every = (
  name: string,
  intervalMs: number,
  task: (signal: AbortSignal) => Promise<unknown>,
) => void;

/**
 * Starts the scan on the service's runtime (`every`) and makes the handlers of measurement; each
 * recorded sample goes to `afterSample` (the enforcer's) in the transaction that records it.
 */
export function startMeasurement(
  ctx: QuotaContext,
  every: Every,
  afterSample: AfterSample,
  registry?: Registry,
): Measurement {
  const base = measureDepsOf(ctx, afterSample);
  const deps: ScanDeps = registry ? { ...base, onRecorded: registerMeasureMetrics(registry, base) } : base;
  const scan = startMeasureScan(deps, { autoStart: false });
  every('quota-usage-scan', tickOf(deps.intervalMs), (signal) => scan.runOnce(signal));
  return {
    connections: deps.connections,
    scan,
    measureNow: measureNowHandler(deps),
    backupUsage: backupUsageHandler(ctx.pool),
    stop: () => scan.stop(),
  };
}

export { type AfterSample, BACKUP_USAGE_TYPES };
