import type { Queryable } from '@ocp/db';

/** A tenant on a usage-priced plan, with what its report needs. */
export interface MeteredTenant {
  tenantId: string;
  provider: 'stripe' | 'paddle';
  /** Stripe: the meter's event name. */
  meterEventName: string | null;
  /** Paddle: the usage-priced recurring price. */
  priceId: string | null;
  /** The provider's ids, from billing (null until billing has seen a subscription). */
  customerId: string | null;
  subscriptionId: string | null;
  /** The latest measured active users; null before the first measurement that counted them. */
  activeUsers: number | null;
}

/**
 * The tenants on a usage-priced plan that have no accepted report for `period`, with their
 * provider ids (the newest subscription of the plan's provider, a paying one first) and their
 * latest active-user count.
 */
export async function meteredTenantsDue(
  db: Queryable,
  period: string,
  limit: number,
): Promise<MeteredTenant[]> {
  const { rows } = await db.query<MeteredTenant>(
    `SELECT t.tenant_id AS "tenantId",
            p.metered->>'provider' AS provider,
            p.metered->>'meterEventName' AS "meterEventName",
            p.metered->>'priceId' AS "priceId",
            s.customer_id AS "customerId",
            s.provider_subscription_id AS "subscriptionId",
            u.active_users::integer AS "activeUsers"
       FROM known_tenants t
       JOIN plans p ON p.name = t.plan
       LEFT JOIN LATERAL (
         SELECT customer_id, provider_subscription_id FROM tenant_subscriptions s
          WHERE s.tenant_id = t.tenant_id AND s.provider = p.metered->>'provider'
          ORDER BY (s.status IN ('active', 'trialing')) DESC, s.last_event_at DESC
          LIMIT 1) s ON true
       LEFT JOIN LATERAL (
         SELECT active_users FROM usage_samples u
          WHERE u.tenant_id = t.tenant_id AND u.active_users IS NOT NULL
          ORDER BY u.measured_at DESC
          LIMIT 1) u ON true
      WHERE p.deleted_at IS NULL AND jsonb_typeof(p.metered) = 'object'
        AND t.state IN ('active', 'suspended')
        AND NOT EXISTS (SELECT 1 FROM usage_reports r WHERE r.tenant_id = t.tenant_id AND r.period = $1)
      ORDER BY t.tenant_id
      LIMIT $2`,
    [period, limit],
  );
  return rows;
}

/** Records an accepted report; false when the period was recorded already (by another replica). */
export async function recordUsageReport(
  db: Queryable,
  r: { tenantId: string; period: string; provider: 'stripe' | 'paddle'; quantity: number; at: Date },
): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO usage_reports (tenant_id, period, provider, quantity, reported_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, period) DO NOTHING`,
    [r.tenantId, r.period, r.provider, r.quantity, r.at],
  );
  return res.rowCount === 1;
}
