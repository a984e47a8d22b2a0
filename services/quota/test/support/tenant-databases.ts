import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { adminQuery, createTenantAdminRole, dropByPrefix, urlFor } from '@ocp/testkit';
import pg from 'pg';

const ODOO_CORE_SQL = new URL('../../../tenant/src/template/odoo-core.sql', import.meta.url);

/**
 * Tenant databases as the platform has them, for measuring: owned by a runtime role of the
 * test's own, CONNECT revoked from PUBLIC, Odoo's tables (the template the tenant service clones
 * and the protocol double serves: `res_users` with its five users of a fresh database, one active
 * internal), and a filestore root; the measuring role is a tenant admin role, member of the
 * runtime role, as QUOTA_DB_ADMIN_URL is.
 */
export interface TenantDatabases {
  prefix: string;
  runtimeRole: string;
  adminRole: string;
  /** QUOTA_DB_ADMIN_URL: the admin role on `postgres`. */
  adminUrl: string;
  filestoreRoot: string;
  /** Makes a tenant database (a copy of the prepared one) named `<prefix><suffix>`. */
  create(suffix: string): Promise<string>;
  /** Runs `sql` in `database` as the runtime role (the tables' owner, as Odoo runs). */
  query<R extends pg.QueryResultRow>(
    database: string,
    sql: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Drops every database and role of the prefix, and the filestore root. */
  drop(): Promise<void>;
}

const ident = (s: string) => pg.escapeIdentifier(s);

export async function createTenantDatabases(prefix: string): Promise<TenantDatabases> {
  const runtimeRole = `${prefix}rt`;
  const adminRole = `${prefix}adm`;
  const template = `${prefix}tpl`;
  await adminQuery(`CREATE ROLE ${ident(runtimeRole)} NOLOGIN`);
  const url = await createTenantAdminRole(adminRole);
  await adminQuery(`GRANT ${ident(runtimeRole)} TO ${ident(adminRole)}`);
  await adminQuery(`CREATE DATABASE ${ident(template)} OWNER ${ident(runtimeRole)}`);
  const sql = await readFile(ODOO_CORE_SQL, 'utf8');
  await adminQuery(`SET ROLE ${ident(runtimeRole)}; ${sql}`, [], urlFor(template));
  const filestoreRoot = path.join(await mkdtemp(path.join(tmpdir(), 'ocp-quota-fs-')), 'filestore');
  await mkdir(filestoreRoot);
  return {
    prefix,
    runtimeRole,
    adminRole,
    adminUrl: url,
    filestoreRoot,
    async create(suffix) {
      const name = `${prefix}${suffix}`;
      await adminQuery(
        `CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)} OWNER ${ident(runtimeRole)}`,
      );
      await adminQuery(`REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC`);
      return name;
    },
    async query(database, text, values = []) {
      const c = new pg.Client({ connectionString: urlFor(database) });
      c.on('error', () => {});
      await c.connect();
      try {
        await c.query(`SET ROLE ${ident(runtimeRole)}`);
        return await c.query(text, values);
      } finally {
        await c.end().catch(() => {});
      }
    },
    async drop() {
      await dropByPrefix(prefix);
      await rm(path.dirname(filestoreRoot), { recursive: true, force: true });
    },
  };
}

/** Writes `size` random bytes at `<dir>/<rel>`, making its directory; answers the size. */
export async function writeFileOf(dir: string, rel: string, size: number): Promise<number> {
  const p = path.join(dir, rel);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, randomBytes(size));
  return size;
}
