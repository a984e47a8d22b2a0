import { ACTIVE_USERS_SQL } from './active-users.ts';
import type { ServerConnections } from './server-connections.ts';

/** A measurement's error, as it goes into the usage sample. */
export interface MeasureError {
  code: string;
  message: string;
}

export interface DatabaseFigures {
  activeUsers: number | null;
  databaseBytes: number | null;
  error?: MeasureError;
}

const pgCode = (e: unknown) => (e as { code?: string })?.code;
const text = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 1000);

/** The sample's error code of a failed connection to a tenant database. */
export function connectErrorCode(e: unknown): string {
  const code = pgCode(e);
  if (code === '3D000') return 'DATABASE_MISSING';
  // "database ... is not currently accepting connections": ALLOW_CONNECTIONS false, a suspended tenant.
  if (code === '55000') return 'DATABASE_NOT_ACCEPTING_CONNECTIONS';
  if (code === '42501' || code?.startsWith('28')) return 'DATABASE_ACCESS_DENIED';
  if (code === '42P01') return 'ODOO_TABLES_MISSING';
  if (code === '57014') return 'DATABASE_TIMEOUT';
  return 'DATABASE_UNREACHABLE';
}

/**
 * A tenant database's active internal users and size, on one connection to it. When the database
 * cannot be opened, its size is still asked from the admin URL's own database (`pg_database_size`
 * needs no connection to the database measured), through a slot of the same server like any
 * other connection: a suspended tenant (ALLOW_CONNECTIONS false) thus has its size and no user count, as
 * counting users needs a session inside the database and the quota service never lifts a
 * suspension to take one. A database that is not there has neither.
 */
export async function measureDatabase(
  conns: ServerConnections,
  server: string | null,
  database: string,
): Promise<DatabaseFigures> {
  let failure: unknown;
  try {
    return await conns.withDatabase(server, database, async (c) => {
      const size = await c.query<{ n: string }>('SELECT pg_database_size(current_database())::bigint AS n');
      const databaseBytes = Number(size.rows[0]!.n);
      try {
        const users = await c.query<{ n: string }>(ACTIVE_USERS_SQL);
        return { activeUsers: Number(users.rows[0]!.n), databaseBytes };
      } catch (e) {
        return {
          activeUsers: null,
          databaseBytes,
          error: { code: connectErrorCode(e), message: `users not counted: ${text(e)}` },
        };
      }
    });
  } catch (e) {
    failure = e;
  }
  const code = connectErrorCode(failure);
  const error = { code, message: text(failure) };
  if (code === 'DATABASE_MISSING' || code === 'DATABASE_UNREACHABLE')
    return { activeUsers: null, databaseBytes: null, error };
  const databaseBytes = await conns
    .withDatabase(server, null, async (c) => {
      const { rows } = await c.query<{ n: string | null }>(
        'SELECT pg_database_size(datname)::bigint AS n FROM pg_database WHERE datname = $1',
        [database],
      );
      return rows[0]?.n == null ? null : Number(rows[0].n);
    })
    .catch(() => null);
  return { activeUsers: null, databaseBytes, error };
}
