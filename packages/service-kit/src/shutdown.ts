import type { Logger } from 'pino';

/**
 * The phases of a stop, in the order they run: intake stops before the work it feeds is drained,
 * the outbox is flushed while NATS is still there, and the pools close after everything that
 * queries them.
 */
export const SHUTDOWN_PHASES = ['http', 'intake', 'work', 'outbox', 'nats', 'database', 'telemetry'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

/** A named step of an ordered shutdown. */
export interface ShutdownStep {
  name: string;
  phase: ShutdownPhase;
  run(): Promise<unknown>;
}

/**
 * Closes what a service opened. Each resource is registered the moment it opens, so a start that
 * fails halfway closes exactly what it had opened. Steps run by phase (`SHUTDOWN_PHASES`); within
 * a phase, the last opened closes first. Each step is bounded by what is left of the timeout, and
 * the whole runs once, whatever calls it first.
 */
export function createShutdown(logger: Logger, timeoutMs: number) {
  const steps: ShutdownStep[] = [];
  let running: Promise<void> | undefined;
  const stopping = new AbortController();
  return {
    /** Aborted the moment the shutdown begins: long work checks it to stop at a safe point. */
    signal: stopping.signal,
    add(name: string, run: () => Promise<unknown>, phase: ShutdownPhase = 'work') {
      steps.push({ name, phase, run });
    },
    /** The steps in the order `run` takes them. */
    plan(): ShutdownStep[] {
      const order = (s: ShutdownStep) => SHUTDOWN_PHASES.indexOf(s.phase);
      return steps
        .map((s, i) => ({ s, i }))
        .sort((a, b) => order(a.s) - order(b.s) || b.i - a.i)
        .map(({ s }) => s);
    },
    run(reason: string): Promise<void> {
      running ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        logger.info({ reason }, 'shutting down');
        stopping.abort(new Error(`shutting down: ${reason}`));
        for (const step of this.plan()) {
          const left = Math.max(100, deadline - Date.now());
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              step.run(),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`took longer than ${left} ms`)), left);
              }),
            ]);
            logger.debug({ step: step.name, phase: step.phase }, 'shutdown step done');
          } catch (err) {
            logger.warn({ step: step.name, phase: step.phase, err }, 'shutdown step failed');
          } finally {
            clearTimeout(timer);
          }
        }
        logger.info({ reason }, 'stopped');
      })();
      return running;
    },
  };
}

export type Shutdown = ReturnType<typeof createShutdown>;

/**
 * Process wiring for a service's main: SIGINT and SIGTERM stop the service in order and exit; a
 * second signal during the stop exits at once. The signal received is the one logged.
 */
export function handleSignals(close: (reason: string) => Promise<void>, logger: Logger): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn({ signal }, 'second signal during the stop: exiting now');
        process.exit(130);
      }
      stopping = true;
      void close(signal).then(() => process.exit(0));
    });
  }
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
}
