import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { encodeCursor, readCursor } from '@ocp/contracts';
import { type SamplePosition, sampleHistory } from '../db/tenants.ts';
import type { QuotaContext } from './context.ts';
import { mustKnowTenant } from './tenant-quota.ts';

const DEFAULT_LIMIT = 100;

function positionOf(after: string | undefined): SamplePosition | undefined {
  if (after === undefined) return undefined;
  const c = readCursor(after);
  const measuredAt = c?.t;
  const id = c?.id;
  if (
    typeof measuredAt === 'string' &&
    !Number.isNaN(Date.parse(measuredAt)) &&
    typeof id === 'string' &&
    /^[1-9][0-9]{0,18}$/.test(id)
  )
    return { measuredAt, id };
  throw new RpcError(
    'VALIDATION_FAILED',
    'after is not a cursor this list gave; pass `next` from the previous page',
    '/after',
  );
}

/** `rpc.quota.usage.history.v1`: a tenant's samples, newest first, keyset-paginated. */
export function usageHistoryHandler(ctx: QuotaContext): RpcHandler<'quota.usage.history.v1'> {
  return async (req) => {
    const after = positionOf(req.after);
    await mustKnowTenant(ctx.pool, req.tenantId);
    const limit = req.limit ?? DEFAULT_LIMIT;
    const rows = await sampleHistory(ctx.pool, req.tenantId, { after, since: req.since, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => r.sample),
      ...(rows.length > limit && last
        ? { next: encodeCursor({ t: last.position.measuredAt, id: last.position.id }) }
        : {}),
    };
  };
}
