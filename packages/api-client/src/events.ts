import type { components } from './generated/schema.ts';

type Schemas = components['schemas'];

/**
 * The frames of `GET /api/v1/events` (Server-Sent Events), by event name: what `JSON.parse` of a
 * frame's `data` gives. OpenAPI 3.1 cannot describe a stream's frames, so these are written here by
 * hand, after the gateway's `domain/event-frames.ts` and `routes/events/connection.ts`.
 */
export interface LiveEventMap {
  /** The stream is live; after a resume, `replayed` frames came first. */
  ready: { replayed: number };
  /** A tenant lifecycle event, with the tenant after it. */
  tenant: {
    /** The CloudEvents type, e.g. `ocp.tenant.activated.v1`. */
    type: string;
    time: string;
    tenantId: string;
    tenant: Schemas['Tenant'];
    operationId?: string;
    /** Of a suspension or resumption. */
    reason?: string;
    /** Of a module install, upgrade or uninstall. */
    module?: string;
  };
  /** An operation changed state or progress (needs `operations:read`). */
  operation: { operation: Schemas['Operation'] };
  /** A backup completed, failed or was drilled (needs `backups:read`). */
  backup: {
    type: 'ocp.backup.completed.v1' | 'ocp.backup.failed.v1' | 'ocp.backup.drilled.v1';
    time: string;
    tenantId: string;
    backup: Schemas['Backup'];
  };
  /** `Last-Event-ID` could not be resumed: fetch what is shown afresh; the stream goes on from now. */
  reset: { reason: 'malformed' | 'unknown' | 'expired' | 'too_far' | 'unavailable'; detail: string };
  /**
   * The gateway ends the stream: `unauthenticated` (log in again; do not reconnect), `forbidden`
   * (the account may no longer read tenants), `shutdown` (reconnect).
   */
  close: { reason: 'unauthenticated' | 'forbidden' | 'shutdown' };
}

export type LiveEventName = keyof LiveEventMap;

/** Every event name of the stream, for `EventSource.addEventListener`. */
export const liveEventNames: readonly LiveEventName[] = [
  'ready',
  'tenant',
  'operation',
  'backup',
  'reset',
  'close',
];
