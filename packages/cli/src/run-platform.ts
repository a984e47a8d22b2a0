/**
 * The process that runs the platform. `start.ts` starts it in a session of its own, so that a
 * Ctrl-C in the terminal reaches only `start.ts`, which asks this process to stop: the services,
 * nats-server and PostgreSQL then stop in order rather than all at once.
 */
import { once } from 'node:events';
import { loadConfig, type StartConfig } from './config.ts';
import { StartError } from './errors.ts';
import { createLog, type Log } from './log.ts';
import { createPlatform } from './platform.ts';

function report(log: Log, err: unknown): void {
  if (err instanceof StartError) log.error(err.message);
  else log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
}

async function main(): Promise<number> {
  // Output is inherited from start.ts; when that pipe is gone, stopping matters more than logging.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const log = createLog(process.stdout, process.stderr);

  let config: StartConfig;
  try {
    config = loadConfig();
  } catch (err) {
    report(log, err);
    return 2;
  }

  const platform = createPlatform(config, log);
  const shutdown = new AbortController();
  const requestStop = (why: string) => {
    if (shutdown.signal.aborted) {
      log.info('Already stopping; services get 10 s each before they are killed.');
      return;
    }
    log.info(`${why}; stopping the platform.`);
    shutdown.abort();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => requestStop(`Received ${signal}`));
  }
  // start.ts went away without asking (e.g. it was killed): nobody else will stop us.
  process.on('disconnect', () => requestStop('The start command is gone'));
  process.on('exit', () => platform.abandon());

  let exitCode = 0;
  try {
    await platform.start(shutdown.signal);
    if (!shutdown.signal.aborted) await once(shutdown.signal, 'abort');
  } catch (err) {
    if (!shutdown.signal.aborted) {
      report(log, err);
      exitCode = 1;
    }
  }
  await platform.stop();
  log.info('Stopped.');
  return exitCode;
}

process.exit(await main());
