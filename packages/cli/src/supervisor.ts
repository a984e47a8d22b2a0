import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Log, pipeLines } from './log.ts';

/** What to run for one service, and under which name its output and messages appear. */
export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** What the start command's own messages call it (default: `name`), e.g. `nats-server`. */
  title?: string;
  /** Runs it as this user and group; only root may ask. */
  uid?: number;
  gid?: number;
  /** The signal that asks it to stop (default SIGTERM; PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
}

/** Restart timing of a supervised child. */
export interface BackoffOptions {
  /** Wait before the first restart; doubled after each further crash in a row. */
  initialMs?: number;
  maxMs?: number;
  /** A child that ran this long before it exited counts as healthy: the wait starts over. */
  resetAfterMs?: number;
}

/** A child process that is restarted whenever it exits, until `stop()`. */
export interface SupervisedChild {
  readonly name: string;
  /** The process id of the running instance, if one runs. */
  readonly pid: number | undefined;
  /** Why the last instance exited without being asked to, if one did. */
  readonly lastExit: string | undefined;
  /** Sends its stop signal, waits up to `graceMs`, then SIGKILL; no restart follows. */
  stop(graceMs: number): Promise<void>;
  /** Sends its stop signal without waiting, for a start command that is exiting itself. */
  abandon(): void;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Stops a process: `signal` (SIGTERM unless given), then SIGKILL when it has not exited after
 * `graceMs`. Resolves true when it had to be killed.
 */
export async function stopProcess(
  child: ChildProcess,
  graceMs: number,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  if (hasExited(child)) return false;
  const exited = once(child, 'exit');
  child.kill(signal);
  const ac = new AbortController();
  const inTime = await Promise.race([
    exited.then(() => true),
    sleep(graceMs, false, { signal: ac.signal }).catch(() => false),
  ]);
  ac.abort();
  if (inTime) return false;
  child.kill('SIGKILL');
  await exited;
  return true;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/**
 * Starts `spec` and restarts it after each exit, waiting longer after each crash in a row (up to
 * `maxMs`), so a service that cannot start does not spin the machine.
 */
export function supervise(spec: ChildSpec, log: Log, backoff: BackoffOptions = {}): SupervisedChild {
  const { initialMs = 1_000, maxMs = 30_000, resetAfterMs = 30_000 } = backoff;
  const title = spec.title ?? spec.name;
  const stopSignal = spec.stopSignal ?? 'SIGTERM';
  let current: ChildProcess | undefined;
  let lastExit: string | undefined;
  let stopping = false;
  let delayMs = initialMs;
  const restartWait = new AbortController();

  const run = () => {
    const startedAt = Date.now();
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      uid: spec.uid,
      gid: spec.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    pipeLines(child.stdout!, (line) => log.line(spec.name, line, 'stdout'));
    pipeLines(child.stderr!, (line) => log.line(spec.name, line, 'stderr'));

    let handled = false;
    const onGone = (why: string) => {
      if (handled) return;
      handled = true;
      current = undefined;
      if (stopping) return;
      lastExit = why;
      if (Date.now() - startedAt >= resetAfterMs) delayMs = initialMs;
      const wait = delayMs;
      delayMs = Math.min(delayMs * 2, maxMs);
      log.error(`${title} ${why}; restarting it in ${(wait / 1000).toFixed(1)} s.`);
      sleep(wait, undefined, { signal: restartWait.signal }).then(
        () => {
          if (!stopping) run();
        },
        () => {},
      );
    };
    // 'error' without 'exit' means the process never started (e.g. the command is missing).
    child.once('error', (err) => onGone(`could not be started (${err.message})`));
    child.once('exit', (code, signal) => onGone(describeExit(code, signal)));
  };

  run();
  return {
    name: spec.name,
    get pid() {
      return current?.pid;
    },
    get lastExit() {
      return lastExit;
    },
    async stop(graceMs) {
      stopping = true;
      restartWait.abort();
      const child = current;
      if (!child) return;
      if (await stopProcess(child, graceMs, stopSignal)) {
        log.error(`${title} did not exit within ${graceMs / 1000} s of ${stopSignal}; killed it.`);
      }
    },
    abandon() {
      stopping = true;
      restartWait.abort();
      current?.kill(stopSignal);
    },
  };
}
