import { type Pool, quoteIdent, quoteLiteral } from '@ocp/db';
import pg from 'pg';
import { scramVerifier } from '../domain/secrets.ts';

/** The role that owns the objects inside templates; they are handed to each tenant's role. */
export const TEMPLATE_OWNER = 'ocp_template_owner';

const isCode = (e: unknown, code: string) => (e as { code?: string })?.code === code;

/**
 * What the tenant service does on a tenant database server. Every step can run again after a
 * crash at any point and ends in the same place. Identifiers are always quoted by quoteIdent.
 */
export class DbServerAdmin {
  constructor(
    private readonly pool: Pool,
    private readonly adminUrl: string,
  ) {}

  /** Creates the login role, or sets its password when it exists (a retry after a crash). */
  async ensureRole(role: string, password: string): Promise<void> {
    const verifier = quoteLiteral(await scramVerifier(password));
    try {
      await this.pool.query(
        `CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 100 PASSWORD ${verifier}`,
      );
    } catch (e) {
      if (!isCode(e, '42710')) throw e; // duplicate_object: made by an earlier attempt
      await this.pool.query(`ALTER ROLE ${quoteIdent(role)} WITH LOGIN PASSWORD ${verifier}`);
    }
  }

  /** Clones the template as the tenant's database; `secure` then gives it to the tenant's role. */
  async ensureDatabase(name: string, template: string): Promise<'created' | 'existed'> {
    try {
      await this.pool.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
      return 'created';
    } catch (e) {
      if (!isCode(e, '42P04')) throw e; // duplicate_database: an earlier attempt's statement finished
      return 'existed';
    }
  }

  /**
   * Gives the database and the objects inside (which the template's owner held) to the tenant's
   * role and shuts every other role out (CONNECT revoked from PUBLIC): one transaction on the
   * tenant's database.
   */
  async secure(name: string, role: string): Promise<void> {
    const db = quoteIdent(name);
    const give = `ALTER DATABASE ${db} OWNER TO ${quoteIdent(role)}; REVOKE ALL ON DATABASE ${db} FROM PUBLIC`;
    await this.withDatabase(name, async (c) => {
      try {
        await c.query(
          `BEGIN; ${give}; REASSIGN OWNED BY ${quoteIdent(TEMPLATE_OWNER)} TO ${quoteIdent(role)}; COMMIT`,
        );
      } catch (e) {
        await c.query('ROLLBACK');
        // undefined_object: a template made elsewhere, without our owner role; nothing to hand over.
        if (!isCode(e, '42704')) throw e;
        await c.query(`BEGIN; ${give}; COMMIT`);
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

  /** Drops the database (ending its sessions) and the role. */
  async drop(name: string, role: string): Promise<void> {
    await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    await this.pool.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
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
