import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { INBOX_RETENTION_MS, pruneInbox } from './inbox.ts';
import { createLease } from './lease.ts';
import type { Pool, PoolClient } from './pool.ts';

/** The channel a commit with new outbox rows notifies. */
export const OUTBOX_CHANNEL = 'ocp_outbox';
/** Refusals of one row before it is dead-lettered (`OUTBOX_MAX_ATTEMPTS`). */
export const OUTBOX_MAX_ATTEMPTS = 10;
/** How long the relay's leadership lasts without a renewal (renewed every quarter of it). */
export const OUTBOX_LEASE_MS = 10_000;

const LEASE = 'outbox-relay';
const enc = new TextEncoder();

export type Publish = (
  subject: string,
  payload: Uint8Array,
  msgId: string,
  headers: Record<string, string>,
) => Promise<void>;

/**
 * What a failed publish says about its row:
 * - `unreachable`: the bus was not there (connection closed or draining, no answer in time). Not
 *   the row's fault: retried with backoff for as long as it takes, never counted.
 * - `unpublishable`: it can never succeed as it is (larger than the server's max_payload or the
 *   stream's largest message, an illegal subject or header). Dead-lettered at once.
 * - `refused`: anything else, such as no stream holding the subject (the same answer comes while
 *   JetStream or a stream is being set up, so it is not final). Counted; dead-lettered after
 *   `maxAttempts`.
 * Told by the error's name and JetStream code (nats.js), so this package needs no NATS client.
 */
export type PublishFailure = 'unreachable' | 'unpublishable' | 'refused';

const UNREACHABLE = new Set([
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'TimeoutError',
  'RequestError',
]);
const UNPUBLISHABLE = new Set(['InvalidArgumentError', 'InvalidSubjectError']);
/** JSStreamMessageExceedsMaximumErr: larger than the stream's max_msg_size. */
const MESSAGE_TOO_LARGE = 10054;

export function classifyPublishFailure(err: unknown): PublishFailure {
  const e = err as { name?: unknown; code?: unknown; cause?: unknown } | undefined;
  const name = typeof e?.name === 'string' ? e.name : '';
  if (UNPUBLISHABLE.has(name)) return 'unpublishable';
  if (name === 'JetStreamApiError' && e?.code === MESSAGE_TOO_LARGE) return 'unpublishable';
  if (UNREACHABLE.has(name)) return 'unreachable';
  const cause = e?.cause as { name?: unknown } | undefined;
  if (cause?.name === 'TimeoutError') return 'unreachable';
  return 'refused';
}

export interface OutboxRelay {
  start(): void;
  /** Stops after the row in hand is published and marked, and gives up the leadership. */
  stop(): Promise<void>;
  /** Events not yet published, for metrics and readiness. */
  pending(): Promise<number>;
  /**
   * Seconds since the oldest event not yet published was written (0 when none waits): how far
   * behind the relay is. Rows are published in id order, so the first one left is the oldest.
   */
  oldestPendingAgeSeconds(): Promise<number>;
  /** Events given up on, in `ocp_outbox_dead` (of this database, whoever moved them): alert above 0. */
  deadLettered(): Promise<number>;
  /** False while the relay cannot reach its database or NATS; a standby is healthy. */
  healthy(): boolean;
  /** True while this relay holds the lease, so it is the one publishing. */
  leading(): boolean;
}

interface Row {
  id: string;
  event_id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
  attempts: number;
}

/** Waits before retrying a refused row: 250 ms, doubling, at most 30 s. */
const retryDelay = (attempts: number) => Math.min(250 * 2 ** Math.max(0, attempts - 1), 30_000);

/**
 * Publishes the outbox in order. One relay per database publishes at a time: the holder of a lease
 * row it renews every quarter of `leaseMs`; the others try to take it at the same pace, so when the
 * leader's host disappears (its connections may stay open for hours) a standby publishes within
 * `leaseMs` and a bit. The leader checks the lease before each batch and, by its own clock, before
 * each row. A crash (or a lost lease) between publishing and marking re-publishes the same event
 * id, which JetStream drops as a duplicate. A row the bus refuses is retried with backoff and, after
 * `maxAttempts` refusals or at once when it can never be published (`classifyPublishFailure`),
 * moved to `ocp_outbox_dead` with its error, so it holds back no later row. The leader also deletes
 * published rows after `retainMs` and inbox entries after `inboxRetentionMs`.
 */
export function createOutboxRelay(opts: {
  pool: Pool;
  publish: Publish;
  logger: Logger;
  /** A fallback poll, for a missed notification. */
  pollMs?: number;
  batchSize?: number;
  /** Published rows are deleted after this long. */
  retainMs?: number;
  /** Refusals of one row before it is dead-lettered (default `OUTBOX_MAX_ATTEMPTS`). */
  maxAttempts?: number;
  /** How long leadership lasts without renewal (default `OUTBOX_LEASE_MS`). */
  leaseMs?: number;
  /** Inbox entries are deleted after this long (default `INBOX_RETENTION_MS`). */
  inboxRetentionMs?: number;
}): OutboxRelay {
  const { pool, publish, logger } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const batchSize = opts.batchSize ?? 200;
  const retainMs = opts.retainMs ?? 24 * 60 * 60 * 1000;
  const maxAttempts = opts.maxAttempts ?? OUTBOX_MAX_ATTEMPTS;
  const leaseMs = opts.leaseMs ?? OUTBOX_LEASE_MS;
  const inboxRetentionMs = opts.inboxRetentionMs ?? INBOX_RETENTION_MS;
  const renewMs = Math.max(50, Math.floor(leaseMs / 4));
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const lease = createLease(pool, { name: LEASE, holder, ttlMs: leaseMs });
  const log = logger.child({ component: 'outbox-relay', holder });
  let stopped = false;
  let ok = false;
  let wake: (() => void) | undefined;
  let napping: 'notify' | 'backoff' | undefined;
  // A notification that came while the relay was not napping (draining, marking): the next nap must
  // not wait for the poll, since the drain in hand may have read before that commit.
  let notified = false;
  let listener: PoolClient | undefined;
  let loop: Promise<void> | undefined;
  let lastCleanup = 0;

  /** Sleeps `ms`; a commit's notification ends a `notify` nap, never a `backoff` one; `stop` ends both. */
  const nap = (ms: number, kind: 'notify' | 'backoff' = 'notify') =>
    new Promise<void>((resolve) => {
      if (stopped || (kind === 'notify' && notified)) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        napping = undefined;
        resolve();
      }
      wake = done;
      napping = kind;
    });

  async function listen(): Promise<void> {
    const client = await pool.connect();
    client.on('error', (err) => {
      log.warn({ err: { message: err.message } }, 'relay listening connection lost');
      if (listener === client) {
        listener = undefined;
        client.release(err);
      }
      if (napping === 'notify') wake?.();
    });
    client.on('notification', () => {
      notified = true;
      if (napping === 'notify') wake?.();
    });
    try {
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    listener = client;
  }

  function unlisten(): void {
    // Destroyed, not returned: a pooled connection must not keep listening for someone else.
    listener?.release(true);
    listener = undefined;
  }

  async function markPublished(ids: string[]): Promise<void> {
    if (ids.length > 0) {
      await pool.query('UPDATE ocp_outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [ids]);
    }
  }

  async function deadLetter(row: Row, attempts: number, error: string): Promise<void> {
    await pool.query(
      `WITH gone AS (DELETE FROM ocp_outbox WHERE id = $1 RETURNING *)
       INSERT INTO ocp_outbox_dead (id, event_id, subject, payload, headers, created_at, attempts, error)
       SELECT id, event_id, subject, payload, headers, created_at, $2, $3 FROM gone`,
      [row.id, attempts, error],
    );
    log.error(
      { eventId: row.event_id, subject: row.subject, attempts, error },
      'outbox event dead-lettered to ocp_outbox_dead; the events after it go on',
    );
  }

  /**
   * Publishes the outbox in order while this relay leads. Returns how long to wait before trying a
   * refused row again, or undefined when there is nothing left; throws when the bus is unreachable.
   */
  async function drain(): Promise<number | undefined> {
    for (;;) {
      if (!(await lease.acquire())) return undefined;
      const { rows } = await pool.query<Row>(
        `SELECT id, event_id, subject, payload, headers, attempts FROM ocp_outbox
         WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [batchSize],
      );
      if (rows.length === 0) return undefined;
      const done: string[] = [];
      try {
        // In order, one at a time: a failed publish must not let a later event overtake it.
        for (const row of rows) {
          if (stopped && done.length > 0) break;
          if (lease.renewalDue()) {
            await markPublished(done.splice(0));
            if (!(await lease.acquire())) return undefined;
          }
          // The lease may have run out while this process was frozen: another relay may lead now.
          if (!lease.held()) return undefined;
          try {
            await publish(row.subject, enc.encode(JSON.stringify(row.payload)), row.event_id, row.headers);
            done.push(row.id);
          } catch (err) {
            const failure = classifyPublishFailure(err);
            const error = `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
            const attempts = row.attempts + (failure === 'unreachable' ? 0 : 1);
            await markPublished(done.splice(0));
            if (failure === 'unpublishable' || (failure === 'refused' && attempts >= maxAttempts)) {
              await deadLetter(row, attempts, error);
              continue;
            }
            await pool.query('UPDATE ocp_outbox SET attempts = $2, last_error = $3 WHERE id = $1', [
              row.id,
              attempts,
              error,
            ]);
            if (failure === 'unreachable') throw err;
            log.warn(
              { eventId: row.event_id, subject: row.subject, attempts, maxAttempts, error },
              'outbox event refused; retrying',
            );
            return retryDelay(attempts);
          }
        }
      } finally {
        await markPublished(done);
      }
      if (stopped || rows.length < batchSize) return undefined;
    }
  }

  async function cleanup(): Promise<void> {
    if (Date.now() - lastCleanup < 60_000) return;
    lastCleanup = Date.now();
    await pool.query(
      "DELETE FROM ocp_outbox WHERE published_at IS NOT NULL AND published_at < now() - ($1::bigint * interval '1 millisecond')",
      [retainMs],
    );
    const pruned = await pruneInbox(pool, inboxRetentionMs);
    if (pruned > 0) log.info({ pruned }, 'pruned old inbox entries');
  }

  async function run(): Promise<void> {
    let backoff = 250;
    while (!stopped) {
      try {
        if (!(await lease.acquire())) {
          // Another replica leads and publishes; this one stands by, which is healthy.
          unlisten();
          ok = true;
          await nap(renewMs, 'backoff');
          continue;
        }
        if (!listener) await listen();
        notified = false;
        const retryIn = await drain();
        if (lease.held()) await cleanup();
        backoff = 250;
        if (retryIn !== undefined) {
          // A row is refused. New commits do not hurry its retry (they would use up its attempts);
          // the lease is renewed while it waits. The database and the bus answer, so the relay
          // stays healthy: the row ends published or dead-lettered within its attempts, and taking
          // the service out of rotation would not help it.
          ok = true;
          const until = Date.now() + retryIn;
          for (;;) {
            await nap(Math.min(until - Date.now(), renewMs), 'backoff');
            if (stopped || Date.now() >= until || !(await lease.acquire())) break;
          }
          continue;
        }
        ok = true;
        await nap(Math.min(pollMs, renewMs));
      } catch (err) {
        ok = false;
        log.warn({ err: { message: (err as Error).message } }, 'outbox relay pass failed; retrying');
        // Never longer than a renewal: a leader that waits out an outage keeps its lease.
        await nap(Math.min(backoff, renewMs), 'backoff');
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
      unlisten();
      await lease.release().catch(() => {});
    },
    async pending() {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM ocp_outbox WHERE published_at IS NULL',
      );
      return Number(rows[0]?.n ?? 0);
    },
    async oldestPendingAgeSeconds() {
      const { rows } = await pool.query<{ age: number }>(
        `SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM ocp_outbox
         WHERE published_at IS NULL ORDER BY id LIMIT 1`,
      );
      return Math.max(0, Number(rows[0]?.age ?? 0));
    },
    async deadLettered() {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM ocp_outbox_dead');
      return Number(rows[0]?.n ?? 0);
    },
    healthy: () => ok,
    leading: () => lease.held(),
  };
}
