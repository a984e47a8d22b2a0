import { Gauge, type Registry } from 'prom-client';
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

/**
 * The quota service's figures of its tenants against their plans, read from its tables at each
 * scrape (every replica the same figure: take the `max`): tenants at the warning level and over a
 * limit, per figure, from the levels the enforcement keeps; trials by state. The measurement's own
 * figures are its own (measure/metrics.ts). No series carries a tenant.
 */
export function registerQuotaMetrics(registry: Registry, ctx: Pick<QuotaContext, 'pool'>): void {
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
}
