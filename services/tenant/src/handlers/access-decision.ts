import type { CloudEvent } from '@ocp/contracts';
import type { PoolClient } from '@ocp/db';
import type { Logger } from 'pino';
import type { TenantRow } from '../db/rows.ts';
import { queueOperation } from '../db/store.ts';
import type { SuspensionReason } from '../domain/lifecycle.ts';

/**
 * Whether the tenant is, or is about to be, suspended for `reason`: the last open suspension or
 * resumption for that reason decides (it runs after everything before it), else the reasons it
 * has now. Looking at open operations keeps a revoke that follows a grant still queued from being
 * lost, and the reverse.
 */
async function suspendedFor(
  client: PoolClient,
  tenantId: string,
  reasons: readonly string[],
  reason: SuspensionReason,
): Promise<boolean> {
  const { rows } = await client.query<{ kind: string }>(
    `SELECT kind FROM operations WHERE tenant_id = $1 AND state IN ('queued', 'running')
       AND kind IN ('tenant.suspend', 'tenant.resume') AND params->>'reason' = $2
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [tenantId, reason],
  );
  const last = rows[0]?.kind;
  return last ? last === 'tenant.suspend' : reasons.includes(reason);
}

/**
 * Queues the suspension or resumption for one reason that another service's access decision asks
 * for (billing's, the quota service's), if the tenant is not already that way for that reason. A
 * grant clears that reason only: a tenant stays suspended while any other reason stands.
 * Returns the work command to dispatch once the caller's transaction has committed.
 */
export async function queueAccessDecision(
  client: PoolClient,
  tenant: TenantRow,
  decision: { access: 'granted' | 'revoked'; reason: SuspensionReason; actor: string },
  traceparent: string | undefined,
  log: Logger,
): Promise<CloudEvent | undefined> {
  const suspended = await suspendedFor(client, tenant.id, tenant.suspension_reasons, decision.reason);
  if ((decision.access === 'revoked') === suspended) return undefined;
  const kind = decision.access === 'revoked' ? 'tenant.suspend' : 'tenant.resume';
  const { command } = await queueOperation(
    client,
    { tenantId: tenant.id, kind, params: { reason: decision.reason }, actor: decision.actor },
    traceparent,
  );
  log.info({ kind, reason: decision.reason }, 'access decision queued');
  return command;
}
