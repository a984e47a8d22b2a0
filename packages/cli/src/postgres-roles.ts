import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { databaseUrl } from './postgres.ts';
import { readOrCreateSecret } from './secret-file.ts';

/** The two roles of one service's database. */
export interface ServiceRoles {
  /** Owns the database and every table in it; runs the migrations. The running service never holds it. */
  owner: string;
  /** The running service's login: CONNECT on its own database, the grants its migrations declare, owns nothing. */
  runtime: string;
}

/**
 * The role that administers the tenant databases, for the tenant service and the backup service:
 * not a superuser (see `ensureRoles`).
 */
export const TENANT_ADMIN_ROLE = 'ocp_tenant_admin';

/** The role that owns the objects inside the tenant template; the tenant admin acts as it. */
const TEMPLATE_OWNER = 'ocp_template_owner';

/** The roles of a service whose database is `database`: `<database>_owner` and `<database>_app`. */
export function serviceRoles(database: string): ServiceRoles {
  return { owner: `${database}_owner`, runtime: `${database}_app` };
}

/** What each service connects with: its runtime URL and its migration URL. */
export interface ServiceUrls {
  /** `DATABASE_URL`: the runtime role. */
  url: string;
  /** `DATABASE_MIGRATION_URL`: the owner role. */
  migrationUrl: string;
}

/** The URLs `ensureRoles` made, for the services' environment. */
export interface PostgresRoles {
  services: Record<string, ServiceUrls>;
  /**
   * The tenant admin role on the `postgres` database: the tenant service's `TENANT_DB_ADMIN_URL`
   * and the backup service's `BACKUP_DB_ADMIN_URL` (it reads every tenant database and creates
   * databases owned by the runtime roles, with the same rights).
   */
  tenantAdminUrl: string;
}

/**
 * A SCRAM-SHA-256 verifier of `password` (RFC 5803, as PostgreSQL stores it): the role's password
 * is set from it, so the clear password never appears in a statement or the server's log.
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function withUser(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(password);
  return u.toString();
}

const q = (name: string) => pg.escapeIdentifier(name);

/**
 * A login role with the password kept in `<dataDir>/postgres-<role>-password` (made on the first
 * start, 0600); created, or set again to that password and `attributes`, at every start.
 */
async function ensureLoginRole(
  client: pg.Client,
  dataDir: string,
  role: string,
  attributes: string,
): Promise<string> {
  const password = await readOrCreateSecret(join(dataDir, `postgres-${role}-password`), () =>
    randomBytes(24).toString('base64url'),
  );
  const verifier = pg.escapeLiteral(scramVerifier(password));
  const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (found.rowCount) {
    await client.query(`ALTER ROLE ${q(role)} WITH LOGIN ${attributes} PASSWORD ${verifier}`);
  } else {
    try {
      await client.query(`CREATE ROLE ${q(role)} WITH LOGIN ${attributes} PASSWORD ${verifier}`);
    } catch (err) {
      // 42710: another start made it between our check and our CREATE; set it as ours.
      if ((err as { code?: string }).code !== '42710') throw err;
      await client.query(`ALTER ROLE ${q(role)} WITH LOGIN ${attributes} PASSWORD ${verifier}`);
    }
  }
  return password;
}

const SERVICE_ROLE_ATTRIBUTES = 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

/**
 * Makes everything in the database `url` opens (schema `public`) belong to `owner`: tables,
 * views, sequences not owned by a column, functions and types. For a database made before the
 * services had an owner role, whose objects the superuser made.
 */
async function adoptObjects(url: string, owner: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ stmt: string; name: string }>(
      `SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS stmt,
              format('%I.%I', n.nspname, c.relname) AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_roles r ON r.oid = c.relowner
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND r.rolname <> $1
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
       UNION ALL
       SELECT 'FUNCTION', p.oid::regprocedure::text FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_roles r ON r.oid = p.proowner
        WHERE n.nspname = 'public' AND r.rolname <> $1
       UNION ALL
       SELECT 'TYPE', format('%I.%I', n.nspname, t.typname) FROM pg_type t
         JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_roles r ON r.oid = t.typowner
        WHERE n.nspname = 'public' AND r.rolname <> $1 AND t.typtype IN ('e', 'd', 'r')`,
      [owner],
    );
    for (const row of rows) {
      // `name` is quoted by format('%I') or regprocedure; the kind is one of the fixed words above.
      await client.query(`ALTER ${row.stmt} ${row.name} OWNER TO ${q(owner)}`);
    }
    return rows.length;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Sets up least privilege on the server `adminUrl` (a superuser's URL) opens, the same at every
 * start:
 *
 * - per service database: its owner role and its runtime login role (passwords kept in
 *   `dataDir`), the database made, or handed, to the owner role with every object inside (a
 *   database from before owner roles belonged to the superuser), CONNECT revoked from PUBLIC and
 *   given to the runtime role (the owner has it as owner);
 * - the tenant admin role (CREATEDB, CREATEROLE, `pg_signal_backend`, CONNECT on `postgres`), a
 *   member of the template's owner and of the tenant roles made before it existed;
 * - CONNECT revoked from PUBLIC on `postgres` and `template1`, so that a tenant's role opens its
 *   own database and no other.
 *
 * Resolves the URLs each service is given.
 */
export async function ensureRoles(opts: {
  adminUrl: string;
  dataDir: string;
  /** The database of each service, by service name. */
  databases: Readonly<Record<string, string>>;
}): Promise<PostgresRoles> {
  const client = new pg.Client({ connectionString: opts.adminUrl });
  client.on('error', () => {});
  await client.connect();
  const services: Record<string, ServiceUrls> = {};
  let tenantAdminUrl: string;
  try {
    // Two starts at once would collide on the same catalog rows; one after the other, each finds it done.
    await client.query("SELECT pg_advisory_lock(hashtext('ocp_start_roles'))");
    for (const [service, database] of Object.entries(opts.databases)) {
      const roles = serviceRoles(database);
      const ownerPassword = await ensureLoginRole(client, opts.dataDir, roles.owner, SERVICE_ROLE_ATTRIBUTES);
      const runtimePassword = await ensureLoginRole(
        client,
        opts.dataDir,
        roles.runtime,
        SERVICE_ROLE_ATTRIBUTES,
      );
      const found = await client.query<{ owner: string }>(
        'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
        [database],
      );
      if (!found.rowCount) {
        try {
          await client.query(`CREATE DATABASE ${q(database)} OWNER ${q(roles.owner)}`);
        } catch (err) {
          // 42P04: made by another start since our check; handed over below like an old one.
          if ((err as { code?: string }).code !== '42P04') throw err;
        }
      }
      if (found.rows[0]?.owner !== roles.owner) {
        await client.query(`ALTER DATABASE ${q(database)} OWNER TO ${q(roles.owner)}`);
      }
      const superuserUrl = databaseUrl(opts.adminUrl, database);
      await adoptObjects(superuserUrl, roles.owner);
      await client.query(`REVOKE ALL ON DATABASE ${q(database)} FROM PUBLIC`);
      await client.query(`GRANT CONNECT ON DATABASE ${q(database)} TO ${q(roles.runtime)}`);
      services[service] = {
        url: withUser(superuserUrl, roles.runtime, runtimePassword),
        migrationUrl: withUser(superuserUrl, roles.owner, ownerPassword),
      };
    }

    const adminPassword = await ensureLoginRole(
      client,
      opts.dataDir,
      TENANT_ADMIN_ROLE,
      'NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION NOBYPASSRLS',
    );
    await client.query(`GRANT pg_signal_backend TO ${q(TENANT_ADMIN_ROLE)}`);
    // Tenant roles made before the admin role existed (by a superuser), and the template's owner:
    // the admin acts for them only as their member.
    const { rows: earlier } = await client.query<{ rolname: string }>(
      `SELECT r.rolname FROM pg_roles r
        WHERE NOT r.rolsuper AND r.rolname <> $1
          AND (r.rolname = $2 OR shobj_description(r.oid, 'pg_authid') LIKE 'ocp:tenant:%'
               -- a tenant of before the marks: its database bears its name
               OR EXISTS (SELECT 1 FROM pg_database d WHERE d.datdba = r.oid AND d.datname = r.rolname))
          AND NOT pg_has_role($1, r.oid, 'MEMBER')`,
      [TENANT_ADMIN_ROLE, TEMPLATE_OWNER],
    );
    for (const { rolname } of earlier) await client.query(`GRANT ${q(rolname)} TO ${q(TENANT_ADMIN_ROLE)}`);

    for (const database of ['postgres', 'template1']) {
      await client.query(`REVOKE CONNECT ON DATABASE ${q(database)} FROM PUBLIC`);
    }
    await client.query(`GRANT CONNECT ON DATABASE postgres TO ${q(TENANT_ADMIN_ROLE)}`);
    tenantAdminUrl = withUser(databaseUrl(opts.adminUrl, 'postgres'), TENANT_ADMIN_ROLE, adminPassword);
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('ocp_start_roles'))").catch(() => {});
    await client.end().catch(() => {});
  }
  return { services, tenantAdminUrl };
}
