import { OdooError } from './errors.ts';

/**
 * Odoo 18 refuses a module operation (`button_immediate_*`) while a scheduled action runs: it takes
 * `SELECT FROM ir_cron FOR UPDATE NOWAIT`, and on the lock failure raises this UserError. The
 * refusal passes once the scheduled action ends, so it is the one answer worth calling again.
 */
export const SCHEDULED_ACTION_LOCK_MESSAGE = 'Odoo is currently processing a scheduled action.';

/** Whether an error is Odoo's refusal of a module operation while a scheduled action holds `ir_cron`. */
export function isScheduledActionLock(err: unknown): err is OdooError {
  return (
    err instanceof OdooError &&
    err.name === 'odoo.exceptions.UserError' &&
    err.odooMessage.startsWith(SCHEDULED_ACTION_LOCK_MESSAGE)
  );
}

export interface RetryOptions {
  /** Calls in all, the first included (default 5); 1 never retries. */
  attempts?: number;
  /** Wait before the second call; doubled each time (default 1000 ms). */
  baseDelayMs?: number;
  /** Longest wait between two calls (default 15000 ms). */
  maxDelayMs?: number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Runs `call` again, with exponential backoff, only while it fails with the scheduled-action lock,
 * and at most `attempts` times in all; every other failure, and the last lock failure, is thrown as is.
 */
export async function retryScheduledActionLock<T>(
  call: () => Promise<T>,
  options: RetryOptions = {},
  sleep: Sleep = defaultSleep,
  signal?: AbortSignal,
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 15_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !isScheduledActionLock(err)) throw err;
      await sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)), signal);
    }
  }
}
