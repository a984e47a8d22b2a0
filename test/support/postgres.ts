import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgresHandle, type Log, startEmbeddedPostgres } from '@ocp/cli';
import { freePort } from '@ocp/testkit';

/** A PostgreSQL server of a test's own, which the test can stop and start again. */
export interface TestPostgres {
  /** The superuser's URL of the `postgres` database; the same after a restart. */
  url: string;
  /** Stops the server (fast shutdown: open sessions end); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data and password. */
  start(): Promise<void>;
  /** The server's last lines, for a failure message. */
  output(): string;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

/**
 * Starts an embedded PostgreSQL in a fresh temporary directory, on a free port. As root the server
 * runs as the `postgres` OS user, so the directory is opened to it (mkdtemp makes it 0700).
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const root = await mkdtemp(join(tmpdir(), 'ocp-pg-'));
  await chmod(root, 0o755);
  const lines: string[] = [];
  const keep = (text: string) => {
    lines.push(text);
    if (lines.length > 50) lines.shift();
  };
  const log: Log = {
    info: keep,
    error: keep,
    banner: keep,
    line: (source, text) => keep(`[${source}] ${text}`),
  };
  const opts = {
    dir: join(root, 'data'),
    port: await freePort(),
    passwordFile: join(root, 'password'),
    log,
  };
  let handle: EmbeddedPostgresHandle | undefined;
  try {
    handle = await startEmbeddedPostgres(opts);
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    throw e;
  }
  const url = handle.url;
  // One change at a time: a test's clean-up may ask for a start while its body is still stopping.
  let last: Promise<unknown> = Promise.resolve();
  let disposed = false;
  const serial = (step: () => Promise<void>): Promise<void> => {
    const next = last.then(step);
    last = next.catch(() => {});
    return next;
  };
  const stop = () =>
    serial(async () => {
      await handle?.stop();
      handle = undefined;
    });
  return {
    url,
    stop,
    start: () =>
      serial(async () => {
        // After dispose, a start from a test body still running (its failure already reported) would
        // bring back a server nothing stops.
        if (!disposed) handle ??= await startEmbeddedPostgres(opts);
      }),
    output: () => lines.join('\n'),
    async dispose() {
      disposed = true;
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
