import type { EventHandler } from '@ocp/bus';
import type { BackupContext } from './context.ts';

/** The tenant events the backup service follows: what to schedule and which plan retains. */
export const FOLLOWED_TENANT_TYPES = [
  'ocp.tenant.created.v1',
  'ocp.tenant.activated.v1',
  'ocp.tenant.provisioning_failed.v1',
  'ocp.tenant.suspended.v1',
  'ocp.tenant.resumed.v1',
  'ocp.tenant.suspension_reason_cleared.v1',
  'ocp.tenant.deleting.v1',
  'ocp.tenant.deleted.v1',
  'ocp.tenant.plan_changed.v1',
  'ocp.tenant.renamed.v1',
  'ocp.tenant.restoring.v1',
  'ocp.tenant.restored.v1',
] as const;
type Followed = (typeof FOLLOWED_TENANT_TYPES)[number];

/**
 * `events.tenant.>`: the projection of tenants (slug, plan, state). Each event carries the whole
 * tenant; an event older than the one recorded changes nothing, so order and redelivery do not
 * matter and no inbox is needed.
 */
export function tenantProjectionHandler(ctx: BackupContext): EventHandler<Followed> {
  return async (event) => {
    const t = event.data.tenant;
    await ctx.pool.query(
      `INSERT INTO known_tenants (tenant_id, slug, plan, state, event_time) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id) DO UPDATE SET slug = $2, plan = $3, state = $4, event_time = $5, updated_at = now()
       WHERE known_tenants.event_time <= $5`,
      [t.id, t.slug, t.plan, t.state, event.time ?? t.updatedAt],
    );
  };
}
