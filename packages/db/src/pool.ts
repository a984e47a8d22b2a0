import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/**
 * A connection pool that survives a PostgreSQL restart: idle connections that break are logged
 * and dropped, and the next query opens a new one.
 */
export function createPool(opts: { url: string; name: string; max?: number; logger: Logger }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    application_name: opts.name,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) =>
    opts.logger.warn({ err: { message: err.message } }, 'idle database connection failed'),
  );
  // The pool listens for errors of idle clients only. A checked-out client whose session ends
  // between two queries (a server restart, pg_terminate_backend) would throw its 'error' event
  // and end the process; with a listener, its next query fails instead and the pool drops it
  // when it is released.
  pool.on('connect', (client) => {
    client.on('error', (err) =>
      opts.logger.debug({ err: { message: err.message } }, 'database connection failed'),
    );
  });
  return pool;
}

/** Runs `fn` in a transaction on one pooled connection; rolls back when it throws. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** Quotes an identifier (database, role, table) for SQL; never build one by concatenation. */
export const quoteIdent = (name: string): string => pg.escapeIdentifier(name);
/** Quotes a string literal, for the statements that take no parameters (CREATE ROLE ... PASSWORD). */
export const quoteLiteral = (value: string): string => pg.escapeLiteral(value);

/** True when the URL's server answers a query. */
export async function ping(pool: pg.Pool, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
