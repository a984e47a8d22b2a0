import { type IncomingMessage, request } from 'node:http';

/**
 * A Server-Sent Events reader, parsing as the WHATWG HTML standard says a browser's EventSource
 * does: fields per line, a blank line dispatches, an `id:` sets the last event id even when the
 * frame has no data, comment lines are kept count of. Over node:http with a connection of its own
 * rather than fetch: undici's pool opens a spare connection when a streamed answer is aborted, and
 * a connection that never sends a request holds a server's close for its headers timeout.
 */

export interface SseFrame {
  event: string;
  id: string;
  data: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read frames loosely and assert on them.
  json: any;
}

export interface SseStream {
  status: 200;
  headers: Headers;
  frames: SseFrame[];
  /** The last event id, as EventSource keeps it (what it would send as Last-Event-ID). */
  lastEventId: string;
  /** The last `retry:` value. */
  retry: number | undefined;
  comments: number;
  /** Resolves when the server ends the stream (or it is closed here). */
  ended: Promise<void>;
  /** Waits for the first frame at or after `from` (an index into `frames`) that matches. */
  next(
    what: string,
    match: (f: SseFrame) => boolean,
    opts?: { from?: number; timeoutMs?: number },
  ): Promise<SseFrame>;
  /** Waits until the parser has taken something (a frame or a comment) that passes `check`. */
  until(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

export interface SseRefusal {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  body: any;
}

/** Opens `GET path` as an event stream; a refusal is answered with its parsed problem. */
export async function openSse(
  baseUrl: string,
  path: string,
  auth: { token?: string; cookie?: string; lastEventId?: string },
): Promise<SseStream | SseRefusal> {
  const url = new URL(path, baseUrl);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      url,
      {
        agent: false,
        headers: {
          accept: 'text/event-stream',
          ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
          ...(auth.cookie ? { cookie: auth.cookie } : {}),
          ...(auth.lastEventId !== undefined ? { 'last-event-id': auth.lastEventId } : {}),
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  res.setEncoding('utf8');
  if (res.statusCode !== 200) {
    let text = '';
    for await (const chunk of res) text += chunk;
    return { status: res.statusCode ?? 0, headers, body: text ? JSON.parse(text) : undefined };
  }
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  const stream: SseStream = {
    status: 200,
    headers,
    frames: [],
    lastEventId: '',
    retry: undefined,
    comments: 0,
    ended: Promise.resolve(),
    async next(what, match, opts = {}) {
      let i = opts.from ?? 0;
      const found = () => {
        for (; i < stream.frames.length; i++) if (match(stream.frames[i] as SseFrame)) return true;
        return false;
      };
      await stream.until(what, found, opts.timeoutMs);
      return stream.frames[i] as SseFrame;
    },
    until(what, check, timeoutMs = 30_000) {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = () => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} within ${timeoutMs} ms; frames: ${describe(stream.frames)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => res.destroy(),
  };

  let idBuffer = '';
  let event = '';
  let data: string[] = [];
  const line = (l: string) => {
    if (l === '') {
      stream.lastEventId = idBuffer;
      if (data.length > 0) {
        const text = data.join('\n');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        stream.frames.push({ event: event || 'message', id: idBuffer, data: text, json });
      }
      event = '';
      data = [];
      wake();
      return;
    }
    if (l.startsWith(':')) {
      stream.comments++;
      return;
    }
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\u0000')) idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value)) stream.retry = Number(value);
  };

  stream.ended = (async () => {
    let rest = '';
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        rest += chunk;
        const lines = rest.split(/\r\n|\r|\n/);
        rest = lines.pop() ?? '';
        for (const l of lines) line(l);
      }
    } catch {
      // Closed here, or the server cut it.
    } finally {
      wake();
    }
  })();
  return stream;
}

export const isStream = (s: SseStream | SseRefusal): s is SseStream => s.status === 200 && 'frames' in s;

function describe(frames: SseFrame[]): string {
  return JSON.stringify(frames.slice(-15).map((f) => `${f.event} ${f.data.slice(0, 160)}`));
}
