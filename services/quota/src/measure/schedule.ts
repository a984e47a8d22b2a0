import type { Queryable } from '@ocp/db';

/**
 * A tenant's place in the scan: an offset into the interval derived from its id, so a fleet's
 * measurements spread evenly over the interval and each tenant comes at the same point of every
 * interval, across restarts and replicas (as the backup schedule derives a window from the id).
 */
export const SLOT_OFFSET_SQL =
  '((hashtextextended(k.tenant_id::text, 0) % $2::bigint) + $2::bigint) % $2::bigint';

/** The start of the tenant's latest slot at or before `$1` (epoch milliseconds). */
const LATEST_SLOT_SQL = `($1::bigint - ((($1::bigint - ${SLOT_OFFSET_SQL}) % $2::bigint) + $2::bigint) % $2::bigint)`;

/**
 * Claims up to `limit` tenants that are due: never measured, or whose latest slot began at least
 * half an interval after their last measurement. A tenant measured out of its turn (a new tenant,
 * `quota.measure.now`) thus skips a slot that comes less than half an interval later and is back
 * on its own slot the time after: measurements stay spread, never bunched behind a common delay,
 * and a tenant goes at most one and a half intervals unmeasured. A claim holds for `leaseMs` so
 * another replica leaves the tenant alone meanwhile; the measurement's sample ends it. Tenants on the platform (active or suspended) only: others
 * have no database to measure (being made, being restored or moved, deleted).
 *
 * A tenant never measured is due at once, so a new tenant has figures within a tick; after an
 * outage (or on the first start) the overdue ones come in slot order, `limit` per look, through
 * the per-server connection bound: never all at once.
 */
export async function claimDueTenants(
  db: Queryable,
  opts: { now: Date; intervalMs: number; limit: number; leaseMs: number },
): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>(
    `WITH due AS (
       SELECT k.tenant_id, ${LATEST_SLOT_SQL} AS slot
       FROM known_tenants k LEFT JOIN measure_schedule m ON m.tenant_id = k.tenant_id
       WHERE k.state IN ('active', 'suspended')
         AND (m.claimed_until IS NULL OR m.claimed_until < to_timestamp($1::bigint / 1000.0))
         AND (m.last_measured_at IS NULL
              OR m.last_measured_at <= to_timestamp((${LATEST_SLOT_SQL} - $2::bigint / 2) / 1000.0))
       ORDER BY slot, k.tenant_id
       LIMIT $3)
     INSERT INTO measure_schedule (tenant_id, claimed_until)
     SELECT tenant_id, to_timestamp(($1::bigint + $4::bigint) / 1000.0) FROM due
     ON CONFLICT (tenant_id) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
       WHERE measure_schedule.claimed_until IS NULL OR measure_schedule.claimed_until < to_timestamp($1::bigint / 1000.0)
     RETURNING tenant_id`,
    [opts.now.getTime(), opts.intervalMs, opts.limit, opts.leaseMs],
  );
  return rows.map((r) => r.tenant_id);
}

/** Marks the tenant measured at `at` and ends its claim. */
export async function markMeasured(db: Queryable, tenantId: string, at: string): Promise<void> {
  await db.query(
    `INSERT INTO measure_schedule (tenant_id, last_measured_at) VALUES ($1, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET last_measured_at = GREATEST(measure_schedule.last_measured_at, $2), claimed_until = NULL`,
    [tenantId, at],
  );
}

/** Ends a claim without a measurement (the measurement failed outright): the next look retries. */
export async function releaseClaim(db: Queryable, tenantId: string): Promise<void> {
  await db.query('UPDATE measure_schedule SET claimed_until = NULL WHERE tenant_id = $1', [tenantId]);
}

/**
 * How often the scan looks for due tenants: a hundredth of the interval, between 1 s and 30 s, so
 * each look finds about 1 % of the fleet due.
 */
export function tickOf(intervalMs: number): number {
  return Math.min(30_000, Math.max(1000, Math.floor(intervalMs / 100)));
}
