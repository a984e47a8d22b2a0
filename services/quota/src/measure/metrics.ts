import type { UsageSample } from '@ocp/contracts';
import type { Pool } from '@ocp/db';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ServerConnections } from './server-connections.ts';

/**
 * The measurement's figures: samples recorded by the error they carry (`none` for a complete one;
 * the codes are a short fixed list), the connections to tenant database servers open now, and the
 * tenants the scan has fallen behind on (not measured for one and a half intervals, the most the
 * schedule lets pass: what an alert on a stalled scan watches; every replica reads the same
 * table, take the `max`). Answers the function that counts a recorded sample.
 */
export function registerMeasureMetrics(
  registry: Registry,
  deps: { pool: Pool; connections: ServerConnections; intervalMs: number },
): (sample: UsageSample) => void {
  const samples = new Counter({
    name: 'ocp_quota_samples_total',
    help: 'Usage samples recorded, by the error code they carry (none: every figure measured).',
    labelNames: ['error'],
    registers: [registry],
  });
  new Gauge({
    name: 'ocp_quota_measure_connections',
    help: 'Connections to tenant databases the measurement holds open now (over all servers).',
    registers: [registry],
    collect() {
      this.set(deps.connections.open());
    },
  });
  new Gauge({
    name: 'ocp_quota_tenants_unmeasured',
    help: 'Active and suspended tenants not measured for one and a half scan intervals (QUOTA_SCAN_INTERVAL_MS).',
    registers: [registry],
    async collect() {
      const { rows } = await deps.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM known_tenants k LEFT JOIN measure_schedule m ON m.tenant_id = k.tenant_id
         WHERE k.state IN ('active', 'suspended')
           AND COALESCE(m.last_measured_at, k.event_time) < now() - $1::bigint * interval '1 millisecond'`,
        [Math.floor(deps.intervalMs * 1.5)],
      );
      this.set(Number(rows[0]?.n ?? 0));
    },
  });
  return (sample) => samples.inc({ error: sample.error?.code ?? 'none' });
}
