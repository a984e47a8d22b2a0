import type { Logger } from 'pino';

/** A named step of an ordered shutdown. */
export interface ShutdownStep {
  name: string;
  run(): Promise<unknown>;
}

/**
 * Runs named steps in the order they were added (stop intake, finish work, drain NATS, close
 * pools), each bounded by what is left of the timeout, once, whatever calls it first.
 */
export function createShutdown(logger: Logger, timeoutMs: number) {
  const steps: ShutdownStep[] = [];
  let running: Promise<void> | undefined;
  return {
    add(name: string, run: () => Promise<unknown>) {
      steps.push({ name, run });
    },
    run(reason: string): Promise<void> {
      running ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        logger.info({ reason }, 'shutting down');
        for (const step of steps) {
          const left = Math.max(100, deadline - Date.now());
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              step.run(),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`took longer than ${left} ms`)), left);
              }),
            ]);
            logger.debug({ step: step.name }, 'shutdown step done');
          } catch (err) {
            logger.warn({ step: step.name, err }, 'shutdown step failed');
          } finally {
            clearTimeout(timer);
          }
        }
      })();
      return running;
    },
  };
}

export type Shutdown = ReturnType<typeof createShutdown>;

/** Process wiring for a service's main.ts: signals run the shutdown, then the process exits. */
export function handleSignals(close: (reason: string) => Promise<void>, logger: Logger): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void close(signal).then(() => process.exit(0));
    });
  }
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
}
