import type { EventHandler } from '@ocp/bus';
import { backupFailure, drillFailure } from '../domain/failures.ts';
import { type HandlerContext, tellOf } from './tell.ts';

/** The backup service's events that can carry a failure, on EVENTS_BACKUP. */
export const BACKUP_EVENT_TYPES = ['ocp.backup.failed.v1', 'ocp.backup.drilled.v1'] as const;

/** Tells of each failed backup and each drill that failed; a passed drill is acked without a word. */
export function backupEventsHandler(ctx: HandlerContext): EventHandler<(typeof BACKUP_EVENT_TYPES)[number]> {
  return async (event, delivery) => {
    const { backup } = event.data;
    const notice = event.type === 'ocp.backup.failed.v1' ? backupFailure(backup) : drillFailure(backup);
    if (notice && ctx.dispatcher.enabled) await tellOf(ctx, notice, delivery);
  };
}
