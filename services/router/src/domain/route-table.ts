import type { Route } from '@ocp/contracts';

/** What the table needs of the tenant service: its two route methods. */
export interface RouteSource {
  list(after: string | undefined, limit: number): Promise<{ routes: Route[]; next?: string | undefined }>;
  get(tenantId: string): Promise<Route | null>;
}

export interface RouteTableOptions {
  source: RouteSource;
  /** Routes asked for per page of a full read. */
  pageSize: number;
  /** Tenants read back at once after events. */
  concurrency: number;
  /** Called after the table changed (not before the first full read is in). */
  onChange(): void;
  /** Called with a failed read; it is tried again after `retryMs`. */
  onError(err: unknown, what: 'snapshot' | 'tenant'): void;
  retryMs: number;
  signal: AbortSignal;
}

/**
 * The routes of every tenant, kept in memory: a full read at start and on demand, and a read of one
 * tenant each time something says it may have changed. One worker does all the reading, a full
 * read before the tenants waiting, and a tenant named again while it is being read is read once
 * more afterwards: so the table ends as the tenant service answered after the last event, whatever
 * order events came in, and never from a reply older than one applied before it.
 */
export interface RouteTable {
  /** Every route, by tenant id. */
  readonly routes: ReadonlyMap<string, Route>;
  /** True once the first full read is in: before it the table is not the fleet's. */
  readonly loaded: boolean;
  /** This tenant's route may have changed. */
  markTenant(tenantId: string): void;
  /** Read everything again (at start, periodically, after a gap in the events). */
  requestFullRead(): void;
  /** Runs the worker until the signal aborts. */
  run(): Promise<void>;
}

const sameRoute = (a: Route | undefined, b: Route | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function routeTable(opts: RouteTableOptions): RouteTable {
  const routes = new Map<string, Route>();
  const waiting = new Set<string>();
  let fullRead = true;
  let loaded = false;
  let wake: (() => void) | undefined;

  const nudge = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const idle = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        opts.signal.removeEventListener('abort', done);
        resolve();
      }
      opts.signal.addEventListener('abort', done, { once: true });
    });

  async function readAll(): Promise<void> {
    const all = new Map<string, Route>();
    let after: string | undefined;
    do {
      const page = await opts.source.list(after, opts.pageSize);
      for (const r of page.routes) all.set(r.tenantId, r);
      after = page.next;
    } while (after !== undefined && !opts.signal.aborted);
    if (opts.signal.aborted) return;
    let changed = !loaded || all.size !== routes.size;
    for (const [id, r] of all) if (!sameRoute(routes.get(id), r)) changed = true;
    routes.clear();
    for (const [id, r] of all) routes.set(id, r);
    loaded = true;
    if (changed) opts.onChange();
  }

  /** Reads the tenants waiting, a few at a time; those that fail wait again. */
  async function readWaiting(): Promise<boolean> {
    const batch = [...waiting];
    waiting.clear();
    let failed = false;
    let changed = false;
    for (let i = 0; i < batch.length; i += opts.concurrency) {
      const ids = batch.slice(i, i + opts.concurrency);
      const results = await Promise.allSettled(ids.map((id) => opts.source.get(id)));
      results.forEach((r, j) => {
        const id = ids[j] as string;
        if (r.status === 'rejected') {
          if (!failed) opts.onError(r.reason, 'tenant');
          failed = true;
          waiting.add(id);
          return;
        }
        const before = routes.get(id);
        if (r.value) routes.set(id, r.value);
        else routes.delete(id);
        if (!sameRoute(before, r.value ?? undefined)) changed = true;
      });
    }
    if (changed && loaded) opts.onChange();
    return !failed;
  }

  return {
    routes,
    get loaded() {
      return loaded;
    },
    markTenant(tenantId) {
      waiting.add(tenantId);
      nudge();
    },
    requestFullRead() {
      fullRead = true;
      nudge();
    },
    async run() {
      opts.signal.addEventListener('abort', nudge, { once: true });
      while (!opts.signal.aborted) {
        if (!fullRead && waiting.size === 0) {
          await idle();
          continue;
        }
        let ok = true;
        if (fullRead) {
          fullRead = false;
          try {
            await readAll();
          } catch (err) {
            fullRead = true;
            ok = false;
            opts.onError(err, 'snapshot');
          }
        }
        if (ok && waiting.size > 0) ok = await readWaiting();
        if (!ok) await pause(opts.retryMs);
      }
    },
  };
}
