import type { BatchHandler } from '@ocp/bus';
import { appendEntries } from '../db/log.ts';
import { type AuditedType, toEntryContent } from '../domain/entry.ts';
import type { HandlerContext } from './context.ts';

/**
 * Appends a batch of events from one stream as entries. When this returns, the batch is committed
 * and the bus acks it; when it throws (the database is down), the bus redelivers the batch and the
 * events already stored are dropped then.
 */
export function appendHandler(ctx: HandlerContext, durable: string): BatchHandler<AuditedType> {
  const log = ctx.logger.child({ consumer: durable });
  return async (events) => {
    const started = performance.now();
    const result = await appendEntries(ctx.pool, events.map(toEntryContent));
    ctx.metrics.appended(result, (performance.now() - started) / 1000);
    if (result.duplicates > 0) {
      log.debug({ duplicates: result.duplicates, batch: events.length }, 'dropped events already in the log');
    }
  };
}
