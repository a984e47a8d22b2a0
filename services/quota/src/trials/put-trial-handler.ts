import type { RpcHandler } from '@ocp/bus';
import type { QuotaContext } from '../handlers/context.ts';
import { mustKnowTenant, tenantQuotaOf } from '../handlers/tenant-quota.ts';
import type { TrialsContext } from './context.ts';
import { putTrialEnd } from './put-trial.ts';

/** `rpc.quota.trial.put.v1`: starts or extends a known tenant's trial; answers its quota status. */
export function putTrialHandler(ctx: QuotaContext, trials: TrialsContext): RpcHandler<'quota.trial.put.v1'> {
  return async (req, { traceparent }) => {
    await mustKnowTenant(ctx.pool, req.tenantId);
    await putTrialEnd(trials, req.tenantId, req.endsAt, traceparent);
    return { quota: await tenantQuotaOf(ctx.pool, req.tenantId, ctx.config.QUOTA_WARNING_PERCENT) };
  };
}
