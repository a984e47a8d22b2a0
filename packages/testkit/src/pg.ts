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

/** Runs one statement on the admin database of the server, or as whoever `url` logs in as. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
  url = adminUrl(),
): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  // A refused or ended session answers through the query; it must not crash the test process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The advisory lock that orders changes to the `postgres` database's privileges across test
 * files: GRANT and DROP OWNED rewrite its catalog row without a lock of PostgreSQL's own, so two
 * at once fail one of them with "tuple concurrently updated".
 */
export const SHARED_GRANTS_LOCK = 0x6f6370;

/** Runs `text` (one or more statements) in one transaction that holds SHARED_GRANTS_LOCK first. */
export async function sharedGrantsQuery(text: string, url = adminUrl()): Promise<void> {
  await adminQuery(`SELECT pg_advisory_xact_lock(${SHARED_GRANTS_LOCK}); ${text}`, [], url);
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

/** `url` logging in as `role` with `password`. */
export function withUser(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** A service's database as production runs it: owned by a migration role, used by a runtime role. */
export interface ServiceDatabase {
  name: string;
  /** `DATABASE_URL`: the runtime role, which owns nothing and gets its grants at the service's start. */
  url: string;
  /** `DATABASE_MIGRATION_URL`: the owner role, which makes the tables. */
  migrationUrl: string;
  /** The superuser's URL of the same database, for a test that inspects or tampers. */
  superuserUrl: string;
  ownerRole: string;
  runtimeRole: string;
  /** Drops the database and both roles. */
  drop(): Promise<void>;
}

/**
 * Creates a service's database with its two roles of this test's own: `<name>_owner` (owns the
 * database, runs the migrations) and `<name>_app` (the running service's login). CONNECT is
 * revoked from PUBLIC and given to these two only.
 */
export async function createServiceDatabase(
  prefix = 'ocp_test_',
  server = adminUrl(),
): Promise<ServiceDatabase> {
  const name = uniqueName(prefix);
  const ownerRole = `${name}_owner`;
  const runtimeRole = `${name}_app`;
  const ownerPassword = randomBytes(18).toString('base64url');
  const runtimePassword = randomBytes(18).toString('base64url');
  const db = pg.escapeIdentifier(name);
  for (const [role, password] of [
    [ownerRole, ownerPassword],
    [runtimeRole, runtimePassword],
  ] as const) {
    await adminQuery(
      `CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${pg.escapeLiteral(password)}`,
      [],
      server,
    );
  }
  await adminQuery(`CREATE DATABASE ${db} OWNER ${pg.escapeIdentifier(ownerRole)}`, [], server);
  await adminQuery(
    `REVOKE ALL ON DATABASE ${db} FROM PUBLIC; GRANT CONNECT ON DATABASE ${db} TO ${pg.escapeIdentifier(runtimeRole)}`,
    [],
    server,
  );
  const superuserUrl = urlFor(name, server);
  return {
    name,
    url: withUser(superuserUrl, runtimeRole, runtimePassword),
    migrationUrl: withUser(superuserUrl, ownerRole, ownerPassword),
    superuserUrl,
    ownerRole,
    runtimeRole,
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, [], server);
      for (const role of [runtimeRole, ownerRole])
        await adminQuery(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`, [], server);
    },
  };
}

/**
 * A tenant service's database administration role, `name`: not a superuser; CREATEDB and
 * CREATEROLE (provisioning), `pg_signal_backend` (ending sessions on suspension), CONNECT on the
 * `postgres` database it works from. Returns the URL of `postgres` as it; dropped by
 * `dropByPrefix` (or `dropRole`).
 */
export async function createTenantAdminRole(name: string, server = adminUrl()): Promise<string> {
  const password = randomBytes(18).toString('base64url');
  const role = pg.escapeIdentifier(name);
  await adminQuery(
    `CREATE ROLE ${role} LOGIN NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION PASSWORD ${pg.escapeLiteral(password)}`,
    [],
    server,
  );
  await sharedGrantsQuery(
    `GRANT pg_signal_backend TO ${role}; GRANT CONNECT ON DATABASE postgres TO ${role}`,
    server,
  );
  return withUser(urlFor('postgres', server), name, password);
}

/**
 * Drops a role, with the privileges it was granted on shared objects (CONNECT on a database)
 * that would keep DROP ROLE from succeeding. Objects it still owns make it fail, as they should.
 */
export async function dropRole(name: string, server = adminUrl()): Promise<void> {
  const found = await adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [name], server);
  if (!found.rowCount) return;
  const role = pg.escapeIdentifier(name);
  await sharedGrantsQuery(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`, server);
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
  for (const { rolname } of roles.rows) await dropRole(rolname, server);
}
