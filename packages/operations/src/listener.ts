import pg from 'pg';
import type { Logger } from 'pino';

/** A connection that LISTENs on one channel and calls back on each notification. */
export interface WakeListener {
  /** Connects (again, after a lost connection); a no-op while connected. */
  ensure(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens for the notifications that say work may be claimable. A lost connection is made again
 * by the next `ensure()`, and the caller wakes as if notified: anything committed meanwhile went
 * unheard.
 */
export function createWakeListener(opts: {
  databaseUrl: string;
  /** The `LISTEN` statement. */
  sql: string;
  logger: Logger;
  onNotify: () => void;
}): WakeListener {
  let client: pg.Client | undefined;
  let closed = false;
  return {
    async ensure() {
      if (client || closed) return;
      const c = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'operation-worker' });
      c.on('error', (err) => {
        opts.logger.warn({ err: { message: err.message } }, 'operation listener connection lost');
        if (client === c) client = undefined;
        opts.onNotify();
      });
      c.on('notification', () => opts.onNotify());
      try {
        await c.connect();
        await c.query(opts.sql);
      } catch (e) {
        await c.end().catch(() => {});
        throw e;
      }
      if (closed) {
        await c.end().catch(() => {});
        return;
      }
      client = c;
    },
    async close() {
      closed = true;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
