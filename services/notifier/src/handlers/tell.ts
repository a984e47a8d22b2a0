import type { DeliveryContext } from '@ocp/bus';
import { TransientError } from '@ocp/bus';
import type { Dispatcher } from '../dispatcher.ts';
import type { Notice } from '../domain/notice.ts';

/** What the event handlers share. */
export interface HandlerContext {
  dispatcher: Dispatcher;
  /** Aborted when the service stops. */
  stopping: AbortSignal;
}

/**
 * Tells of a failure read from a stream, keeping the message while Slack is waited for. A post the
 * stop cut short leaves the message unacked: it is told after the restart, or by another replica.
 */
export async function tellOf(ctx: HandlerContext, notice: Notice, delivery: DeliveryContext): Promise<void> {
  try {
    await ctx.dispatcher.deliver(notice, { signal: ctx.stopping, onWait: () => delivery.working() });
  } catch (err) {
    if (ctx.stopping.aborted)
      throw new TransientError('the notifier is stopping before Slack took the message', undefined, {
        cause: err,
      });
    throw err;
  }
}
