import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { adminUrl } from './config.ts';

/** A URL to another database of the same server. */
export function urlFor(database: string, base = adminUrl()): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A short unique lowercase name, for databases, slugs and prefixes a test makes its own. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Runs one statement on the admin database of the server. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
  url = adminUrl(),
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}

/** Creates an empty database; returns its URL and a function that drops it. */
export async function createTestDatabase(
  prefix = 'ocp_test_',
  server = adminUrl(),
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = uniqueName(prefix);
  await adminQuery(`CREATE DATABASE ${pg.escapeIdentifier(name)}`, [], server);
  return {
    name,
    url: urlFor(name, server),
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`, [], server);
    },
  };
}

/** Drops every database and role whose name starts with `prefix` (a test's own). */
export async function dropByPrefix(prefix: string, server = adminUrl()): Promise<void> {
  const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const dbs = await adminQuery<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1',
    [like],
    server,
  );
  for (const { datname } of dbs.rows) {
    const db = pg.escapeIdentifier(datname);
    await adminQuery(`ALTER DATABASE ${db} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true`, [], server);
    await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, [], server);
  }
  const roles = await adminQuery<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE rolname LIKE $1',
    [like],
    server,
  );
  for (const { rolname } of roles.rows) {
    await adminQuery(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(rolname)}`, [], server);
  }
}
