import type { Logger } from 'pino';

/** A periodic pass that brings what the database servers hold back in line with the rows. */
export interface Reconciler {
  /** Runs a pass now, after the one in hand; resolves with its repair count. */
  runOnce(): Promise<number>;
  /** Stops the schedule and waits for the pass in hand. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` at start and every `intervalMs`, one pass at a time. A pass returns how many things it
 * repaired (it logs each one itself); a failed pass is logged and the schedule goes on.
 */
export function startReconciler(opts: {
  name: string;
  intervalMs: number;
  pass: () => Promise<number>;
  logger: Logger;
}): Reconciler {
  const log = opts.logger.child({ component: 'reconciler', reconciler: opts.name });
  let last: Promise<number> = Promise.resolve(0);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const runOnce = (): Promise<number> => {
    const next = last.then(async () => {
      try {
        const repaired = await opts.pass();
        if (repaired > 0) log.info({ repaired }, 'reconciliation pass repaired disagreements');
        return repaired;
      } catch (err) {
        log.warn({ err }, 'reconciliation pass failed; the next one tries again');
        return 0;
      }
    });
    last = next;
    return next;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runOnce().finally(schedule);
    }, opts.intervalMs);
  };
  void runOnce().finally(schedule);

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await last;
    },
  };
}
