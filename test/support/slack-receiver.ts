import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the stand-in for Slack received, and what it answered. */
export interface SlackDelivery {
  // biome-ignore lint/suspicious/noExplicitAny: tests read Slack's JSON loosely and assert on it.
  body: any;
  /** Everything a reader of the channel would see: the text and every block, as JSON. */
  raw: string;
  status: number;
  path: string;
  at: number;
}

/** What the stand-in answers next: a status and its headers. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A local HTTP server standing in for a Slack incoming webhook: it records the JSON bodies it gets
 * and answers 200 "ok", as Slack does, unless the test scripted other answers (a 429 with
 * `Retry-After`, a 500) or put it down (every POST answered 503).
 */
export async function startSlackReceiver() {
  const deliveries: SlackDelivery[] = [];
  const script: ScriptedAnswer[] = [];
  let down = false;
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((req, res) => {
    void read(req).then((raw) => {
      const answer: ScriptedAnswer = down
        ? { status: 503, body: 'service_unavailable' }
        : (script.shift() ?? { status: 200, body: 'ok' });
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      deliveries.push({ body, raw, status: answer.status, path: req.url ?? '', at: Date.now() });
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** A webhook URL of the shape Slack gives (its path is the secret). */
    url: `http://127.0.0.1:${port}/services/T0TEST/B0TEST/${'x'.repeat(24)}`,
    deliveries,
    /** The messages Slack took (answered 2xx). */
    taken(): SlackDelivery[] {
      return deliveries.filter((d) => d.status >= 200 && d.status < 300);
    },
    /** The messages taken that mention `needle` anywhere. */
    takenAbout(needle: string): SlackDelivery[] {
      return deliveries.filter((d) => d.status >= 200 && d.status < 300 && d.raw.includes(needle));
    },
    /** Answers the next POSTs with these, in order, then 200 again. */
    answerNext(...answers: ScriptedAnswer[]) {
      script.push(...answers);
    },
    /** While down, every POST is answered 503. */
    setDown(value: boolean) {
      down = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SlackReceiver = Awaited<ReturnType<typeof startSlackReceiver>>;
