import type { Pool } from '@ocp/db';
import { createOperationMetrics, type OperationMetrics } from '@ocp/service-kit';
import { Gauge, type Registry } from 'prom-client';

/**
 * Domain metrics: tenants and open operations read from the database when Prometheus scrapes, and
 * the operations' ends counted as the worker ends them (returned, for the worker).
 */
export function registerTenantMetrics(registry: Registry, pool: Pool): OperationMetrics {
  new Gauge({
    name: 'ocp_tenants',
    help: 'Tenants by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ state: string; n: string }>(
        'SELECT state, count(*) AS n FROM tenants GROUP BY state',
      );
      this.reset();
      for (const r of rows) this.set({ state: r.state }, Number(r.n));
    },
  });
  new Gauge({
    name: 'ocp_operations_open',
    help: 'Operations queued or running, by kind and state.',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ kind: string; state: string; n: string }>(
        "SELECT kind, state, count(*) AS n FROM operations WHERE state IN ('queued', 'running') GROUP BY kind, state",
      );
      this.reset();
      for (const r of rows) this.set({ kind: r.kind, state: r.state }, Number(r.n));
    },
  });
  return createOperationMetrics(registry);
}
