import { RpcError } from '@ocp/bus';
import { enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import type { TrialsContext } from './context.ts';
import { lockTrial, saveTrialEnd, type TrialRow } from './store.ts';

/**
 * `quota.trial.put`: starts a trial for the tenant or moves its end. The end must be to come. A
 * trial that had ended with the tenant suspended runs again, and access is granted back (reason
 * `trial`) in the same transaction; its notices are sent anew for the new end.
 */
export async function putTrialEnd(
  ctx: TrialsContext,
  tenantId: string,
  endsAtText: string,
  traceparent?: string,
): Promise<TrialRow> {
  const endsAt = new Date(endsAtText);
  const now = ctx.now();
  if (Number.isNaN(endsAt.getTime())) {
    throw new RpcError(
      'VALIDATION_FAILED',
      'endsAt must be an RFC 3339 time, e.g. 2030-01-31T00:00:00Z',
      '/endsAt',
    );
  }
  if (endsAt.getTime() <= now.getTime()) {
    throw new RpcError(
      'TRIAL_END_IN_PAST',
      `the trial's end ${endsAt.toISOString()} is not in the future (now is ${now.toISOString()}); give a time to come`,
      '/endsAt',
    );
  }
  return await withTransaction(ctx.pool, async (client: PoolClient) => {
    const prev = await lockTrial(client, tenantId);
    const next = await saveTrialEnd(client, tenantId, prev?.started_at ?? now, endsAt);
    if (prev?.revoked) {
      await enqueueEvent(client, 'ocp.quota.tenant_access_changed.v1', {
        subject: tenantId,
        traceparent,
        data: {
          tenantId,
          access: 'granted',
          reason: 'trial',
          detail: `the trial was extended to ${endsAt.toISOString()}`,
        },
      });
    }
    return next;
  });
}
