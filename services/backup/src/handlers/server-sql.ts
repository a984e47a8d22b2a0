import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { quoteIdent, quoteLiteral } from '@ocp/db';
import pg from 'pg';
import type { PgConnection } from '../pipeline/index.ts';

/**
 * The few statements the backup service runs on a tenant database server: it makes and drops the
 * databases it restores into (a restore's, named by the tenant service; a drill's scratch
 * database), never a tenant's own.
 */

async function withAdmin<T>(c: PgConnection, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...c, application_name: 'ocp-backup' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Makes `name` afresh, empty, owned by `owner` and shut to PUBLIC, as Odoo makes its databases
 * (template0, UTF8, collation C). A database of that name left by an earlier attempt is dropped
 * first: the name belongs to this restore alone.
 */
export async function createEmptyDatabase(admin: PgConnection, name: string, owner: string): Promise<void> {
  await withAdmin(admin, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await c.query(
      `CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
    );
    await c.query(`REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
  });
}

/**
 * A login role of its own for one import, owning the database it loads into and nothing else, with
 * no membership: the uploaded SQL runs as it, so it can touch no other database (CONNECT is revoked
 * from PUBLIC on tenant databases) and has no right of the service's own role. Afterwards
 * `adoptImported` hands everything it made to the runtime role and drops it.
 */
export async function createImportRole(admin: PgConnection, role: string, password: string): Promise<void> {
  await withAdmin(admin, async (c) => {
    await c.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
    await c.query(
      `CREATE ROLE ${quoteIdent(role)} LOGIN NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(password)} CONNECTION LIMIT 2`,
    );
    // To make a database owned by it, and to hand its objects over afterwards.
    await c.query(`GRANT ${quoteIdent(role)} TO CURRENT_USER`);
  });
}

/** Gives what the import role made in `database` (and the database) to `owner`, then drops the role. */
export async function adoptImported(
  admin: PgConnection,
  database: string,
  role: string,
  owner: string,
): Promise<void> {
  await withAdmin({ ...admin, database }, async (c) => {
    await c.query(`REASSIGN OWNED BY ${quoteIdent(role)} TO ${quoteIdent(owner)}`);
    await c.query(`DROP OWNED BY ${quoteIdent(role)}`);
  });
  await dropRole(admin, role);
}

export async function dropRole(admin: PgConnection, role: string): Promise<void> {
  await withAdmin(admin, async (c) => {
    await c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
      [role],
    );
    await c.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
  });
}

export async function dropDatabase(admin: PgConnection, name: string): Promise<void> {
  await withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/** The server's version, e.g. "15.20" and 150020. */
export async function serverVersion(admin: PgConnection): Promise<{ version: string; num: number }> {
  return await withAdmin(admin, async (c) => {
    const { rows } = await c.query<{ v: string; n: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
    );
    return { version: rows[0]!.v.split(' ')[0]!, num: Number(rows[0]!.n) };
  });
}

/** Whether `name` accepts connections (a suspended tenant's does not: ALLOW_CONNECTIONS false). */
export async function acceptsConnections(admin: PgConnection, name: string): Promise<boolean> {
  return await withAdmin(admin, async (c) => {
    const { rows } = await c.query<{ allow: boolean }>(
      'SELECT datallowconn AS allow FROM pg_database WHERE datname = $1',
      [name],
    );
    return rows[0]?.allow ?? false;
  });
}

/**
 * A momentary copy of a database that accepts no connections, to dump it: CREATE DATABASE ...
 * TEMPLATE copies it without connecting to it, so a suspended tenant stays shut to everyone.
 */
export async function copyForDump(
  admin: PgConnection,
  source: string,
  copy: string,
  owner: string,
): Promise<void> {
  await withAdmin(admin, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(copy)} WITH (FORCE)`);
    await c.query(
      `CREATE DATABASE ${quoteIdent(copy)} TEMPLATE ${quoteIdent(source)} OWNER ${quoteIdent(owner)}`,
    );
    await c.query(`REVOKE ALL ON DATABASE ${quoteIdent(copy)} FROM PUBLIC`);
  });
}

/** The name of a backup's momentary copy: never a tenant's (the hyphen). */
export function dumpCopyName(backupId: string): string {
  return `ocp-bk-${createHash('sha256').update(backupId).digest('hex').slice(0, 16)}`;
}

/** The size of a database in bytes (for an estimate of a backup's progress), or null. */
export async function databaseSize(admin: PgConnection, name: string): Promise<number | null> {
  return await withAdmin(admin, async (c) => {
    const { rows } = await c
      .query<{ size: string | null }>('SELECT pg_database_size($1) AS size', [name])
      .catch(() => ({ rows: [{ size: null }] }));
    return rows[0]?.size ? Number(rows[0].size) : null;
  });
}

/** A drill's scratch database: never a tenant's name (the hyphen), one per drill. */
export function scratchName(operationId: string): string {
  return `ocp-drill-${createHash('sha256').update(operationId).digest('hex').slice(0, 16)}`;
}

/** The filestore directory beside a tenant's one for the database `name`. */
export function siblingDir(filestoreDir: string, name: string): string {
  return path.join(path.dirname(filestoreDir), name);
}

export async function removeDir(dir: string | null): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
