import { createOperationMetrics, type OperationMetrics } from '@ocp/service-kit';
import { Gauge, type Registry } from 'prom-client';
import type { BackupContext } from './handlers/context.ts';
import { countOverdueTenants } from './handlers/overdue.ts';

/**
 * Figures read from the catalog at each scrape: backups by state, the bytes stored, the age of each
 * tenant's newest succeeded backup at its worst, the tenants overdue against the schedule (what an
 * alert on stale backups watches), the drills' results; and the operations' ends as they come
 * (returned, for the worker and the imports). Every replica reads the same catalog: take the `max`.
 */
export function registerBackupMetrics(
  registry: Registry,
  ctx: Pick<BackupContext, 'pool' | 'config' | 'now'>,
): OperationMetrics {
  const { pool } = ctx;
  new Gauge({
    name: 'ocp_backups',
    help: 'Backups in the catalog, by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await pool.query<{ state: string; n: string }>(
        'SELECT state, count(*) AS n FROM backups GROUP BY state',
      );
      for (const r of rows) this.set({ state: r.state }, Number(r.n));
    },
  });
  new Gauge({
    name: 'ocp_backup_stored_bytes',
    help: 'Bytes of succeeded backups in the object store.',
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ b: string | null }>(
        "SELECT sum(stored_bytes) AS b FROM backups WHERE state = 'succeeded'",
      );
      this.set(Number(rows[0]?.b ?? 0));
    },
  });
  new Gauge({
    name: 'ocp_backup_oldest_last_success_seconds',
    help: 'Among active and suspended tenants, the age of the newest succeeded backup of the tenant whose newest is oldest (a tenant with none counts from its first event).',
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ age: string | null }>(
        `SELECT max(extract(epoch FROM now() - COALESCE(
            (SELECT max(b.created_at) FROM backups b WHERE b.tenant_id = k.tenant_id AND b.state = 'succeeded'),
            k.event_time))) AS age
         FROM known_tenants k WHERE k.state IN ('active', 'suspended')`,
      );
      this.set(Number(rows[0]?.age ?? 0));
    },
  });
  new Gauge({
    name: 'ocp_backup_tenants_overdue',
    help: 'Tenants the schedule backs up whose last successful scheduled or manual backup is older than a day and BACKUP_OVERDUE_GRACE_MINUTES (the list is GET /api/v1/backups/overdue).',
    registers: [registry],
    async collect() {
      this.set(await countOverdueTenants(ctx));
    },
  });
  new Gauge({
    name: 'ocp_backup_drills',
    help: 'Succeeded backups by the result of their last restore drill (passed, failed; none: never drilled).',
    labelNames: ['result'],
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ result: string; n: string }>(
        `SELECT COALESCE(drill_state, 'none') AS result, count(*) AS n FROM backups
         WHERE state = 'succeeded' GROUP BY 1`,
      );
      this.reset();
      for (const result of ['passed', 'failed', 'none']) this.set({ result }, 0);
      for (const r of rows) this.set({ result: r.result }, Number(r.n));
    },
  });
  return createOperationMetrics(registry);
}
