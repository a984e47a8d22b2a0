import { fileURLToPath } from 'node:url';
import { durables, streams } from '@ocp/contracts';
import { defineService, type Logger, type RunningService, runService } from '@ocp/service-kit';
import { checkConfig, configSchema, type QuotaConfig } from './config.ts';
import { runtimeGrants } from './db/grants.ts';
import { createEnforcer } from './enforce/index.ts';
import { moduleCheckHandler } from './enforce/module-check.ts';
import type { QuotaContext } from './handlers/context.ts';
import { deleteOverrideHandler, putOverrideHandler } from './handlers/overrides.ts';
import { deletePlanHandler, getPlanHandler, listPlansHandler, putPlanHandler } from './handlers/plans.ts';
import { getTenantQuotaHandler } from './handlers/tenant-quota.ts';
import { FOLLOWED_TENANT_TYPES, tenantProjectionHandler } from './handlers/tenants.ts';
import { usageHistoryHandler } from './handlers/usage-history.ts';
import { type AfterSample, BACKUP_USAGE_TYPES, startMeasurement } from './measure/start.ts';
import { runMetering } from './metering/run-metering.ts';
import { registerQuotaMetrics } from './metrics.ts';
import { runTrials } from './trials/run-trials.ts';

/** Durable consumers of the quota service, shared by every replica. */
export const QUOTA_DURABLES = {
  tenants: durables.quotaTenants.durable,
  backups: durables.quotaBackupEvents.durable,
  billing: durables.quotaBilling.durable,
} as const;

/**
 * The quota service: the plan catalog, tenants' overrides, usage history and quota status; its
 * announcements leave through its outbox.
 */
export const quotaService = defineService({
  name: 'quota',
  configSchema,
  checkConfig,
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  grants: runtimeGrants,
  poolMax: (c) => c.DB_POOL_MAX,
  streams: [streams.quotaEvents],
  outbox: { pollMs: (c) => c.OUTBOX_POLL_MS },
  async start(rt) {
    const now = () => new Date();
    const enforcer = createEnforcer({
      pool: rt.pool,
      logger: rt.logger,
      warningPercent: rt.config.QUOTA_WARNING_PERCENT,
      now,
    });
    const ctx: QuotaContext = {
      pool: rt.pool,
      bus: rt.bus,
      config: rt.config,
      logger: rt.logger,
      now,
      enforcer,
    };
    // A suspension after a grace period does not wait for the tenant's next measurement.
    rt.every('quota grace check', rt.config.QUOTA_ENFORCE_CHECK_MS, () => enforcer.revokeAfterGrace());
    registerQuotaMetrics(rt.registry, ctx);
    rt.bus.serve('quota.plans.list.v1', listPlansHandler(ctx));
    rt.bus.serve('quota.plans.get.v1', getPlanHandler(ctx));
    rt.bus.serve('quota.plans.put.v1', putPlanHandler(ctx));
    rt.bus.serve('quota.plans.delete.v1', deletePlanHandler(ctx));
    rt.bus.serve('quota.overrides.put.v1', putOverrideHandler(ctx));
    rt.bus.serve('quota.overrides.delete.v1', deleteOverrideHandler(ctx));
    rt.bus.serve('quota.tenant.get.v1', getTenantQuotaHandler(ctx));
    rt.bus.serve('quota.usage.history.v1', usageHistoryHandler(ctx));
    rt.bus.serve('quota.module.check.v1', moduleCheckHandler(ctx));
    await rt.bus.consume(
      {
        durable: QUOTA_DURABLES.tenants,
        stream: streams.tenantEvents,
        types: FOLLOWED_TENANT_TYPES,
        deliverFrom: 'all',
        maxDeliver: -1,
        concurrency: 4,
      },
      tenantProjectionHandler(ctx),
    );
    // Measurement: the scan, `quota.measure.now` and backup storage from the backup events.
    // Thresholds and enforcement judge each sample at `afterSample` (services/quota/src/enforce).
    const afterSample: AfterSample = (sample, client) => enforcer.afterSample(sample, client);
    const measurement = startMeasurement(
      ctx,
      (name, ms, task) => rt.every(name, ms, task),
      afterSample,
      rt.registry,
    );
    rt.bus.serve('quota.measure.now.v1', measurement.measureNow);
    await rt.bus.consume(
      {
        durable: QUOTA_DURABLES.backups,
        stream: streams.backupEvents,
        types: BACKUP_USAGE_TYPES,
        deliverFrom: 'all',
        maxDeliver: -1,
        concurrency: 4,
      },
      measurement.backupUsage,
    );
    await runTrials(rt, ctx);
    runMetering(rt, ctx);
    return { ctx };
  },
});

/** A started quota service: its logger, bus, port, handler context and close. */
export type QuotaService = RunningService<QuotaConfig, { ctx: QuotaContext }>;

/** Starts the quota service with a parsed config (as `main` does, without the process wiring). */
export async function startQuotaService(config: QuotaConfig, logger?: Logger): Promise<QuotaService> {
  return await runService(quotaService, config, logger ? { logger } : {});
}
