import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { isLoopbackHost } from './config.ts';
import { StartError } from './errors.ts';
import { type Log, recordingLog } from './log.ts';
import { type BackoffOptions, supervise } from './supervisor.ts';
import { canConnect, waitUntil } from './wait.ts';

/** The NATS server the platform uses. */
export interface NatsHandle {
  url: string;
  /** True when we started this nats-server, so `stop()` ends it. */
  startedHere: boolean;
  /** Where JetStream keeps its data, when we started the server. */
  storeDir: string | undefined;
  /** The process id of the nats-server we run, while one runs. */
  readonly pid: number | undefined;
  /** Stops the nats-server if we started it; leaves one that was already running alone. */
  stop(): Promise<void>;
  /** Sends SIGTERM without waiting, for a start command that is exiting itself. */
  abandon(): void;
}

/** Options of `ensureNats`. */
export interface EnsureNatsOptions {
  url: string;
  /** The JetStream store of a nats-server we start. */
  storeDir: string;
  /** Directories searched for the nats-server binary (the `PATH`). */
  searchPath: string[];
  log: Log;
  signal?: AbortSignal;
  /** Restart timing of a nats-server we start, when it dies. */
  backoff?: BackoffOptions;
}

const NOT_FOUND =
  'nats-server was not found on the PATH. Install it (Debian/Ubuntu: `sudo apt-get install nats-server`; ' +
  'or download it from the NATS project) and run `pnpm start` again.';

/** The nats-server binary in `searchPath`, or undefined. */
export async function findOnPath(name: string, searchPath: string[]): Promise<string | undefined> {
  for (const dir of searchPath) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * Fails when the NATS server at `url` has no JetStream, which the services need. Debian's
 * nats-server package, for one, starts a server on 127.0.0.1:4222 without it.
 */
async function checkJetStream(url: string): Promise<void> {
  let problem: string | undefined;
  try {
    const nc = await connect({ servers: url, timeout: 5_000, reconnect: false });
    try {
      const reply = await nc.request('$JS.API.INFO', '', { timeout: 5_000 });
      const info = JSON.parse(new TextDecoder().decode(reply.data)) as { error?: { description?: string } };
      if (info.error) problem = info.error.description ?? 'JetStream answered with an error';
    } catch (err) {
      problem = (err as Error).message;
    } finally {
      await nc.close();
    }
  } catch (err) {
    throw new StartError(
      'CLI_NATS_FAILED',
      `NATS at ${url} accepts connections but: ${(err as Error).message}.`,
    );
  }
  if (problem !== undefined) {
    throw new StartError(
      'CLI_NATS_FAILED',
      `NATS at ${url} has no JetStream (${problem}), which the services need. Enable it on that server ` +
        "(nats-server -js, or `jetstream: enabled` in its configuration; for the service of Debian's " +
        'package, `sudo systemctl disable --now nats-server` lets the start command run its own), or ' +
        'set OCP_NATS_URL to a free port, e.g. nats://127.0.0.1:4223, to have one started there.',
    );
  }
}

/**
 * Uses the NATS server at `url` when it accepts a TCP connection and has JetStream; otherwise starts a nats-server
 * with JetStream on that port, storing into `storeDir`, and waits until it listens. A nats-server
 * started here that dies is logged and started again, as the services are.
 */
export async function ensureNats(opts: EnsureNatsOptions): Promise<NatsHandle> {
  const { url, storeDir, searchPath, log, signal, backoff } = opts;
  const { hostname, port: portText } = new URL(url);
  const port = Number(portText || 4222);
  if (await canConnect(hostname, port)) {
    await checkJetStream(url);
    return {
      url,
      startedHere: false,
      storeDir: undefined,
      pid: undefined,
      stop: async () => {},
      abandon: () => {},
    };
  }
  if (!isLoopbackHost(hostname)) {
    throw new StartError(
      'CLI_NATS_FAILED',
      `NATS at ${url} does not answer, and a nats-server can only be started on this machine. ` +
        'Start that server, or unset OCP_NATS_URL to have one started here.',
    );
  }
  const binary = await findOnPath('nats-server', searchPath);
  if (!binary) throw new StartError('CLI_NATS_NOT_FOUND', NOT_FOUND);

  await mkdir(storeDir, { recursive: true });
  // Kept so that a server that refuses to start can say why in the error.
  const recent: string[] = [];
  const recording = recordingLog(log, recent);
  // Supervised like the services: a nats-server that dies is started again, on the same store.
  const server = supervise(
    {
      name: 'nats',
      title: 'nats-server',
      command: binary,
      args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
      cwd: storeDir,
      env: {},
    },
    recording,
    backoff,
  );

  const stop = async () => server.stop(10_000);
  try {
    const up = await waitUntil(
      async () => server.lastExit === undefined && (await canConnect('127.0.0.1', port)),
      { timeoutMs: 15_000, intervalMs: 100, signal },
    );
    if (!up || server.lastExit !== undefined) {
      throw new StartError(
        'CLI_NATS_FAILED',
        `nats-server did not start listening on 127.0.0.1:${port}` +
          `${server.lastExit ? ` (it ${server.lastExit})` : ''}. Its last lines:\n${recent.join('\n')}`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    startedHere: true,
    storeDir,
    get pid() {
      return server.pid;
    },
    stop,
    abandon: () => server.abandon(),
  };
}
