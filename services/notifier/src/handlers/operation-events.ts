import type { EventHandler } from '@ocp/bus';
import { operationFailure } from '../domain/failures.ts';
import { type HandlerContext, tellOf } from './tell.ts';

/** The operation events of the tenant and backup services, on EVENTS_OPERATION. */
export const OPERATION_EVENT_TYPES = ['ocp.operation.updated.v1', 'ocp.backup.operation_updated.v1'] as const;

/** Tells of each operation that failed; every other change is acked without a word. */
export function operationEventsHandler(
  ctx: HandlerContext,
): EventHandler<(typeof OPERATION_EVENT_TYPES)[number]> {
  return async (event, delivery) => {
    const notice = operationFailure(event.data.operation);
    if (notice && ctx.dispatcher.enabled) await tellOf(ctx, notice, delivery);
  };
}
