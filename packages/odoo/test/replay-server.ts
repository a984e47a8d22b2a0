/**
 * A stand-in for Odoo 18 that replays exchanges recorded from a real Odoo 18.0 community server
 * (test/recordings/jsonrpc-18.0*.json, copied unchanged; error tracebacks were removed when
 * recording, and `masterpw`/`adminpw` are the recorder's throwaway passwords): the test queues the exchanges it
 * expects, the server answers each request with the next queued answer in Odoo's own envelope (id
 * echoed) and keeps every request body, so a test can compare what the client sent with what was
 * recorded.
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RecordedExchange {
  label: string;
  http_status: number;
  request: {
    jsonrpc: '2.0';
    method: 'call';
    params: { service: string; method: string; args: unknown[] };
    id: number;
  };
  response: { jsonrpc: '2.0'; id: number; result?: unknown; error?: unknown };
}

const recordingsDir = new URL('./recordings/', import.meta.url);

/** Every recorded exchange, the first file's before the second's. */
export const recorded: readonly RecordedExchange[] = ['jsonrpc-18.0.json', 'jsonrpc-18.0-more.json'].flatMap(
  (file) =>
    (JSON.parse(readFileSync(new URL(file, recordingsDir), 'utf8')) as { exchanges: RecordedExchange[] })
      .exchanges,
);

/** The `nth` recorded exchange with this label (labels repeat: several `search_read`s, two `db.list`s). */
export function exchange(label: string, nth = 0): RecordedExchange {
  const found = recorded.filter((e) => e.label === label)[nth];
  if (!found) throw new Error(`no recorded exchange "${label}" #${nth} in ${fileURLToPath(recordingsDir)}`);
  return found;
}

/** What the server does with one request: answer like a recorded exchange, or misbehave on purpose. */
export type Reply = RecordedExchange | ((res: ServerResponse) => void);

export interface ReplayServer {
  url: string;
  /** Queues replies, answered in order; a request with none queued gets HTTP 500. */
  expect(...replies: Reply[]): void;
  /** Forgets queued replies and received requests. */
  reset(): void;
  /** Request bodies received, in order. */
  readonly received: Array<{ jsonrpc: unknown; method: unknown; params: unknown; id: unknown }>;
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  const queue: Reply[] = [];
  const received: ReplayServer['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      received.push(body);
      const reply = queue.shift();
      if (!reply) {
        res.writeHead(500).end('no reply queued for this request');
        return;
      }
      if (typeof reply === 'function') return reply(res);
      res.writeHead(reply.http_status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...reply.response, id: body.id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    expect: (...replies) => queue.push(...replies),
    received,
    reset: () => {
      queue.length = 0;
      received.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
