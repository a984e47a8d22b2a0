import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QuotaContext } from './handlers/context.ts';

/** The figures a plan limits, as the `metric` label names them (the contracts' QuotaMetric). */
const METRICS = [
  'activeUsers',
  'databaseBytes',
  'filestoreBytes',
  'backupBytes',
  'backupGenerations',
] as const;
const TRIAL_STATES = ['running', 'converted', 'ended'] as const;

/** What the scan counts as it goes: each tenant measured, by outcome, and each whole scan's duration. */
export interface QuotaScanMetrics {
  /** One tenant measured: `ok`, or `error` when a figure could not be read (also a scan error). */
  measured(outcome: 'ok' | 'error'): void;
  /** A scan over every tenant due ended after `seconds`. */
  scanned(seconds: number): void;
}

/**
 * The quota service's figures. Read from its tables at each scrape (every replica the same figure:
 * take the `max`): tenants at the warning level and over a limit, per figure, from the levels the
 * enforcement keeps; trials by state. Counted by the process (sum across replicas): measurements
 * by outcome, measurement errors, scan durations. No series carries a tenant.
 */
export function registerQuotaMetrics(registry: Registry, ctx: Pick<QuotaContext, 'pool'>): QuotaScanMetrics {
  const { pool } = ctx;
  /** Live tenants whose last seen level of each figure is `level`, by figure (every figure at 0 first). */
  const byLevel = async (gauge: Gauge<'metric'>, level: string) => {
    const { rows } = await pool.query<{ metric: string; n: string }>(
      `SELECT m.metric, count(*) AS n
         FROM quota_states s
         JOIN known_tenants k ON k.tenant_id = s.tenant_id AND k.state <> 'deleted'
         CROSS JOIN LATERAL jsonb_each_text(s.levels) AS m(metric, level)
        WHERE m.level = $1
        GROUP BY m.metric`,
      [level],
    );
    gauge.reset();
    for (const metric of METRICS) gauge.set({ metric }, 0);
    for (const r of rows)
      if ((METRICS as readonly string[]).includes(r.metric)) gauge.set({ metric: r.metric }, Number(r.n));
  };
  new Gauge({
    name: 'ocp_quota_tenants_over_limit',
    help: 'Tenants over a limit of their plan (with their override), by figure, as last measured.',
    labelNames: ['metric'],
    registers: [registry],
    async collect() {
      await byLevel(this, 'exceeded');
    },
  });
  new Gauge({
    name: 'ocp_quota_tenants_warning',
    help: 'Tenants at or over the warning threshold (QUOTA_WARNING_PERCENT) and not over the limit, by figure.',
    labelNames: ['metric'],
    registers: [registry],
    async collect() {
      await byLevel(this, 'warning');
    },
  });
  new Gauge({
    name: 'ocp_quota_trials',
    help: 'Trials by state: running, converted (the tenant pays), ended.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ state: string; n: string }>(
        'SELECT state, count(*) AS n FROM trials GROUP BY state',
      );
      this.reset();
      for (const state of TRIAL_STATES) this.set({ state }, 0);
      for (const r of rows) this.set({ state: r.state }, Number(r.n));
    },
  });
  const measurements = new Counter({
    name: 'ocp_quota_measurements_total',
    help: 'Tenants measured, by outcome (error: a figure could not be read).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of ['ok', 'error']) measurements.inc({ outcome }, 0);
  const errors = new Counter({
    name: 'ocp_quota_scan_errors_total',
    help: 'Tenants whose measurement failed (database dropped or unreachable, filestore unreadable); the scan goes on.',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ocp_quota_scan_duration_seconds',
    help: 'Time a scan over every tenant due took.',
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  return {
    measured(outcome) {
      measurements.inc({ outcome });
      if (outcome === 'error') errors.inc();
    },
    scanned(seconds) {
      duration.observe(seconds);
    },
  };
}
