import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { classifyDbError, type Pool, type PoolClient, withTransaction } from '@ocp/db';
import type { Logger } from 'pino';
import { createWakeListener } from './listener.ts';
import { type OperationRowBase, type OperationTable, operationSql, runSql } from './table.ts';

/** What a runner is given beside its operation. */
export interface RunnerContext {
  /**
   * Aborted when the worker stops or loses the lease: the runner stops at its next safe point (a
   * step boundary) by throwing, for example with `signal.throwIfAborted()`. The operation is then
   * neither failed nor retried now: it is resumed on the next start.
   */
  signal: AbortSignal;
  /** The worker that holds the lease. */
  workerId: string;
}

/**
 * Runs one operation to its end, step after step, each safe to run again after a crash at any
 * point. It ends the operation itself (`state = 'succeeded'`) in the transaction of its last
 * change; one that returns without doing so has its operation marked succeeded by the worker.
 * Throwing a failure that `isTransient` accepts retries the operation; any other fails it.
 */
export type OperationRunner<Row extends OperationRowBase> = (op: Row, ctx: RunnerContext) => Promise<void>;

export interface OperationWorkerOptions<Row extends OperationRowBase> {
  /** The service's pool: claims, heartbeats and the end of each operation go through it. */
  pool: Pool;
  /** For the connection that listens for new work (a pooled one cannot LISTEN). */
  databaseUrl: string;
  table: OperationTable;
  /** One runner per operation kind. */
  runners: Readonly<Record<string, OperationRunner<Row>>>;
  logger: Logger;
  /** Names the worker in `leased_by`; unique per process by default. */
  workerId?: string;
  /** Operations run at once by this worker. */
  concurrency?: number;
  /** How long a lease lives without a heartbeat: how soon a dead worker's operation is resumed. */
  leaseMs?: number;
  /** How often leases are renewed; a quarter of the lease by default. */
  heartbeatMs?: number;
  /** Attempts before a transient failure fails the operation for good. */
  maxAttempts?: number;
  /** The slow poll, for a missed notification. */
  pollMs?: number;
  /** Delay before attempt `attempts + 1`, after a transient failure of attempt `attempts`. */
  retryDelayMs?: (attempts: number) => number;
  /** Failures that may pass by themselves; the database classifier of `@ocp/db` by default. */
  isTransient?: (e: unknown) => boolean;
  /** In the transaction that failed the operation (`row` as it is now): the service's own effects. */
  onFailed?: (client: PoolClient, row: Row, error: string) => Promise<unknown>;
  /** In the transaction that scheduled a retry. */
  onRetry?: (client: PoolClient, row: Row, error: string) => Promise<unknown>;
  /** In the transaction that marked succeeded an operation its runner did not end. */
  onSucceeded?: (client: PoolClient, row: Row) => Promise<unknown>;
  /**
   * After the commit that ended an operation this worker ran (its runner's or the worker's own),
   * with the row as it ended (`state` succeeded or failed): for the metrics.
   */
  onEnded?: (row: Row & { finished_at?: Date | null }) => void;
}

/** A running worker. */
export interface OperationWorker {
  readonly id: string;
  /** Claims at once instead of at the next notification or poll. */
  wake(): void;
  /** Operations this worker runs now. */
  running(): number;
  /**
   * Stops claiming, asks the runners to stop at their next safe point, and waits for them up to
   * `deadlineMs`. An operation interrupted by the stop is never failed for it: its lease is given
   * back (or, for a runner still busy at the deadline, runs out) and the next start resumes it.
   */
  stop(deadlineMs?: number): Promise<void>;
}

interface InFlight {
  signal: AbortController;
  /** The heartbeat found the lease gone: someone else may hold the operation now. */
  lost: boolean;
  done: Promise<void>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 2000);

/**
 * Runs a service's operations from its table: claims the next runnable operation (`FOR UPDATE
 * SKIP LOCKED`), holds a lease on it renewed by heartbeats while its runner works, retries
 * transient failures with backoff, fails permanent ones, and wakes on LISTEN/NOTIFY with a slow
 * poll behind it.
 */
export function startOperationWorker<Row extends OperationRowBase>(
  opts: OperationWorkerOptions<Row>,
): OperationWorker {
  const id = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const concurrency = opts.concurrency ?? 4;
  const leaseMs = opts.leaseMs ?? 10_000;
  const heartbeatMs = opts.heartbeatMs ?? Math.max(100, Math.floor(leaseMs / 4));
  const maxAttempts = opts.maxAttempts ?? 10;
  const pollMs = opts.pollMs ?? 5000;
  const retryDelayMs = opts.retryDelayMs ?? ((attempts) => Math.min(500 * 2 ** attempts, 15_000));
  const isTransient = opts.isTransient ?? ((e: unknown) => classifyDbError(e).transient);
  const { pool } = opts;
  const sql = operationSql(opts.table);
  const log = opts.logger.child({ component: 'operation-worker', workerId: id });
  const inflight = new Map<string, InFlight>();
  let stopping = false;
  let wakeNow: (() => void) | undefined;
  let woken = false;

  const wake = () => {
    woken = true;
    wakeNow?.();
  };
  const listener = createWakeListener({
    databaseUrl: opts.databaseUrl,
    sql: sql.listen,
    logger: log,
    onNotify: wake,
  });

  /** Sleeps until woken, or `ms` passes. */
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopping) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        wakeNow = undefined;
        resolve();
      }
      wakeNow = done;
    });

  async function claim(): Promise<Row | undefined> {
    const rows = await runSql<Row>(pool, sql.claim, [id, leaseMs]);
    return rows[0];
  }

  /** How long the loop may sleep before something could be due without a notification. */
  async function idleMs(): Promise<number> {
    const rows = await runSql<{ ms: number | null }>(pool, sql.nextDue, []);
    const due = rows[0]?.ms;
    return due === null || due === undefined ? pollMs : Math.min(pollMs, Math.max(50, Number(due) + 20));
  }

  /** Writes the outcome of a run; a write that cannot be made leaves the lease to run out. */
  async function settle(op: Row, flight: InFlight, err: unknown): Promise<void> {
    const opLog = log.child({ operationId: op.id, kind: op.kind, attempt: op.attempts });
    if (flight.lost) {
      opLog.warn({ err }, 'the lease was lost while the operation ran; its new holder decides');
      return;
    }
    try {
      if (err === undefined) {
        await withTransaction(pool, async (client) => {
          const ended = await runSql<Row>(client, sql.succeed, [op.id, id]);
          if (ended[0]) {
            opLog.warn('the runner returned without ending its operation; marked succeeded');
            await opts.onSucceeded?.(client, ended[0]);
          }
          await runSql(client, sql.release, [op.id, id]);
        });
        opLog.info('operation ended');
        if (opts.onEnded) {
          // Read after the commit, for the metrics only: a failed read loses one count, nothing else.
          const rows = await runSql<Row>(pool, sql.ended, [op.id]).catch(() => []);
          if (rows[0]) opts.onEnded(rows[0]);
        }
        return;
      }
      const message = errorText(err);
      // A stop (or the abort it sends) can break a step in any way; none of it is the operation's
      // fault, so it is resumed on the next start rather than judged now.
      if (stopping || flight.signal.signal.aborted) {
        await runSql(pool, sql.release, [op.id, id]);
        opLog.info({ err: message }, 'operation interrupted by the stop; it resumes on the next start');
        return;
      }
      if (isTransient(err) && op.attempts < maxAttempts) {
        const delayMs = retryDelayMs(op.attempts);
        await withTransaction(pool, async (client) => {
          const row = (await runSql<Row>(client, sql.retry, [op.id, id, message, delayMs]))[0];
          if (row) await opts.onRetry?.(client, row, message);
        });
        opLog.warn({ err, delayMs }, 'operation step failed; it will be retried');
        return;
      }
      const failed = await withTransaction(pool, async (client) => {
        const row = (await runSql<Row>(client, sql.fail, [op.id, id, message]))[0];
        if (row) await opts.onFailed?.(client, row, message);
        return row;
      });
      opLog.error({ err }, 'operation failed');
      if (failed) opts.onEnded?.(failed);
    } catch (e) {
      opLog.warn(
        { err: e, cause: err === undefined ? undefined : errorText(err) },
        'could not record the outcome of the operation; its lease will run out and it runs again',
      );
    }
  }

  function launch(op: Row): void {
    const flight: InFlight = { signal: new AbortController(), lost: false, done: Promise.resolve() };
    const runner = opts.runners[op.kind];
    flight.done = (async () => {
      let err: unknown;
      try {
        if (!runner) throw new Error(`no runner for operation kind ${op.kind}`);
        await runner(op, { signal: flight.signal.signal, workerId: id });
      } catch (e) {
        err = e ?? new Error('the runner failed');
      }
      await settle(op, flight, err);
    })().finally(() => {
      inflight.delete(op.id);
      wake();
    });
    inflight.set(op.id, flight);
  }

  const heartbeat = setInterval(() => {
    const ids = [...inflight.keys()];
    if (ids.length === 0) return;
    runSql<{ id: string }>(pool, sql.renew, [ids, id, leaseMs])
      .then((rows) => {
        const held = new Set(rows.map((r) => r.id));
        for (const opId of ids) {
          const flight = inflight.get(opId);
          if (!flight || held.has(opId)) continue;
          flight.lost = true;
          flight.signal.abort(new Error('the lease of the operation was lost'));
          log.warn({ operationId: opId }, 'lease lost; asking the runner to stop');
        }
      })
      .catch((err: unknown) =>
        log.warn({ err: { message: errorText(err) } }, 'could not renew the leases; trying again'),
      );
  }, heartbeatMs);

  const loop = (async () => {
    let backoff = 250;
    while (!stopping) {
      try {
        await listener.ensure();
        woken = false;
        while (!stopping && inflight.size < concurrency) {
          const op = await claim();
          if (!op) break;
          log.debug({ operationId: op.id, kind: op.kind, attempt: op.attempts }, 'claimed an operation');
          launch(op);
        }
        backoff = 250;
        await nap(inflight.size < concurrency ? await idleMs() : pollMs);
      } catch (err) {
        log.warn({ err: { message: errorText(err) } }, 'could not claim operations; trying again');
        await nap(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  })();

  return {
    id,
    wake,
    running: () => inflight.size,
    async stop(deadlineMs = 10_000) {
      if (!stopping) {
        stopping = true;
        wakeNow?.();
      }
      await loop;
      await listener.close();
      const flights = [...inflight.values()];
      if (flights.length > 0) {
        log.info({ running: flights.length }, 'stopping: asking running operations to stop at a safe point');
        for (const f of flights) f.signal.abort(new Error('the worker is stopping'));
        let timer: NodeJS.Timeout | undefined;
        const settled = await Promise.race([
          Promise.allSettled(flights.map((f) => f.done)).then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), deadlineMs);
          }),
        ]);
        clearTimeout(timer);
        if (!settled) {
          log.warn(
            { running: inflight.size },
            'operations still running at the stop deadline; their leases run out and the next start resumes them',
          );
        }
      }
      clearInterval(heartbeat);
    },
  };
}
