import type { Bus } from '@ocp/bus';
import type pg from 'pg';
import type { World } from './world.ts';
import { tenantDay } from './world.ts';

export interface QuerySamples {
  service: number[];
  plain: number[];
  /** Entries per answer, to show what was asked for. */
  rows: number[];
}

/**
 * "One tenant, one day", `count` times with random tenants and days: through the service's
 * `rpc.audit.query.v1` (NATS request/reply, checks, JSON), and as the plain indexed SELECT of the
 * same filter on the plain table (same rows, same indexes) straight to PostgreSQL. Each query runs
 * on both sides, in a random order, so that a drift weighs on both alike.
 */
export async function timeQueries(
  bus: Bus,
  db: pg.Client,
  world: World,
  count: number,
): Promise<QuerySamples> {
  const out: QuerySamples = { service: [], plain: [], rows: [] };
  for (let i = 0; i < count; i++) {
    const q = tenantDay(world);
    const sides = [
      async () => {
        const started = performance.now();
        const reply = await bus.request('audit.query.v1', { ...q, limit: 5000 }, { timeoutMs: 30_000 });
        out.service.push(performance.now() - started);
        out.rows.push(reply.items.length);
      },
      async () => {
        const started = performance.now();
        await db.query(
          'SELECT * FROM bench_plain WHERE tenant_id = $1 AND time >= $2 AND time < $3 ORDER BY seq LIMIT 5001',
          [q.tenantId, q.from, q.to],
        );
        out.plain.push(performance.now() - started);
      },
    ];
    if (world.random() < 0.5) sides.reverse();
    for (const side of sides) await side();
  }
  return out;
}
