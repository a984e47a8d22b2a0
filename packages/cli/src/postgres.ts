import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { redactUrl } from './config.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import type { Log } from './log.ts';
import type { BackoffOptions } from './supervisor.ts';

/** The PostgreSQL server the platform uses. */
export interface PostgresHandle {
  /** A superuser's URL of the server's `postgres` database. */
  adminUrl: string;
  /** The cluster's directory when we run an embedded server. */
  embeddedDir: string | undefined;
  /** The process id of our embedded server, while one runs. */
  readonly pid: number | undefined;
  /** Stops the embedded server if we started one; leaves an external server alone. */
  stop(): Promise<void>;
  /** Asks our embedded server to shut down without waiting, for a start command that is exiting itself. */
  abandon(): void;
}

/** Options of `ensurePostgres`. */
export interface EnsurePostgresOptions {
  /** A server to use when it answers. */
  url: string;
  /** The embedded cluster goes to `<dataDir>/postgres`, its password to `<dataDir>/postgres-password`. */
  dataDir: string;
  embeddedPort: number;
  log: Log;
  /** Restart timing of the embedded server, when it dies. */
  backoff?: BackoffOptions;
}

/**
 * Whether the server at `url` lets us in and answers a query within `timeoutMs`. Resolves the
 * reason when it does not, so the user can see why an embedded server was started instead.
 */
export async function probePostgres(
  url: string,
  timeoutMs = 2_000,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A server that drops the connection later must not crash the start command.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message || String(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL of another database on the same server, with the same credentials. */
export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Creates each database in `names` that does not exist yet; resolves the ones it created. */
export async function ensureDatabases(adminUrl: string, names: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  const created: string[] = [];
  try {
    for (const name of names) {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) continue;
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
        created.push(name);
      } catch (err) {
        // 42P04: another start made it between our check and our CREATE.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
  return created;
}

/**
 * Uses the server at `url` when it answers; otherwise starts an embedded PostgreSQL whose data
 * lives under `dataDir`, and starts it again whenever it dies.
 */
export async function ensurePostgres(opts: EnsurePostgresOptions): Promise<PostgresHandle> {
  const { url, dataDir, embeddedPort, log, backoff } = opts;
  const probe = await probePostgres(url);
  if (probe.ok) {
    log.info(`PostgreSQL: using ${redactUrl(url)}.`);
    return {
      adminUrl: url,
      embeddedDir: undefined,
      pid: undefined,
      stop: async () => {},
      abandon: () => {},
    };
  }
  log.info(`PostgreSQL at ${redactUrl(url)} does not answer (${probe.reason}); starting an embedded one.`);
  const dir = join(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  const embedded = await startEmbeddedPostgres({
    dir,
    port: embeddedPort,
    passwordFile: join(dataDir, 'postgres-password'),
    log,
    backoff,
  });
  log.info(`PostgreSQL: embedded, ${redactUrl(embedded.url)}, data in ${dir}.`);
  return {
    adminUrl: embedded.url,
    embeddedDir: dir,
    get pid() {
      return embedded.pid;
    },
    stop: () => embedded.stop(),
    abandon: () => embedded.abandon(),
  };
}
