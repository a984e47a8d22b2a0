/**
 * Counting of refused anonymous requests per source address, so that a flood of them makes a few
 * audit entries instead of one each. The first refusal of a source in a window is recorded in
 * full; the later ones of that window are only counted, and their summary is written when the
 * window closes, when the tally is full, or at a stop. Memory stays bounded: a fixed number of
 * sources, and per source a fixed number of sample paths and actions.
 */

/** What the tally keeps of one refused request. */
export interface Refusal {
  source: string;
  method: string;
  /** Without the query string. */
  path: string;
  action: string;
  status: number;
  userAgent: string;
}

/** The refusals of one source in one window, beyond the first (recorded in full). */
export interface RefusalSummary {
  source: string;
  /** How many refusals the summary stands for. */
  count: number;
  windowStartedAt: Date;
  windowEndsAt: Date;
  firstAt: Date;
  lastAt: Date;
  /** Count per HTTP status. */
  statuses: Record<string, number>;
  /** Count per action, for the first `MAX_ACTIONS` actions seen; the rest are in `count` only. */
  actions: Record<string, number>;
  /** The first distinct `METHOD path`s seen, at most `MAX_SAMPLE_PATHS`. */
  samplePaths: string[];
  /** The user agent of the first counted refusal. */
  userAgent: string;
}

export const MAX_SAMPLE_PATHS = 5;
export const MAX_ACTIONS = 10;

interface Window {
  startedAt: number;
  summary: RefusalSummary | undefined;
}

export interface RefusalTally {
  /**
   * Notes a refusal: `record` when it is the first of its source's window (audit it in full),
   * `counted` when it joined the window's summary. `flush` holds summaries to write now: the
   * source's previous window, or every window when the tally was full.
   */
  note(r: Refusal, now?: number): { verdict: 'record' | 'counted'; flush: RefusalSummary[] };
  /** Removes and answers the summaries of windows that have closed. */
  closed(now?: number): RefusalSummary[];
  /** Removes and answers every summary (at a stop). */
  drain(): RefusalSummary[];
  /** Sources tracked now. */
  readonly size: number;
}

export function createRefusalTally(opts: { windowMs: number; maxSources: number }): RefusalTally {
  const windows = new Map<string, Window>();

  const summaries = (ws: Iterable<Window>) => [...ws].flatMap((w) => (w.summary ? [w.summary] : []));

  function count(w: Window, r: Refusal, now: number) {
    const at = new Date(now);
    w.summary ??= {
      source: r.source,
      count: 0,
      windowStartedAt: new Date(w.startedAt),
      windowEndsAt: new Date(w.startedAt + opts.windowMs),
      firstAt: at,
      lastAt: at,
      statuses: {},
      actions: {},
      samplePaths: [],
      userAgent: r.userAgent,
    };
    const s = w.summary;
    s.count += 1;
    s.lastAt = at;
    s.statuses[r.status] = (s.statuses[r.status] ?? 0) + 1;
    if (Object.hasOwn(s.actions, r.action)) s.actions[r.action]! += 1;
    else if (Object.keys(s.actions).length < MAX_ACTIONS) s.actions[r.action] = 1;
    const sample = `${r.method} ${r.path}`;
    if (s.samplePaths.length < MAX_SAMPLE_PATHS && !s.samplePaths.includes(sample))
      s.samplePaths.push(sample);
  }

  return {
    note(r, now = Date.now()) {
      const w = windows.get(r.source);
      if (w && now < w.startedAt + opts.windowMs) {
        count(w, r, now);
        return { verdict: 'counted', flush: [] };
      }
      let flush: RefusalSummary[] = [];
      if (w) {
        windows.delete(r.source);
        flush = summaries([w]);
      } else if (windows.size >= opts.maxSources) {
        flush = summaries(windows.values());
        windows.clear();
      }
      windows.set(r.source, { startedAt: now, summary: undefined });
      return { verdict: 'record', flush };
    },
    closed(now = Date.now()) {
      const out: RefusalSummary[] = [];
      for (const [source, w] of windows)
        if (now >= w.startedAt + opts.windowMs) {
          windows.delete(source);
          if (w.summary) out.push(w.summary);
        }
      return out;
    },
    drain() {
      const out = summaries(windows.values());
      windows.clear();
      return out;
    },
    get size() {
      return windows.size;
    },
  };
}
