import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * `n` distinct free ports: each is held open until all are found, so that two calls cannot be
 * answered with the same port (as `freePort` called twice can be).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: ReturnType<typeof createServer>[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      servers.push(srv);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => {
            const addr = srv.address();
            if (typeof addr === 'object' && addr) resolve(addr.port);
            else reject(new Error('no port'));
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** A nats-server with JetStream of a test's own, on its own port and store directory. */
export interface TestNats {
  url: string;
  port: number;
  /** Stops the server (SIGTERM) and keeps its store, so `start()` brings the same streams back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its store. */
  dispose(): Promise<void>;
  /** What the server logged so far (its permission violations among it). */
  log(): Promise<string>;
}

/** Options of `startNats`. */
export interface StartNatsOptions {
  /**
   * The `authorization` block of the server's configuration (users and their permissions, e.g. from
   * `natsAuthorization` of `@ocp/bus`); without it the server takes anyone.
   */
  authorization?: object;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Starts a private nats-server (from the PATH) for one test file. */
export async function startNats(opts: StartNatsOptions = {}): Promise<TestNats> {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-nats-'));
  const port = await freePort();
  const logFile = join(dir, 'nats-server.log');
  const configFile = join(dir, 'nats-server.conf');
  // nats-server reads JSON; every string quoted, so no `$JS...` subject is taken for a variable.
  await writeFile(
    configFile,
    JSON.stringify({
      host: '127.0.0.1',
      port,
      jetstream: { store_dir: dir },
      ...(opts.authorization ? { authorization: opts.authorization } : {}),
    }),
    { mode: 0o600 },
  );
  let proc: ChildProcess | undefined;
  const start = async () => {
    const out = openSync(logFile, 'a');
    try {
      proc = spawn('nats-server', ['-c', configFile], { stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    proc.once('error', () => {});
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    async log() {
      return await readFile(logFile, 'utf8').catch(() => '');
    },
  };
}
