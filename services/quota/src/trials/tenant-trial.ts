import type { CloudEvent } from '@ocp/contracts';
import type { Queryable } from '@ocp/db';
import type { FollowedTenantType } from '../handlers/tenants.ts';
import { startPlanTrial } from './start-trial.ts';

/**
 * The known-tenants consumer's hook: a tenant created or activated on a plan with `trialDays`
 * starts its trial from the event's time. Idempotent (a tenant's trial is started once), so it
 * needs no inbox, like the projection it follows.
 */
export async function startTrialOfNewTenant(
  db: Queryable,
  event: CloudEvent<FollowedTenantType>,
): Promise<void> {
  if (event.type !== 'ocp.tenant.created.v1' && event.type !== 'ocp.tenant.activated.v1') return;
  const t = event.data.tenant;
  const { rows } = await db.query<{ trial_days: number | null }>(
    'SELECT trial_days FROM plans WHERE name = $1 AND deleted_at IS NULL',
    [t.plan],
  );
  await startPlanTrial(db, t.id, rows[0]?.trial_days, new Date(event.time ?? t.createdAt));
}
