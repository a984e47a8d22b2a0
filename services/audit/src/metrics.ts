import type { Pool } from '@ocp/db';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AppendResult } from './db/log.ts';
import { readHead } from './db/log.ts';

/** Domain metrics of the audit log. */
export interface AuditMetrics {
  /** Records one appended batch and how long it took. */
  appended(result: AppendResult, seconds: number): void;
  /** Records one checkpoint run and what came of it. */
  checkpointed(result: string): void;
}

export function registerAuditMetrics(registry: Registry, pool: Pool): AuditMetrics {
  const entries = new Counter({
    name: 'ocp_audit_entries_appended_total',
    help: 'Entries appended to the audit log by this process.',
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'ocp_audit_duplicates_dropped_total',
    help: 'Events not appended because an entry with their id was already in the log (redeliveries, re-publishes).',
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'ocp_audit_append_batch_duration_seconds',
    help: 'Time to append one batch: its transaction, from the head lock to the commit.',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'ocp_audit_append_lag_seconds',
    help: "Time from an event's own time to its entry's commit in the audit log: how far the log runs behind what happened.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const checkpoints = new Counter({
    name: 'ocp_audit_checkpoint_runs_total',
    help: 'Checkpoint runs by result: signed, unchanged, empty, superseded (another replica signed first), refused (the log disagrees with its last checkpoint; alert above 0), failed.',
    labelNames: ['result'],
    registers: [registry],
  });
  new Gauge({
    name: 'ocp_audit_last_seq',
    help: 'Position of the last entry of the audit log (by any replica).',
    registers: [registry],
    async collect() {
      this.set((await readHead(pool)).seq);
    },
  });
  return {
    appended(result, seconds) {
      entries.inc(result.appended.length);
      duplicates.inc(result.duplicates);
      batchSeconds.observe(seconds);
      const now = Date.now();
      // A producer's clock ahead of this one would give a negative lag: counted as none.
      for (const e of result.appended) lag.observe(Math.max(0, (now - Date.parse(e.time)) / 1000));
    },
    checkpointed(result) {
      checkpoints.inc({ result });
    },
  };
}
