import { type LiveEventMap, type LiveEventName, liveEventNames } from '@ocp/api-client';
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { tenantNameKey } from './pages/admin-kit/tenant-names.ts';

/** Whether the app hears the platform's events now; without them, running work is polled. */
export type LiveState = 'connecting' | 'live' | 'offline';

const LiveContext = createContext<LiveState>('offline');

/** The state of the app's one event stream. */
export const useLiveState = (): LiveState => useContext(LiveContext);

/** What a frame's data says, as `LiveEventMap` types it; undefined when it is no JSON object. */
function parse<K extends LiveEventName>(data: unknown): LiveEventMap[K] | undefined {
  try {
    const v: unknown = JSON.parse(String(data));
    // The gateway checks every frame against its schema before it sends it.
    return v && typeof v === 'object' ? (v as LiveEventMap[K]) : undefined;
  } catch {
    return undefined;
  }
}

const invalidate = (qc: QueryClient, queryKey: readonly unknown[]) => void qc.invalidateQueries({ queryKey });

/** How each frame changes the cache: what it carries is put in place, what it touches is refetched. */
type Handlers = { [K in LiveEventName]: (data: LiveEventMap[K]) => void };

function cacheHandlers(qc: QueryClient): Pick<Handlers, 'tenant' | 'operation' | 'backup'> {
  return {
    tenant({ tenantId, tenant }) {
      // The frame carries the tenant as GET /tenants/{tenant} answers it.
      qc.setQueryData(['tenant', tenantId], tenant);
      // A name a table shows follows a rename, without a request.
      if (qc.getQueryData(tenantNameKey(tenantId)) !== undefined) {
        const { id, slug, displayName, state } = tenant;
        qc.setQueryData(tenantNameKey(tenantId), { id, slug, displayName, state });
      }
      invalidate(qc, ['tenants']);
      invalidate(qc, ['stats']);
      invalidate(qc, ['audit', tenantId]);
    },
    operation({ operation: op }) {
      qc.setQueryData(['operation', op.id], op);
      invalidate(qc, ['operations']);
      if (op.state === 'succeeded' || op.state === 'failed') {
        invalidate(qc, ['tenant', op.tenantId]);
        invalidate(qc, ['tenants']);
        invalidate(qc, ['backups', op.tenantId]);
        invalidate(qc, ['modules', op.tenantId]);
        invalidate(qc, ['stats']);
      }
    },
    backup({ tenantId }) {
      invalidate(qc, ['backups', tenantId]);
      invalidate(qc, ['backups-overdue']);
    },
  };
}

/**
 * One EventSource on `/api/v1/events` for the whole app. The browser reconnects by itself after a
 * dropped connection (and after `close` `shutdown`), sending Last-Event-ID so the gateway replays
 * what was missed; when it gives up (the route answers an error), a new EventSource is opened with
 * a growing delay, which cannot resume. So after any reconnect, and on `reset` (the gateway could
 * not resume), every query on screen is refetched. `close` `unauthenticated` ends the session
 * (`onSessionEnded`, no reconnect); `forbidden` ends the stream and the app polls instead.
 */
export function LiveEventsProvider({
  children,
  onSessionEnded,
}: {
  children: ReactNode;
  onSessionEnded(): void;
}) {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  // The latest callback, without opening a new stream each time the page changes.
  const sessionEnded = useRef(onSessionEnded);
  useEffect(() => {
    sessionEnded.current = onSessionEnded;
  }, [onSessionEnded]);

  useEffect(() => {
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let everReady = false;
    let stopped = false;
    const refetchShown = () => void qc.invalidateQueries({ type: 'active' });

    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };

    const handlers: Handlers = {
      ...cacheHandlers(qc),
      ready() {
        if (everReady) refetchShown();
        everReady = true;
        failures = 0;
        setState('live');
      },
      reset: refetchShown,
      close({ reason }) {
        if (reason === 'shutdown') {
          // The browser reconnects with Last-Event-ID once the stream ends: a resume.
          setState('connecting');
          return;
        }
        stop();
        setState('offline');
        if (reason === 'unauthenticated') sessionEnded.current();
        // forbidden: the account's permissions changed; the shell reads them again.
        else invalidate(qc, ['me']);
      },
    };

    const connect = () => {
      const es = new EventSource('/api/v1/events');
      source = es;
      es.onerror = () => {
        if (es.readyState !== EventSource.CLOSED) {
          setState('connecting');
          return;
        }
        es.close();
        setState('offline');
        if (stopped) return;
        failures++;
        timer = setTimeout(connect, Math.min(60_000, 1_000 * 2 ** Math.min(failures, 6)));
      };
      const listen = <K extends LiveEventName>(kind: K) =>
        es.addEventListener(kind, (e) => {
          const data = parse<K>((e as MessageEvent).data);
          if (data) handlers[kind](data);
        });
      for (const kind of liveEventNames) listen(kind);
    };
    connect();
    return stop;
  }, [qc]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
