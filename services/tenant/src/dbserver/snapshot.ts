import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PermanentError } from '@ocp/bus';
import { type Pool, quoteIdent, quoteLiteral } from '@ocp/db';
import pg from 'pg';
import { type Keyring, openSecret } from '../domain/secrets.ts';
import { filestoreDir } from '../odoo/filestore.ts';
import { joinRole as actAs, tenantMark } from './admin.ts';
import { NotOwnedError } from './errors.ts';
import { adminUrlPlace } from './registry.ts';

/**
 * Copies, switches and renames of whole tenant databases on their database server: the fast copy
 * kept before a module change (and switched back to when it fails), a staging copy's clone of its
 * source, and a rename. Each holds the database's connections off only for the moment PostgreSQL
 * needs it alone (CREATE DATABASE ... TEMPLATE and RENAME refuse while anyone is connected), and
 * every step can run again after a crash and end in the same place.
 */

const isCode = (e: unknown, code: string) => (e as { code?: string })?.code === code;
const MARK = /^ocp:tenant:([0-9a-f-]{36})$/;
const nap = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Admin SQL on one database server: statements on its admin database, and sessions in others. */
export interface ServerSql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Runs `fn` on a session of its own in `database`, closed afterwards. */
  inDatabase<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function openClient(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: 'ocp-tenant' });
  // A session that ends between two queries fails the next one; unheard, it would end the process.
  c.on('error', () => {});
  await c.connect();
  return c;
}

/**
 * Opens admin SQL on a registered database server, with the admin URL kept sealed in its row
 * (opened here, never logged). The caller closes it (or uses withServerSql).
 */
export async function openServerSql(
  ctx: { pool: Pool; secrets: Keyring },
  serverId: string,
): Promise<ServerSql> {
  const { rows } = await ctx.pool.query<{ admin_url_sealed: string | null }>(
    'SELECT admin_url_sealed FROM database_servers WHERE id = $1',
    [serverId],
  );
  const sealed = rows[0]?.admin_url_sealed;
  if (!sealed)
    throw new Error(`database server ${serverId} is not registered, or its credentials are not sealed`);
  return await connectServerSql(openSecret(ctx.secrets, sealed, adminUrlPlace(serverId)));
}

/** Admin SQL on the server of `url` (an admin connection to its administration database). */
export async function connectServerSql(url: string): Promise<ServerSql> {
  const main = await openClient(url);
  return {
    query: (text, values) => main.query(text, values),
    async inDatabase(database, fn) {
      const u = new URL(url);
      u.pathname = `/${encodeURIComponent(database)}`;
      const c = await openClient(u.toString());
      try {
        return await fn(c);
      } finally {
        await c.end().catch(() => {});
      }
    },
    close: () => main.end().catch(() => {}),
  };
}

export async function withServerSql<T>(
  ctx: { pool: Pool; secrets: Keyring },
  serverId: string,
  fn: (sql: ServerSql) => Promise<T>,
): Promise<T> {
  const sql = await openServerSql(ctx, serverId);
  try {
    return await fn(sql);
  } finally {
    await sql.close();
  }
}

/** What the server says of one database: whether it exists, whose mark it carries, its owner. */
export interface DatabaseFacts {
  exists: boolean;
  /** The tenant id of its `ocp:tenant:<id>` comment, or undefined. */
  mark: string | undefined;
  owner: string | undefined;
  allowsConnections: boolean;
}

export async function databaseFacts(sql: ServerSql, name: string): Promise<DatabaseFacts> {
  const { rows } = await sql.query<{ comment: string | null; owner: string; allow: boolean }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment, pg_get_userbyid(datdba) AS owner,
            datallowconn AS allow
       FROM pg_database WHERE datname = $1`,
    [name],
  );
  const r = rows[0];
  if (!r) return { exists: false, mark: undefined, owner: undefined, allowsConnections: false };
  return {
    exists: true,
    mark: r.comment ? MARK.exec(r.comment)?.[1] : undefined,
    owner: r.owner,
    allowsConnections: r.allow,
  };
}

async function setConnections(sql: ServerSql, name: string, allow: boolean): Promise<void> {
  await sql.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS ${allow}`);
}

async function terminateSessions(sql: ServerSql, name: string): Promise<void> {
  await sql.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name],
  );
}

/**
 * Runs a statement that needs `database` to itself, retrying while a session that was just ended
 * is still leaving (SQLSTATE 55006, object_in_use): pg_terminate_backend does not wait.
 */
async function whileAlone(sql: ServerSql, database: string, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sql.query(statement);
      return;
    } catch (e) {
      if (!isCode(e, '55006') || attempt >= 5) throw e;
      await terminateSessions(sql, database);
      await nap(100 * attempt);
    }
  }
}

/**
 * Holds `database`'s connections off (ALLOW_CONNECTIONS false, its sessions ended) while `fn`
 * runs, then lets them in again when `reopen` still says so (a tenant suspended meanwhile stays
 * shut). `fn` answers the name the database has afterwards (a rename changes it).
 */
async function holdingConnectionsOff(
  sql: ServerSql,
  database: string,
  reopen: () => Promise<boolean>,
  fn: () => Promise<string>,
): Promise<void> {
  await setConnections(sql, database, false);
  let name = database;
  try {
    await terminateSessions(sql, database);
    name = await fn();
  } finally {
    if (await reopen()) await setConnections(sql, name, true);
  }
}

/**
 * The name of the copy a module change keeps of `database`: the hyphen never occurs in a tenant's
 * database name, and the operation's id keeps it apart from the staging clone and other copies.
 */
export function snapshotName(database: string, operationId: string): string {
  const tag = createHash('sha256').update(`snapshot:${operationId}`).digest('hex').slice(0, 10);
  return `${database.slice(0, 63 - 11 - 1)}-${tag}`;
}

export interface CloneOptions {
  source: string;
  target: string;
  /** The role that owns the copy (the runtime's). */
  owner: string;
  tenantId: string;
  /** The copy refuses connections (a snapshot: Odoo never lists or serves it). */
  closed: boolean;
  /** Whether the source takes connections again afterwards (false when it was suspended meanwhile). */
  reopenSource: () => Promise<boolean>;
}

/**
 * Copies `source` as `target` (CREATE DATABASE ... TEMPLATE ... OWNER), holding the source's
 * connections off for the copy only, then marks the copy as the tenant's and shuts PUBLIC out (a
 * clone starts with default rights). A copy of that name found already (an earlier attempt's) is
 * kept, unless another tenant's mark says it is not ours.
 */
export async function cloneDatabase(sql: ServerSql, o: CloneOptions): Promise<'created' | 'existed'> {
  await actAs(sql, o.owner);
  const found = await databaseFacts(sql, o.target);
  if (found.exists && found.mark && found.mark !== o.tenantId)
    throw new NotOwnedError('database', o.target, o.tenantId, found.mark);
  if (!found.exists) {
    const source = await databaseFacts(sql, o.source);
    if (!source.exists) throw new PermanentError(`database "${o.source}" does not exist; nothing to copy`);
    await holdingConnectionsOff(sql, o.source, o.reopenSource, async () => {
      await whileAlone(
        sql,
        o.source,
        `CREATE DATABASE ${quoteIdent(o.target)} TEMPLATE ${quoteIdent(o.source)} OWNER ${quoteIdent(o.owner)}`,
      );
      return o.source;
    });
  }
  const target = quoteIdent(o.target);
  await sql.query(`COMMENT ON DATABASE ${target} IS ${quoteLiteral(tenantMark(o.tenantId))}`);
  await sql.query(`REVOKE ALL ON DATABASE ${target} FROM PUBLIC`);
  await setConnections(sql, o.target, !o.closed);
  return found.exists ? 'existed' : 'created';
}

/**
 * Puts the copy kept before a change back in place of `database`: the changed database is shut,
 * dropped, and the copy renamed to its name. Done already when the copy is gone and the database
 * is there. Only databases carrying the tenant's mark are dropped or renamed.
 */
export async function switchBack(
  sql: ServerSql,
  o: { database: string; snapshot: string; tenantId: string; allowConnections: boolean },
): Promise<'switched' | 'nothing'> {
  const copy = await databaseFacts(sql, o.snapshot);
  const current = await databaseFacts(sql, o.database);
  if (!copy.exists) {
    if (!current.exists)
      throw new PermanentError(`neither "${o.database}" nor its copy "${o.snapshot}" exists on the server`);
    if (o.allowConnections && !current.allowsConnections) await setConnections(sql, o.database, true);
    return 'nothing';
  }
  if (copy.mark !== o.tenantId) throw new NotOwnedError('database', o.snapshot, o.tenantId, copy.mark);
  if (copy.owner) await actAs(sql, copy.owner);
  if (current.exists) {
    if (current.mark !== o.tenantId)
      throw new NotOwnedError('database', o.database, o.tenantId, current.mark);
    await setConnections(sql, o.database, false);
    await sql.query(`DROP DATABASE IF EXISTS ${quoteIdent(o.database)} WITH (FORCE)`);
  }
  await sql.query(`ALTER DATABASE ${quoteIdent(o.snapshot)} RENAME TO ${quoteIdent(o.database)}`);
  if (o.allowConnections) await setConnections(sql, o.database, true);
  return 'switched';
}

/** Drops the copy kept before a change, when it is there and carries the tenant's mark. */
export async function dropCopy(sql: ServerSql, name: string, tenantId: string): Promise<void> {
  const copy = await databaseFacts(sql, name);
  if (!copy.exists) return;
  if (copy.mark !== tenantId) throw new NotOwnedError('database', name, tenantId, copy.mark);
  if (copy.owner) await actAs(sql, copy.owner);
  await sql.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/**
 * Renames a tenant's database, holding its connections off for the moment of the rename. Done
 * already when the old name is gone and the new one carries the tenant's mark.
 */
export async function renameDatabase(
  sql: ServerSql,
  o: { from: string; to: string; tenantId: string; reopen: () => Promise<boolean> },
): Promise<'renamed' | 'existed'> {
  const from = await databaseFacts(sql, o.from);
  const to = await databaseFacts(sql, o.to);
  if (!from.exists) {
    if (to.exists && to.mark === o.tenantId) {
      if (!to.allowsConnections && (await o.reopen())) await setConnections(sql, o.to, true);
      return 'existed';
    }
    throw new PermanentError(`database "${o.from}" does not exist, and "${o.to}" is not this tenant's`);
  }
  if (from.mark !== o.tenantId) throw new NotOwnedError('database', o.from, o.tenantId, from.mark);
  if (to.exists) throw new NotOwnedError('database', o.to, o.tenantId, to.mark);
  if (from.owner) await actAs(sql, from.owner);
  await holdingConnectionsOff(sql, o.from, o.reopen, async () => {
    await whileAlone(sql, o.from, `ALTER DATABASE ${quoteIdent(o.from)} RENAME TO ${quoteIdent(o.to)}`);
    return o.to;
  });
  return 'renamed';
}

/**
 * Renames a legacy per-tenant login role of the old database's name, when it carries the
 * tenant's mark (tenants from before runtime ownership had one); nothing otherwise.
 */
export async function renameTenantRole(
  sql: ServerSql,
  o: { from: string; to: string; tenantId: string },
): Promise<boolean> {
  const { rows } = await sql.query<{ name: string; comment: string | null }>(
    `SELECT rolname AS name, shobj_description(oid, 'pg_authid') AS comment
       FROM pg_roles WHERE rolname = ANY($1::text[])`,
    [[o.from, o.to]],
  );
  const old = rows.find((r) => r.name === o.from);
  if (!old || old.comment !== tenantMark(o.tenantId)) return false;
  if (rows.some((r) => r.name === o.to)) throw new NotOwnedError('role', o.to, o.tenantId, undefined);
  await sql.query(`ALTER ROLE ${quoteIdent(o.from)} RENAME TO ${quoteIdent(o.to)}`);
  return true;
}

/**
 * Runs `fn` in one transaction inside `database` acting as its owner (SET LOCAL ROLE), after
 * checking in that transaction that the database carries the tenant's mark: what it writes is
 * written with the rights Odoo has, and never in a database that is not the tenant's.
 */
export async function inTenantDatabase<T>(
  sql: ServerSql,
  database: string,
  tenantId: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const facts = await databaseFacts(sql, database);
  if (!facts.exists) throw new Error(`database "${database}" does not exist`);
  if (facts.mark !== tenantId) throw new NotOwnedError('database', database, tenantId, facts.mark);
  await actAs(sql, facts.owner!);
  return await sql.inDatabase(database, async (c) => {
    await c.query('BEGIN');
    try {
      const { rows } = await c.query<{ comment: string | null }>(
        "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()",
      );
      if (rows[0]?.comment !== tenantMark(tenantId))
        throw new NotOwnedError('database', database, tenantId, undefined);
      await c.query(`SET LOCAL ROLE ${quoteIdent(facts.owner!)}`);
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
}

/**
 * Every file under `<root>/<database>`, as paths relative to it (empty when the directory is
 * missing): the list a module change records before it starts, so that switching back can remove
 * what the change added. Odoo names stored files by their content's hash and never rewrites one,
 * so the files a change added are exactly those not on the list.
 */
export async function listFilestore(root: string, database: string): Promise<string[]> {
  const base = filestoreDir(root, database);
  const out: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const entry of entries) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), r);
      else out.push(r);
    }
  }
  await walk(base, '');
  return out.sort();
}

/** Removes the files under `<root>/<database>` that are not in `keep`; answers how many went. */
export async function removeFilesNotIn(
  root: string,
  database: string,
  keep: readonly string[],
): Promise<number> {
  const kept = new Set(keep);
  const base = filestoreDir(root, database);
  let removed = 0;
  for (const rel of await listFilestore(root, database)) {
    if (kept.has(rel)) continue;
    await rm(path.join(base, ...rel.split('/')), { force: true });
    removed++;
  }
  return removed;
}

/**
 * Switches a restored database in under a tenant's name, keeping the one it replaces until the
 * switch has happened: in one transaction the current database (when there is one) is renamed to
 * `previous` and `restored` to `database`, which is then marked as the tenant's and shut to
 * PUBLIC. The current database's connections are held off for the moment of the renames. A
 * `restored` database carrying another tenant's mark is never taken. Done already when `restored`
 * is gone and `database` carries the tenant's mark. The caller drops `previous` afterwards.
 */
export async function switchInRestored(
  sql: ServerSql,
  o: { database: string; restored: string; previous: string; tenantId: string; owner: string },
): Promise<'switched' | 'done'> {
  const restored = await databaseFacts(sql, o.restored);
  const current = await databaseFacts(sql, o.database);
  if (!restored.exists) {
    if (current.exists && current.mark === o.tenantId) return 'done';
    throw new PermanentError(`the restored database "${o.restored}" does not exist on the server`);
  }
  if (restored.mark && restored.mark !== o.tenantId)
    throw new NotOwnedError('database', o.restored, o.tenantId, restored.mark);
  if (restored.owner !== o.owner)
    throw new PermanentError(
      `the restored database "${o.restored}" is owned by ${restored.owner}, not by the tenant's runtime role ${o.owner}`,
    );
  if (current.exists && current.mark !== o.tenantId)
    throw new NotOwnedError('database', o.database, o.tenantId, current.mark);
  if ((await databaseFacts(sql, o.previous)).exists)
    throw new PermanentError(`"${o.previous}" exists already; drop it before the restore is switched in`);
  await actAs(sql, o.owner);
  const renames = async () => {
    await sql.query('BEGIN');
    try {
      if (current.exists)
        await sql.query(`ALTER DATABASE ${quoteIdent(o.database)} RENAME TO ${quoteIdent(o.previous)}`);
      await sql.query(`ALTER DATABASE ${quoteIdent(o.restored)} RENAME TO ${quoteIdent(o.database)}`);
      await sql.query(
        `COMMENT ON DATABASE ${quoteIdent(o.database)} IS ${quoteLiteral(tenantMark(o.tenantId))}`,
      );
      await sql.query('COMMIT');
    } catch (e) {
      await sql.query('ROLLBACK').catch(() => {});
      throw e;
    }
  };
  await setConnections(sql, o.restored, false);
  await terminateSessions(sql, o.restored);
  if (current.exists) {
    await setConnections(sql, o.database, false);
    await terminateSessions(sql, o.database);
    for (let attempt = 1; ; attempt++) {
      try {
        await renames();
        break;
      } catch (e) {
        if (!isCode(e, '55006') || attempt >= 5) throw e;
        await terminateSessions(sql, o.database);
        await nap(100 * attempt);
      }
    }
  } else await renames();
  await sql.query(`REVOKE ALL ON DATABASE ${quoteIdent(o.database)} FROM PUBLIC`);
  return 'switched';
}

/** Opens or shuts a database to connections. */
export async function allowConnections(sql: ServerSql, name: string, allow: boolean): Promise<void> {
  await setConnections(sql, name, allow);
}
