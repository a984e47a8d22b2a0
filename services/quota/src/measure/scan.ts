import type { UsageSample } from '@ocp/contracts';
import { type Pool, type PoolClient, withTransaction } from '@ocp/db';
import { pauseUnlessAborted } from '@ocp/service-kit';
import type { Logger } from 'pino';
import { type MeasureDeps, measureTenant } from './measure-tenant.ts';
import { recordSample } from './record-sample.ts';
import { claimDueTenants, markMeasured, releaseClaim, tickOf } from './schedule.ts';

/**
 * What a recorded sample sets off: the enforcer's `afterSample` (services/quota/src/enforce),
 * given the transaction that records the sample, so that the levels it changes and the events it
 * enqueues commit with the sample or not at all.
 */
export type AfterSample = (sample: UsageSample, client: PoolClient) => Promise<void>;

export interface ScanDeps extends MeasureDeps {
  pool: Pool;
  logger: Logger;
  /** QUOTA_SCAN_INTERVAL_MS: each tenant is measured once per interval. */
  intervalMs: number;
  /** Tenants measured at once by this replica; the connections are bounded per server apart from this. */
  concurrency: number;
  afterSample: AfterSample;
  /** Told of each sample once it is recorded (metrics). */
  onRecorded?: (sample: UsageSample) => void;
}

/**
 * Measures a tenant and records the sample, its place in the scan and what the sample sets off
 * (`deps.afterSample`: thresholds and enforcement) in one transaction; answers the sample.
 */
export async function measureAndRecord(deps: ScanDeps, tenantId: string): Promise<UsageSample> {
  const sample = await measureTenant(deps, tenantId);
  await withTransaction(deps.pool, async (client) => {
    await recordSample(client, sample);
    await markMeasured(client, tenantId, sample.measuredAt);
    await deps.afterSample(sample, client);
  });
  deps.onRecorded?.(sample);
  if (sample.error) deps.logger.warn({ tenantId, error: sample.error }, 'tenant usage measured only in part');
  return sample;
}

/** The background scan; `stop` waits for the measurements in flight. */
export interface MeasureScan {
  stop(): Promise<void>;
  /**
   * One look: claims the due tenants a batch at a time and measures them until none is due (or
   * `signal` aborts); answers how many were measured.
   */
  runOnce(signal?: AbortSignal): Promise<number>;
}

/**
 * The scan: with `autoStart` (the default) it looks every `tickOf(intervalMs)` by itself;
 * without, the caller runs `runOnce` (the service through its runtime's `every`, tests, the
 * benchmark).
 */
export function startMeasureScan(deps: ScanDeps, opts: { autoStart?: boolean } = {}): MeasureScan {
  const tickMs = tickOf(deps.intervalMs);
  // A claim outlives a slow measurement (a connection timeout plus a large filestore).
  const leaseMs = Math.max(5 * 60_000, tickMs * 4);
  const controller = new AbortController();
  let running: Promise<void> = Promise.resolve();

  const measureOne = async (tenantId: string) => {
    try {
      await measureAndRecord(deps, tenantId);
    } catch (err) {
      // Only recording failing lands here (the quota database, or what afterSample does): a
      // tenant's own faults are in its sample. The claim is kept until it runs out, so a tenant
      // whose sample cannot be recorded is retried a lease later, not again and again at once.
      deps.logger.error({ err, tenantId }, 'usage sample not recorded; retried when its claim runs out');
    }
  };

  /** Claims a batch at a time and keeps `concurrency` measurements going until none is due. */
  const runOnce = async (signal?: AbortSignal): Promise<number> => {
    let measured = 0;
    for (;;) {
      if (controller.signal.aborted || signal?.aborted) return measured;
      const due = await claimDueTenants(deps.pool, {
        now: deps.now(),
        intervalMs: deps.intervalMs,
        limit: deps.concurrency * 4,
        leaseMs,
      });
      if (due.length === 0) return measured;
      let next = 0;
      const lane = async () => {
        while (next < due.length) {
          const tenantId = due[next++]!;
          // On a stop, the measurements under way finish and the rest are handed back at once,
          // so the next replica (or start) takes them without waiting for the claims to run out.
          if (controller.signal.aborted || signal?.aborted) {
            await releaseClaim(deps.pool, tenantId).catch(() => {});
            continue;
          }
          await measureOne(tenantId);
          measured++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(deps.concurrency, due.length) }, lane));
    }
  };

  const loop = async () => {
    while (!controller.signal.aborted) {
      await runOnce().catch((err: unknown) => deps.logger.error({ err }, 'usage scan look failed'));
      await pauseUnlessAborted(tickMs, controller.signal);
    }
  };
  if (opts.autoStart !== false) running = loop();

  return {
    runOnce,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
