import type { Pool } from '@ocp/db';
import { Gauge, type Registry } from 'prom-client';

/**
 * Figures read from the catalog at each scrape: backups by state, the bytes stored, and the age of
 * each tenant's newest succeeded backup at its worst (what an alert on stale backups watches).
 */
export function registerBackupMetrics(registry: Registry, pool: Pool): void {
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
}
