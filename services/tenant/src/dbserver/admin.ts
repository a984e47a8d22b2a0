import { createHash } from 'node:crypto';
import { PermanentError } from '@ocp/bus';
import { type Pool, type Queryable, quoteIdent, quoteLiteral, withTransaction } from '@ocp/db';
import pg from 'pg';
import { scramVerifier } from '../domain/secrets.ts';
import { NotOwnedError } from './errors.ts';

/**
 * The role that owned the objects inside the built-in template before tenants' databases were
 * owned by a runtime role; a template still owned by it is converted once (see ensureTemplate).
 */
export const LEGACY_TEMPLATE_OWNER = 'ocp_template_owner';

const isCode = (e: unknown, code: string) => (e as { code?: string })?.code === code;

const MARK = /^ocp:tenant:([0-9a-f-]{36})$/;
/** The COMMENT that marks a database or role as one tenant's. */
export const tenantMark = (tenantId: string) => `ocp:tenant:${tenantId}`;
const markedTenant = (comment: string | null | undefined) => (comment ? MARK.exec(comment)?.[1] : undefined);
/** The COMMENT that marks a database as the template a runtime prepared. */
export const templateMark = (runtimeId: string) => `ocp:template:${runtimeId}`;

/**
 * The name a tenant's database is cloned under before it is marked and renamed. The hyphen never
 * occurs in a tenant's database name (slugs' hyphens become underscores), so no tenant's name is
 * ever a staging name; the tenant id's hash keeps a reused slug's staging clone apart.
 */
export function stagingName(name: string, tenantId: string): string {
  const tag = createHash('sha256').update(tenantId).digest('hex').slice(0, 10);
  return `${name.slice(0, 63 - 11 - 1)}-${tag}`;
}

async function readMarks(db: Queryable, database: string, role: string) {
  const { rows } = await db.query<{
    db: string | null;
    role: string | null;
    db_exists: boolean;
    role_exists: boolean;
  }>(
    `SELECT (SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1) AS db,
            (SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $2) AS role,
            EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS db_exists,
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2) AS role_exists`,
    [database, role],
  );
  const r = rows[0]!;
  return {
    database: markedTenant(r.db),
    role: markedTenant(r.role),
    databaseExists: r.db_exists,
    roleExists: r.role_exists,
  };
}

/**
 * Makes the admin role a member of `role` (which it created, or was given ADMIN on), unless it
 * already holds its privileges (a superuser always does): a role that is not a superuser may give
 * a database away, change, copy or drop a database owned by another role, REASSIGN its objects,
 * end its sessions and act as it inside (SET ROLE) only as a member of it. No-op when the role
 * does not exist; a role it may not join is a PermanentError saying what a superuser must grant.
 */
export async function joinRole(
  db: { query(text: string, values?: unknown[]): Promise<{ rowCount: number | null }> },
  role: string,
): Promise<void> {
  const { rowCount } = await db.query(
    "SELECT 1 FROM pg_roles WHERE rolname = $1 AND NOT pg_has_role(current_user, oid, 'USAGE')",
    [role],
  );
  if (!rowCount) return;
  try {
    await db.query(`GRANT ${quoteIdent(role)} TO CURRENT_USER`);
  } catch (e) {
    // insufficient_privilege: a role this admin neither made nor was given ADMIN on (PostgreSQL 16+).
    if (!isCode(e, '42501')) throw e;
    throw new PermanentError(
      `the tenant service's database role may not act as role "${role}"; as a superuser run GRANT "${role}" TO <the tenant service's admin role>, then retry`,
      { cause: e },
    );
  }
}

/**
 * What the tenant service does on a tenant database server. Every step can run again after a
 * crash at any point and ends in the same place. Identifiers are always quoted by quoteIdent.
 */
export class DbServerAdmin {
  constructor(
    private readonly pool: Pool,
    private readonly adminUrl: string,
  ) {}

  /**
   * Creates the login role marked as the tenant's, or, when a role of that name exists, adopts it
   * only if it carries this tenant's mark (a retry after a crash) and sets its password again.
   * The role and its mark are made in one transaction, so no crash leaves the role unmarked.
   */
  async ensureRole(role: string, password: string, tenantId: string): Promise<'created' | 'existed'> {
    const verifier = quoteLiteral(await scramVerifier(password));
    try {
      await withTransaction(this.pool, async (c) => {
        await c.query(
          `CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 100 PASSWORD ${verifier}`,
        );
        await c.query(`COMMENT ON ROLE ${quoteIdent(role)} IS ${quoteLiteral(tenantMark(tenantId))}`);
        await joinRole(c, role);
      });
      return 'created';
    } catch (e) {
      if (!isCode(e, '42710')) throw e; // duplicate_object: an earlier attempt's, or not ours at all
    }
    await this.requireOwned('role', role, tenantId);
    await joinRole(this.pool, role);
    await this.pool.query(`ALTER ROLE ${quoteIdent(role)} WITH LOGIN PASSWORD ${verifier}`);
    return 'existed';
  }

  /**
   * Clones the template as the tenant's database, owned by `owner` (the runtime's role; the admin
   * joins it first) with CONNECT revoked from PUBLIC, so only the owner and its members open it.
   * An existing database of that name is adopted only if it carries this tenant's mark. The clone
   * is made under a staging name of this tenant's (CREATE DATABASE cannot share a transaction with
   * its COMMENT), marked, prepared (`prepare`: the tenant's own credentials), then renamed: a
   * crash at any point leaves either nothing under the tenant's name or a marked database, and the
   * next attempt picks the staging clone up. A database found under the final name is prepared
   * again, so a retry after a crash between the rename and the record ends in the same place.
   */
  async ensureDatabase(
    name: string,
    template: string,
    tenantId: string,
    opts: { owner?: string; prepare?: (database: string) => Promise<void> } = {},
  ): Promise<'created' | 'existed'> {
    if (opts.owner) await joinRole(this.pool, opts.owner);
    if (await this.ownedIfExists('database', name, tenantId)) {
      await this.pool.query(`REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);
      await opts.prepare?.(name);
      return 'existed';
    }
    const staging = stagingName(name, tenantId);
    const owner = opts.owner ? ` OWNER ${quoteIdent(opts.owner)}` : '';
    try {
      await this.pool.query(
        `CREATE DATABASE ${quoteIdent(staging)} TEMPLATE ${quoteIdent(template)}${owner}`,
      );
    } catch (e) {
      if (!isCode(e, '42P04')) throw e; // duplicate_database: an earlier attempt's clone
    }
    await this.pool.query(
      `COMMENT ON DATABASE ${quoteIdent(staging)} IS ${quoteLiteral(tenantMark(tenantId))}`,
    );
    await this.pool.query(`REVOKE ALL ON DATABASE ${quoteIdent(staging)} FROM PUBLIC`);
    await opts.prepare?.(staging);
    try {
      await this.pool.query(`ALTER DATABASE ${quoteIdent(staging)} RENAME TO ${quoteIdent(name)}`);
      return 'created';
    } catch (e) {
      if (!isCode(e, '42P04')) throw e; // the name was taken since the check above
      await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging)} WITH (FORCE)`);
      await this.requireOwned('database', name, tenantId);
      await opts.prepare?.(name);
      return 'existed';
    }
  }

  /**
   * Runs `fn` in one transaction on `database`, acting as `role` (SET LOCAL ROLE: what it writes
   * is written with the owner's rights, as Odoo would), after checking in that transaction that
   * the database carries this tenant's mark: a database that is not the tenant's is never written.
   */
  async inTenantDatabase<T>(
    database: string,
    tenantId: string,
    role: string,
    fn: (c: pg.Client) => Promise<T>,
  ): Promise<T> {
    return await this.withDatabase(database, async (c) => {
      await c.query('BEGIN');
      try {
        const marks = await readMarks(c, database, '');
        if (marks.database !== tenantId)
          throw new NotOwnedError('database', database, tenantId, marks.database);
        await c.query(`SET LOCAL ROLE ${quoteIdent(role)}`);
        const result = await fn(c);
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  /** Refuses new connections and ends the open ones. */
  async lock(name: string): Promise<void> {
    await this.pool.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS false`);
    await this.terminateSessions(name);
  }

  async unlock(name: string): Promise<void> {
    await this.pool.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS true`);
  }

  /**
   * Drops the tenant's database (ending its sessions), its staging clone and its role (tenants of
   * before runtimes had one; `role` undefined: none), each only when it carries this tenant's
   * mark: a database or role of the same name that is not the tenant's (the reason its
   * provisioning failed) stays. Returns the names it left.
   */
  async drop(name: string, role: string | undefined, tenantId: string): Promise<string[]> {
    const left: string[] = [];
    await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(stagingName(name, tenantId))} WITH (FORCE)`);
    const marks = await readMarks(this.pool, name, role ?? '');
    if (marks.database === tenantId) {
      // Dropping needs the owner's rights: the runtime's role, or a tenant of before runtimes' own.
      const owner = (await this.databaseInfo(name))?.owner;
      if (owner) await joinRole(this.pool, owner);
      await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } else if (marks.databaseExists) left.push(name);
    if (role && marks.role === tenantId) await this.pool.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
    else if (role && marks.roleExists) left.push(role);
    return left;
  }

  /**
   * Marks the database and role of tenants provisioned before marks existed: only a database owned
   * by the role of its name (its provisioning finished) and that role, each when it has no comment.
   * Returns how many objects it marked.
   */
  async markProvisioned(tenants: ReadonlyArray<{ id: string; name: string }>): Promise<number> {
    if (tenants.length === 0) return 0;
    const names = tenants.map((t) => t.name);
    const { rows } = await this.pool.query<{ kind: 'database' | 'role'; name: string }>(
      `SELECT 'database' AS kind, d.datname AS name FROM pg_database d
         JOIN pg_roles r ON r.oid = d.datdba AND r.rolname = d.datname
         WHERE d.datname = ANY($1) AND shobj_description(d.oid, 'pg_database') IS NULL
       UNION ALL
       SELECT 'role', r.rolname FROM pg_roles r
         JOIN pg_database d ON d.datdba = r.oid AND d.datname = r.rolname
         WHERE r.rolname = ANY($1) AND shobj_description(r.oid, 'pg_authid') IS NULL`,
      [names],
    );
    for (const row of rows) {
      const tenant = tenants.find((t) => t.name === row.name)!;
      const what = row.kind === 'database' ? 'DATABASE' : 'ROLE';
      await this.pool.query(
        `COMMENT ON ${what} ${quoteIdent(row.name)} IS ${quoteLiteral(tenantMark(tenant.id))}`,
      );
    }
    return rows.length;
  }

  /** Whose mark a database and a role carry (undefined: none), and whether they exist. */
  async marksOf(name: string, role: string) {
    return await readMarks(this.pool, name, role);
  }

  /** Whether each of these databases accepts connections (`datallowconn`); absent ones are left out. */
  async connectionsAllowed(names: readonly string[]): Promise<Map<string, boolean>> {
    const { rows } = await this.pool.query<{ datname: string; datallowconn: boolean }>(
      'SELECT datname, datallowconn FROM pg_database WHERE datname = ANY($1::text[])',
      [names],
    );
    return new Map(rows.map((r) => [r.datname, r.datallowconn]));
  }

  async databaseExists(name: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  }

  async terminateSessions(name: string): Promise<void> {
    await this.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  }

  /**
   * Makes sure the role exists (NOLOGIN when this service creates it: an operator gives it a
   * login when an Odoo is to connect as it) and that the admin may act as it.
   */
  async ensureRuntimeRole(role: string): Promise<void> {
    if (!(await this.roleInfo(role)).exists) {
      try {
        await this.pool.query(`CREATE ROLE ${quoteIdent(role)} NOLOGIN`);
      } catch (e) {
        // duplicate_object, or unique_violation when another replica made it at the same moment.
        if (!isCode(e, '42710') && !isCode(e, '23505')) throw e;
      }
    }
    await joinRole(this.pool, role);
  }

  /** Makes the admin a member of an existing role (a runtime's), so that it may act as it. */
  async joinRuntimeRole(role: string): Promise<void> {
    await joinRole(this.pool, role);
  }

  /** Whether a role exists on this server, and whether it is a superuser. */
  async roleInfo(role: string): Promise<{ exists: boolean; superuser: boolean }> {
    const { rows } = await this.pool.query<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_roles WHERE rolname = $1',
      [role],
    );
    return { exists: rows.length > 0, superuser: rows[0]?.rolsuper ?? false };
  }

  /** A database's owner, comment and flags, or undefined when there is none of that name. */
  async databaseInfo(name: string) {
    const { rows } = await this.pool.query<{
      owner: string;
      comment: string | null;
      is_template: boolean;
      allow_connections: boolean;
    }>(
      `SELECT pg_get_userbyid(datdba) AS owner, shobj_description(oid, 'pg_database') AS comment,
              datistemplate AS is_template, datallowconn AS allow_connections
         FROM pg_database WHERE datname = $1`,
      [name],
    );
    return rows[0];
  }

  /**
   * Makes the built-in template from Odoo's core table shapes when it is missing, owned by `owner`
   * (the default runtime role), every object inside made as that role: a clone needs no
   * reassignment. Built under a temporary name and renamed at the end, so a crash never leaves a
   * half-made template in use. A template of before (owned by the admin, its objects by
   * LEGACY_TEMPLATE_OWNER) is converted once. Replicas starting together take turns (an advisory
   * lock); the second finds it done.
   */
  async ensureTemplate(
    template: string,
    sql: string,
    owner: string,
  ): Promise<'created' | 'existed' | 'converted'> {
    if ((await this.databaseInfo(template))?.owner === owner) return 'existed';
    const client = await this.pool.connect();
    const lock = `ocp_template:${template}`;
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
      await this.ensureRuntimeRole(owner);
      const found = await this.databaseInfo(template);
      if (found?.owner === owner) return 'existed';
      if (found) {
        await this.convertTemplate(template, found.owner, owner);
        return 'converted';
      }
      const building = `${template.slice(0, 50)}_building`;
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
      // Owned by the role, its public schema is the role's (pg_database_owner): it may create there.
      await client.query(
        `CREATE DATABASE ${quoteIdent(building)} TEMPLATE template0 OWNER ${quoteIdent(owner)}`,
      );
      await this.withDatabase(building, async (c) => {
        await c.query('BEGIN');
        await c.query(`SET LOCAL ROLE ${quoteIdent(owner)}`);
        await c.query(sql);
        await c.query('COMMIT');
      });
      await client.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(template)}`);
      // Nobody works in a template: cloning needs no connection and fails while one is open.
      await client.query(
        `ALTER DATABASE ${quoteIdent(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
      );
      return 'created';
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]).catch(() => {});
      client.release();
    }
  }

  /**
   * Gives a built-in template of before to `owner`: inside it, what LEGACY_TEMPLATE_OWNER owned
   * (every table, sequence and index), then the database itself. Only a template the admin owns
   * is converted (it made it): REASSIGN OWNED BY the legacy role, which owns no database, moves
   * nothing outside the template. Safe to run again after a crash halfway.
   */
  private async convertTemplate(template: string, currentOwner: string, owner: string): Promise<void> {
    const { rows } = await this.pool.query<{ me: string }>('SELECT current_user AS me');
    if (currentOwner !== rows[0]!.me && currentOwner !== LEGACY_TEMPLATE_OWNER)
      throw new Error(
        `the template database "${template}" is owned by role "${currentOwner}", not by the default runtime role "${owner}"; drop it (it is made again at start) or set TENANT_DEFAULT_RUNTIME_ROLE to "${currentOwner}"`,
      );
    const db = quoteIdent(template);
    await joinRole(this.pool, currentOwner);
    await this.pool.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS true`);
    try {
      if ((await this.roleInfo(LEGACY_TEMPLATE_OWNER)).exists) {
        await joinRole(this.pool, LEGACY_TEMPLATE_OWNER);
        await this.withDatabase(template, (c) =>
          c.query(`REASSIGN OWNED BY ${quoteIdent(LEGACY_TEMPLATE_OWNER)} TO ${quoteIdent(owner)}`),
        );
      }
      await this.pool.query(`ALTER DATABASE ${db} OWNER TO ${quoteIdent(owner)}`);
    } finally {
      await this.pool.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS false`);
    }
  }

  /**
   * Takes a database that a runtime's Odoo has just created over as that runtime's template:
   * Odoo's sessions on it are given a moment to end, then connections are refused and the rest
   * ended, and it becomes a template carrying the runtime's mark. Odoo lists and serves only
   * databases that allow connections and are not templates, so it is out of Odoo's sight, and no
   * session of Odoo's can keep a clone from starting (SQLSTATE 55006). `owner` is the runtime's
   * role, which owns it; the admin acts as its member.
   */
  async takeOverTemplate(name: string, runtimeId: string, owner: string, waitMs = 2000): Promise<void> {
    await joinRole(this.pool, owner);
    const db = quoteIdent(name);
    const until = Date.now() + waitMs;
    while (Date.now() < until) {
      const { rows } = await this.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.pool.query(`ALTER DATABASE ${db} WITH ALLOW_CONNECTIONS false`);
    await this.terminateSessions(name);
    await this.pool.query(`ALTER DATABASE ${db} WITH IS_TEMPLATE true`);
    await this.pool.query(`COMMENT ON DATABASE ${db} IS ${quoteLiteral(templateMark(runtimeId))}`);
  }

  /**
   * The technical names of the modules a database made by Odoo lists (`ir_module_module` holds
   * every module on the runtime's addons path once Odoo made it). Read from a new template before
   * it is taken over: a template accepts no connection afterwards.
   */
  async moduleNames(name: string): Promise<string[]> {
    return await this.withDatabase(name, async (c) => {
      const { rows } = await c.query<{ name: string }>('SELECT name FROM ir_module_module ORDER BY name');
      return rows.map((r) => r.name);
    });
  }

  /**
   * Drops a runtime's template database, or one an interrupted preparation left under the name
   * (no longer a template first, its sessions ended). `owner` is the runtime's role. No-op when
   * there is no database of that name.
   */
  async dropTemplateDatabase(name: string, owner: string): Promise<void> {
    if (!(await this.databaseInfo(name))) return;
    await joinRole(this.pool, owner);
    await this.pool.query(`ALTER DATABASE ${quoteIdent(name)} WITH IS_TEMPLATE false`);
    await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }

  /** True when the object exists and is the tenant's; throws NotOwnedError when it is not. */
  private async ownedIfExists(kind: 'database' | 'role', name: string, tenantId: string): Promise<boolean> {
    const marks = await readMarks(this.pool, kind === 'database' ? name : '', kind === 'role' ? name : '');
    const exists = kind === 'database' ? marks.databaseExists : marks.roleExists;
    const mark = kind === 'database' ? marks.database : marks.role;
    if (!exists) return false;
    if (mark !== tenantId) throw new NotOwnedError(kind, name, tenantId, mark);
    return true;
  }

  private async requireOwned(kind: 'database' | 'role', name: string, tenantId: string): Promise<void> {
    if (!(await this.ownedIfExists(kind, name, tenantId)))
      throw new Error(`${kind} "${name}" was reported to exist and is gone; the step will run again`);
  }

  private async withDatabase<T>(name: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const url = new URL(this.adminUrl);
    url.pathname = `/${encodeURIComponent(name)}`;
    const c = new pg.Client({ connectionString: url.toString(), application_name: 'ocp-tenant' });
    // A session that ends between two queries (a server restart) fails the next one; without a
    // listener its 'error' event would end the process.
    c.on('error', () => {});
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
}
