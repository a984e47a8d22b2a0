import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import type { Schemas } from './api.ts';

type Operation = Schemas['Operation'];

/** Whether the app hears the platform's events now; without them, running work is polled. */
export type LiveState = 'connecting' | 'live' | 'offline';

const LiveContext = createContext<LiveState>('offline');

/** The state of the app's one event stream. */
export const useLiveState = (): LiveState => useContext(LiveContext);

function parse(data: unknown): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(String(data));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Applies one frame of the stream to the cache: what it says changed is refetched or replaced. */
function applyFrame(qc: QueryClient, kind: string, data: Record<string, unknown>): void {
  const tenantId = typeof data.tenantId === 'string' ? data.tenantId : undefined;
  if (kind === 'operation') {
    const op = (data.operation ?? data) as Operation;
    if (typeof op?.id !== 'string') return;
    qc.setQueryData(['operation', op.id], op);
    void qc.invalidateQueries({ queryKey: ['operations'] });
    if (op.state === 'succeeded' || op.state === 'failed') {
      void qc.invalidateQueries({ queryKey: ['tenant', op.tenantId] });
      void qc.invalidateQueries({ queryKey: ['tenants'] });
      void qc.invalidateQueries({ queryKey: ['backups', op.tenantId] });
      void qc.invalidateQueries({ queryKey: ['modules', op.tenantId] });
      void qc.invalidateQueries({ queryKey: ['stats'] });
    }
    return;
  }
  if (kind === 'tenant') {
    const tenant = data.tenant as { id?: string } | undefined;
    const id = tenantId ?? tenant?.id;
    if (id && tenant?.id) qc.setQueryData(['tenant', id], tenant);
    if (id) void qc.invalidateQueries({ queryKey: ['tenant', id] });
    void qc.invalidateQueries({ queryKey: ['tenants'] });
    void qc.invalidateQueries({ queryKey: ['stats'] });
    if (id) void qc.invalidateQueries({ queryKey: ['audit', id] });
    return;
  }
  if (kind === 'backup') {
    if (tenantId) void qc.invalidateQueries({ queryKey: ['backups', tenantId] });
    else void qc.invalidateQueries({ queryKey: ['backups'] });
  }
}

/**
 * One EventSource on `/api/v1/events` for the whole app. The browser reconnects by itself and
 * sends Last-Event-ID; when it gives up (the route answers an error, e.g. 404 before it exists,
 * or 401), it is opened again with a growing delay. After any reconnect, or a `reset` frame
 * (the server could not resume), every query on screen is refetched, since frames may have been missed.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let everOpen = false;
    let stopped = false;

    const connect = () => {
      source = new EventSource('/api/v1/events');
      source.onopen = () => {
        if (everOpen) void qc.invalidateQueries({ type: 'active' });
        everOpen = true;
        failures = 0;
        setState('live');
      };
      source.onerror = () => {
        if (!source || source.readyState !== EventSource.CLOSED) {
          setState('connecting');
          return;
        }
        source.close();
        setState('offline');
        if (stopped) return;
        failures++;
        timer = setTimeout(connect, Math.min(60_000, 1_000 * 2 ** Math.min(failures, 6)));
      };
      for (const kind of ['operation', 'tenant', 'backup']) {
        source.addEventListener(kind, (e) => {
          const data = parse((e as MessageEvent).data);
          if (data) applyFrame(qc, kind, data);
        });
      }
      source.addEventListener('reset', () => void qc.invalidateQueries({ type: 'active' }));
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [qc]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
