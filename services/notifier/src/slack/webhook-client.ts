import type { SlackMessage } from '../domain/slack-message.ts';
import { SlackDeliveryError } from './errors.ts';

/** Posts messages to one Slack incoming webhook. */
export interface SlackClient {
  /**
   * Posts `message`, waiting out a 429 for as long as Slack's `Retry-After` says and retrying a 5xx
   * or an unanswered request with backoff; resolves once Slack took it. Throws `SlackDeliveryError`
   * when Slack refuses it or the attempts run out, and the signal's reason when it is aborted.
   */
  post(message: SlackMessage, opts: PostOptions): Promise<void>;
}

export interface PostOptions {
  signal: AbortSignal;
  /** Called every few seconds while a post waits, so the message that asked for it is kept. */
  onWait?(): void;
}

export interface SlackClientOptions {
  url: string;
  timeoutMs: number;
  /** Posts answered with a 5xx or not at all, before giving up. */
  attempts: number;
  /** The first backoff after a failure; it doubles each time. */
  backoffMs?: number;
  /** The longest `Retry-After` waited out; a longer one is waited this long. */
  maxRetryAfterMs?: number;
  /** 429s of one message waited out before giving up. */
  maxThrottles?: number;
}

const KEEP_ALIVE_MS = 5_000;

/** A `Retry-After` value (seconds or an HTTP date) in milliseconds, or undefined when unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Why a request got no answer, without its URL: the system's code or the error's name. */
function unansweredReason(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.code ?? e?.cause?.name ?? e?.name ?? 'network error';
}

async function pause(ms: number, opts: PostOptions): Promise<void> {
  let left = ms;
  while (left > 0) {
    opts.onWait?.();
    const step = Math.min(left, KEEP_ALIVE_MS);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, step);
      function done() {
        opts.signal.removeEventListener('abort', aborted);
        resolve();
      }
      function aborted() {
        clearTimeout(timer);
        reject(opts.signal.reason);
      }
      opts.signal.addEventListener('abort', aborted, { once: true });
    });
    left -= step;
  }
}

export function slackClient(o: SlackClientOptions): SlackClient {
  const backoff = o.backoffMs ?? 500;
  const maxRetryAfter = o.maxRetryAfterMs ?? 120_000;
  const maxThrottles = o.maxThrottles ?? 10;
  return {
    async post(message, opts) {
      const body = JSON.stringify(message);
      let failures = 0;
      let throttles = 0;
      for (;;) {
        opts.signal.throwIfAborted();
        opts.onWait?.();
        let res: Response;
        try {
          res = await fetch(o.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            redirect: 'error',
            signal: AbortSignal.any([opts.signal, AbortSignal.timeout(o.timeoutMs)]),
          });
        } catch (err) {
          opts.signal.throwIfAborted();
          failures += 1;
          if (failures >= o.attempts)
            throw new SlackDeliveryError(
              `Slack did not answer ${failures} posts (${unansweredReason(err)})`,
              failures + throttles,
            );
          await pause(backoff * 2 ** (failures - 1), opts);
          continue;
        }
        // Slack answers "ok" or a short reason ("invalid_payload", "no_service"): worth a log line.
        const answer = (await res.text().catch(() => '')).slice(0, 200);
        if (res.ok) return;
        if (res.status === 429) {
          throttles += 1;
          if (throttles > maxThrottles)
            throw new SlackDeliveryError(
              `Slack kept throttling (429) after ${maxThrottles} waits`,
              failures + throttles,
              429,
            );
          const wait = retryAfterMs(res.headers.get('retry-after')) ?? backoff * 2 ** (throttles - 1);
          await pause(Math.min(wait, maxRetryAfter), opts);
          continue;
        }
        if (res.status >= 500) {
          failures += 1;
          if (failures >= o.attempts)
            throw new SlackDeliveryError(
              `Slack answered ${res.status} to ${failures} posts${answer ? ` (${answer})` : ''}`,
              failures + throttles,
              res.status,
            );
          await pause(backoff * 2 ** (failures - 1), opts);
          continue;
        }
        throw new SlackDeliveryError(
          `Slack refused the message with ${res.status}${answer ? ` (${answer})` : ''}`,
          failures + throttles + 1,
          res.status,
        );
      }
    },
  };
}
