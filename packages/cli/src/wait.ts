import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether something accepts a TCP connection at `host:port` within `timeoutMs`. */
export async function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Options of `waitUntil`. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stops the wait early, e.g. when the user asks to shut down while the platform starts. */
  signal?: AbortSignal;
}

/**
 * Polls `probe` until it returns true. Resolves true when it did, false when `timeoutMs` passed
 * first; rejects with the signal's reason when `signal` aborts.
 */
export async function waitUntil(
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 250, signal }: WaitOptions,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await probe()) return true;
    if (Date.now() >= until) return false;
    await sleep(intervalMs, undefined, { signal });
  }
}

/** Whether `GET url` answers 200 within `timeoutMs`; a refused connection counts as no. */
export async function answersOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}
