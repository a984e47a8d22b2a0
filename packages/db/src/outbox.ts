import pg from 'pg';
import type { Logger } from 'pino';
import type { Pool, Queryable } from './pool.ts';

const CHANNEL = 'ocp_outbox';
const enc = new TextEncoder();

/** One event to publish, as the bus wants it. */
export interface OutboxMessage {
  eventId: string;
  subject: string;
  payload: unknown;
  headers?: Record<string, string>;
}

/**
 * Adds messages to the outbox inside the caller's transaction, and wakes the relay when it commits
 * (NOTIFY is delivered at commit, never for a rolled-back transaction).
 */
export async function enqueueOutbox(client: Queryable, msgs: OutboxMessage[]): Promise<void> {
  if (msgs.length === 0) return;
  await client.query(
    `INSERT INTO ocp_outbox (event_id, subject, payload, headers)
     SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[])
     ON CONFLICT (event_id) DO NOTHING`,
    [
      msgs.map((m) => m.eventId),
      msgs.map((m) => m.subject),
      msgs.map((m) => JSON.stringify(m.payload)),
      msgs.map((m) => JSON.stringify(m.headers ?? {})),
    ],
  );
  await client.query(`NOTIFY ${CHANNEL}`);
}

export type Publish = (
  subject: string,
  payload: Uint8Array,
  msgId: string,
  headers: Record<string, string>,
) => Promise<void>;

export interface OutboxRelay {
  start(): void;
  /** Stops after the batch in hand is published and marked. */
  stop(): Promise<void>;
  /** Messages not yet published, for metrics and readiness. */
  pending(): Promise<number>;
  /** False while the relay cannot reach its database or its last pass failed; a standby is healthy. */
  healthy(): boolean;
  /** True while this relay holds the lock, so it is the one publishing. */
  leading(): boolean;
}

/**
 * Publishes the outbox in order. One relay per database publishes at a time (it holds an advisory
 * lock on its listening connection); the others wait to take over. A crash between publishing and
 * marking re-publishes the same event id, which JetStream drops as a duplicate.
 */
export function createOutboxRelay(opts: {
  pool: Pool;
  databaseUrl: string;
  publish: Publish;
  logger: Logger;
  /** A fallback poll, for a missed notification. */
  pollMs?: number;
  batchSize?: number;
  /** Published rows are deleted after this long. */
  retainMs?: number;
}): OutboxRelay {
  const { pool, publish, logger } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const batchSize = opts.batchSize ?? 200;
  const retainMs = opts.retainMs ?? 24 * 60 * 60 * 1000;
  const log = logger.child({ component: 'outbox-relay' });
  let stopped = false;
  let ok = false;
  let wake: (() => void) | undefined;
  // A notification that came while the relay was not napping (draining, marking): the next nap must
  // not wait for the poll, since the drain in hand may have read before that commit.
  let notified = false;
  let listener: pg.Client | undefined;
  let loop: Promise<void> | undefined;
  let lastCleanup = 0;

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      if (notified) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function connectListener(): Promise<boolean> {
    const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'outbox-relay' });
    client.on('error', (err) => {
      log.warn({ err: { message: err.message } }, 'relay connection lost');
      ok = false;
      if (listener === client) listener = undefined;
      wake?.();
    });
    await client.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext('ocp_outbox_relay')) AS locked",
    );
    if (!rows[0]?.locked) {
      await client.end();
      return false;
    }
    client.on('notification', () => {
      notified = true;
      wake?.();
    });
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
    return true;
  }

  async function drain(): Promise<void> {
    for (;;) {
      const { rows } = await pool.query<{
        id: string;
        event_id: string;
        subject: string;
        payload: unknown;
        headers: Record<string, string>;
      }>(
        'SELECT id, event_id, subject, payload, headers FROM ocp_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
        [batchSize],
      );
      if (rows.length === 0) return;
      const done: string[] = [];
      try {
        // In order, one at a time: a failed publish must not let a later event overtake it.
        for (const row of rows) {
          if (stopped && done.length > 0) break;
          await publish(row.subject, enc.encode(JSON.stringify(row.payload)), row.event_id, row.headers);
          done.push(row.id);
        }
      } finally {
        if (done.length > 0) {
          await pool.query('UPDATE ocp_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [done]);
        }
      }
      if (stopped || rows.length < batchSize) return;
    }
  }

  async function cleanup(): Promise<void> {
    if (Date.now() - lastCleanup < 60_000) return;
    lastCleanup = Date.now();
    await pool.query(
      "DELETE FROM ocp_outbox WHERE published_at IS NOT NULL AND published_at < now() - ($1::bigint * interval '1 millisecond')",
      [retainMs],
    );
  }

  async function run(): Promise<void> {
    let backoff = 250;
    while (!stopped) {
      try {
        if (!listener && !(await connectListener())) {
          // Another replica holds the lock and publishes; this one stands by, which is healthy.
          ok = true;
          await nap(pollMs * 5);
          continue;
        }
        notified = false;
        await drain();
        await cleanup();
        ok = true;
        backoff = 250;
        await nap(pollMs);
      } catch (err) {
        ok = false;
        log.warn({ err: { message: (err as Error).message } }, 'outbox relay pass failed; retrying');
        await nap(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  return {
    start() {
      loop ??= run();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await listener?.end().catch(() => {});
      listener = undefined;
    },
    async pending() {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM ocp_outbox WHERE published_at IS NULL',
      );
      return Number(rows[0]?.n ?? 0);
    },
    healthy: () => ok,
    leading: () => listener !== undefined,
  };
}
