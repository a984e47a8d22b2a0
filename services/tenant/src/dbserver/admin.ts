import { createHash } from 'node:crypto';
import { type Pool, type Queryable, quoteIdent, quoteLiteral, withTransaction } from '@ocp/db';
import pg from 'pg';
import { scramVerifier } from '../domain/secrets.ts';
import { NotOwnedError } from './errors.ts';

/** The role that owns the objects inside templates; they are handed to each tenant's role. */
export const TEMPLATE_OWNER = 'ocp_template_owner';

const isCode = (e: unknown, code: string) => (e as { code?: string })?.code === code;

const MARK = /^ocp:tenant:([0-9a-f-]{36})$/;
/** The COMMENT that marks a database or role as one tenant's. */
export const tenantMark = (tenantId: string) => `ocp:tenant:${tenantId}`;
const markedTenant = (comment: string | null | undefined) => (comment ? MARK.exec(comment)?.[1] : undefined);

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
 * a database away, change or drop a database owned by another role, REASSIGN its objects and end
 * its sessions only as a member of it. No-op when the role does not exist.
 */
async function joinRole(db: Queryable, role: string): Promise<void> {
  const { rowCount } = await db.query(
    "SELECT 1 FROM pg_roles WHERE rolname = $1 AND NOT pg_has_role(current_user, oid, 'USAGE')",
    [role],
  );
  if (rowCount) await db.query(`GRANT ${quoteIdent(role)} TO CURRENT_USER`);
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
   * Clones the template as the tenant's database; `secure` then gives it to the tenant's role. An
   * existing database of that name is adopted only if it carries this tenant's mark. The clone is
   * made under a staging name of this tenant's (CREATE DATABASE cannot share a transaction with
   * its COMMENT), marked, then renamed: a crash at any point leaves either nothing under the
   * tenant's name or a marked database, and the next attempt picks the staging clone up.
   */
  async ensureDatabase(name: string, template: string, tenantId: string): Promise<'created' | 'existed'> {
    if (await this.ownedIfExists('database', name, tenantId)) return 'existed';
    const staging = stagingName(name, tenantId);
    try {
      await this.pool.query(`CREATE DATABASE ${quoteIdent(staging)} TEMPLATE ${quoteIdent(template)}`);
    } catch (e) {
      if (!isCode(e, '42P04')) throw e; // duplicate_database: an earlier attempt's clone
    }
    await this.pool.query(
      `COMMENT ON DATABASE ${quoteIdent(staging)} IS ${quoteLiteral(tenantMark(tenantId))}`,
    );
    try {
      await this.pool.query(`ALTER DATABASE ${quoteIdent(staging)} RENAME TO ${quoteIdent(name)}`);
      return 'created';
    } catch (e) {
      if (!isCode(e, '42P04')) throw e; // the name was taken since the check above
      await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging)} WITH (FORCE)`);
      await this.requireOwned('database', name, tenantId);
      return 'existed';
    }
  }

  /**
   * Gives the database and the objects inside (which the template's owner held) to the tenant's
   * role and shuts every other role out (CONNECT revoked from PUBLIC): one transaction on the
   * tenant's database, which first checks that both carry the tenant's mark.
   */
  async secure(name: string, role: string, tenantId: string): Promise<void> {
    const db = quoteIdent(name);
    const give = `ALTER DATABASE ${db} OWNER TO ${quoteIdent(role)}; REVOKE ALL ON DATABASE ${db} FROM PUBLIC`;
    // REASSIGN OWNED needs the privileges of the template's owner too.
    await joinRole(this.pool, TEMPLATE_OWNER);
    await this.withDatabase(name, async (c) => {
      const inOwnedTransaction = async (sql: string) => {
        await c.query('BEGIN');
        try {
          const marks = await readMarks(c, name, role);
          if (marks.database !== tenantId)
            throw new NotOwnedError('database', name, tenantId, marks.database);
          if (marks.role !== tenantId) throw new NotOwnedError('role', role, tenantId, marks.role);
          await c.query(sql);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw e;
        }
      };
      try {
        await inOwnedTransaction(
          `${give}; REASSIGN OWNED BY ${quoteIdent(TEMPLATE_OWNER)} TO ${quoteIdent(role)}`,
        );
      } catch (e) {
        // undefined_object: a template made elsewhere, without our owner role; nothing to hand over.
        if (!isCode(e, '42704')) throw e;
        await inOwnedTransaction(give);
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
   * Drops the tenant's database (ending its sessions), its staging clone and its role, each only
   * when it carries this tenant's mark: a database or role of the same name that is not the
   * tenant's (the reason its provisioning failed) stays. Returns the names it left.
   */
  async drop(name: string, role: string, tenantId: string): Promise<string[]> {
    const left: string[] = [];
    await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(stagingName(name, tenantId))} WITH (FORCE)`);
    const marks = await readMarks(this.pool, name, role);
    if (marks.database === tenantId) {
      await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } else if (marks.databaseExists) left.push(name);
    if (marks.role === tenantId) await this.pool.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
    else if (marks.roleExists) left.push(role);
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
   * Makes the template from Odoo's core table shapes when it is missing: built under a temporary
   * name and renamed at the end, so a crash never leaves a half-made template in use.
   */
  async ensureTemplate(template: string, sql: string): Promise<'created' | 'existed'> {
    if (await this.databaseExists(template)) return 'existed';
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`ocp_template:${template}`]);
      if (await this.databaseExists(template)) return 'existed';
      try {
        await client.query(`CREATE ROLE ${quoteIdent(TEMPLATE_OWNER)} NOLOGIN`);
      } catch (e) {
        if (!isCode(e, '42710')) throw e;
      }
      // The build runs as the template's owner (SET ROLE), which needs membership.
      await joinRole(client, TEMPLATE_OWNER);
      const building = `${template.slice(0, 50)}_building`;
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(building)} TEMPLATE template0`);
      await this.withDatabase(building, async (c) => {
        await c.query(`GRANT CREATE ON SCHEMA public TO ${quoteIdent(TEMPLATE_OWNER)}`);
        await c.query('BEGIN');
        await c.query(`SET LOCAL ROLE ${quoteIdent(TEMPLATE_OWNER)}`);
        await c.query(sql);
        await c.query('COMMIT');
        await c.query(`REVOKE CREATE ON SCHEMA public FROM ${quoteIdent(TEMPLATE_OWNER)}`);
      });
      await client.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(template)}`);
      // Nobody works in a template: cloning needs no connection and fails while one is open.
      await client.query(
        `ALTER DATABASE ${quoteIdent(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
      );
      return 'created';
    } finally {
      await client
        .query('SELECT pg_advisory_unlock(hashtext($1))', [`ocp_template:${template}`])
        .catch(() => {});
      client.release();
    }
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
