import { Counter, type Registry } from 'prom-client';

/** What became of one tenant's report in a metering run. */
export type ReportOutcome = 'reported' | 'failed' | 'no_subscription' | 'no_usage' | 'not_configured';

/** Metrics of metered usage. */
export interface MeteringMetrics {
  run(): void;
  report(provider: string, outcome: ReportOutcome): void;
}

export const noMeteringMetrics: MeteringMetrics = { run() {}, report() {} };

export function registerMeteringMetrics(registry: Registry): MeteringMetrics {
  const runs = new Counter({
    name: 'ocp_quota_metering_runs_total',
    help: 'Metering runs completed (each reports the periods not reported yet).',
    registers: [registry],
  });
  const reports = new Counter({
    name: 'ocp_quota_usage_reports_total',
    help: 'Metered usage reports, by provider and outcome (reported, failed, no_subscription, no_usage, not_configured).',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
  });
  return {
    run: () => runs.inc(),
    report: (provider, outcome) => reports.inc({ provider, outcome }),
  };
}
