import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ensureRoles,
  type PostgresRoles,
  SERVICE_DATABASES,
  serviceRoles,
  TENANT_ADMIN_ROLE,
} from '@ocp/cli';
import { migrate } from '@ocp/db';
import { adminQuery, urlFor } from '@ocp/testkit';
import pg from 'pg';
import pino from 'pino';
import { type Platform, startPlatform } from '../support/platform.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { createTenant, runtimeRoleLogin } from '../support/tenants.ts';

const limit = { timeout: 120_000 };
const SERVICES = ['tenant', 'gateway', 'audit', 'billing'] as const;
type Service = (typeof SERVICES)[number];

/** Runs `sql` as whoever `url` logs in as, on the database it names. */
const as = (url: string, sql: string): Promise<pg.QueryResult> => adminQuery(sql, [], url);

/** Opens and closes a session on `url`; resolves the SQLSTATE of a refusal, or 'connected'. */
async function tryConnect(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  try {
    await c.connect();
    return 'connected';
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

function inDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

const userOf = (url: string) => decodeURIComponent(new URL(url).username);

/** What a role owns anywhere on the server (pg_shdepend records every owner, in every database). */
async function ownedBy(role: string, server?: string): Promise<number> {
  const { rows } = await adminQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid
      WHERE r.rolname = $1 AND d.deptype = 'o'`,
    [role],
    server,
  );
  return rows[0]!.n;
}

async function runOperation(p: Platform, method: string, path: string, body?: unknown) {
  const res = await p.api.call(method, path, body);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const op = await p.api.waitOperation(res.body.operation.id);
  assert.equal(op.state, 'succeeded', JSON.stringify(op));
}

describe('the services run as roles of their own, on the shared server', limit, () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
  });
  after(async () => p?.close());

  const envOf = (s: Service) => p[`${s}Env`];

  test("the audit service's runtime role cannot switch off, bypass or empty the append-only log", async () => {
    const audit = p.auditEnv.DATABASE_URL!;
    const refused = async (sql: string, why: RegExp) => {
      await assert.rejects(as(audit, sql), (e: { code?: string; message: string }) => {
        assert.equal(e.code, '42501', `${sql}: ${e.message}`);
        assert.match(e.message, why, sql);
        return true;
      });
    };
    // A superuser's switch that skips ordinary triggers.
    await refused('SET session_replication_role = replica', /permission denied to set parameter/);
    // Only the table's owner may switch the trigger off.
    await refused(
      'ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only',
      /must be owner of table audit_entries/,
    );
    // Refused for want of the privilege, before the trigger would refuse them.
    await refused(
      "UPDATE audit_entries SET actor = 'operator:mallory'",
      /permission denied for table audit_entries/,
    );
    await refused('DELETE FROM audit_entries', /permission denied for table audit_entries/);
    await refused('TRUNCATE audit_entries', /permission denied for table audit_entries/);
    await refused('TRUNCATE audit_head', /permission denied for table audit_head/);
    await refused('DELETE FROM audit_head', /permission denied for table audit_head/);
    await refused('DROP TABLE audit_entries', /must be owner of table audit_entries/);
    await refused('CREATE TABLE mine (v text)', /permission denied for schema public/);
    // What it needs still works: reading the log and its head.
    assert.equal((await as(audit, 'SELECT count(*) FROM audit_head')).rows[0].count, '1');
  });

  test("each service's runtime role owns nothing, is no superuser, and cannot open another service's database", async () => {
    for (const s of SERVICES) {
      const url = envOf(s).DATABASE_URL!;
      const role = userOf(url);
      assert.notEqual(role, userOf(envOf(s).DATABASE_MIGRATION_URL!), `${s}: runtime and owner differ`);
      assert.equal(await ownedBy(role), 0, `${s}'s runtime role ${role} owns nothing`);
      const { rows } = await adminQuery<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
        'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1',
        [role],
      );
      assert.deepEqual(rows[0], { rolsuper: false, rolcreatedb: false, rolcreaterole: false }, s);
      assert.equal(await tryConnect(url), 'connected', `${s} opens its own database`);
      for (const other of SERVICES.filter((o) => o !== s)) {
        const database = new URL(envOf(other).DATABASE_URL!).pathname.slice(1);
        assert.equal(
          await tryConnect(inDatabase(url, database)),
          '42501',
          `${s}'s runtime role is refused ${other}'s database ${database}`,
        );
      }
    }
  });

  test('the tenant admin role is no superuser, and provisioning, suspension, resumption and deletion work with it', async () => {
    const admin = userOf(p.tenantEnv.TENANT_DB_ADMIN_URL!);
    const { rows } = await adminQuery<{ rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean }>(
      'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1',
      [admin],
    );
    assert.deepEqual(rows[0], { rolsuper: false, rolcreatedb: true, rolcreaterole: true });

    const tenant = await createTenant(p, 'least');
    const database = tenant.databaseName as string;
    const allowed = async () =>
      (
        await adminQuery<{ a: boolean }>('SELECT datallowconn AS a FROM pg_database WHERE datname = $1', [
          database,
        ])
      ).rows[0]?.a;
    const { rows: owner } = await adminQuery<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    );
    assert.equal(
      owner[0]?.owner,
      p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE,
      "the tenant's database is the default runtime role's",
    );
    assert.equal(await allowed(), true);
    await runOperation(p, 'POST', `/api/v1/tenants/${tenant.id}/suspend`, { reason: 'manual' });
    assert.equal(await allowed(), false);
    await runOperation(p, 'POST', `/api/v1/tenants/${tenant.id}/resume`, { reason: 'manual' });
    assert.equal(await allowed(), true);
    await runOperation(p, 'DELETE', `/api/v1/tenants/${tenant.id}`);
    assert.equal(await allowed(), undefined, 'the database is gone');
    const role = await adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [database]);
    assert.equal(role.rowCount, 0, 'no role of the tenant was made');
  });
});

describe('a server set up by the start command', limit, () => {
  let server: TestPostgres;
  let dataDir: string;
  let roles: PostgresRoles;
  let p: Platform;
  before(async () => {
    server = await startTestPostgres();
    dataDir = await mkdtemp(join(tmpdir(), 'ocp-roles-'));
    // A data directory from before the services had roles: the audit database and its tables
    // made by the superuser, as the start command and the service did then.
    await adminQuery('CREATE DATABASE ocp_audit', [], server.url);
    await migrate({
      databaseUrl: urlFor('ocp_audit', server.url),
      dir: fileURLToPath(new URL('../../services/audit/src/db/migrations', import.meta.url)),
      logger: pino({ level: 'silent' }),
    });
    // And a tenant provisioned then, by the superuser: its role marked, its database its own.
    for (const sql of [
      'CREATE ROLE t_legacy LOGIN',
      `COMMENT ON ROLE t_legacy IS 'ocp:tenant:${randomUUID()}'`,
      'CREATE DATABASE t_legacy OWNER t_legacy',
      'REVOKE ALL ON DATABASE t_legacy FROM PUBLIC',
    ])
      await adminQuery(sql, [], server.url);
    await ensureRoles({ adminUrl: server.url, dataDir, databases: SERVICE_DATABASES });
    // Every start does it again, to the same end.
    roles = await ensureRoles({ adminUrl: server.url, dataDir, databases: SERVICE_DATABASES });
    const own = (s: Service) => ({
      DATABASE_URL: roles.services[s]!.url,
      DATABASE_MIGRATION_URL: roles.services[s]!.migrationUrl,
    });
    p = await startPlatform({
      serverUrl: server.url,
      tenantEnv: { ...own('tenant'), TENANT_DB_ADMIN_URL: roles.tenantAdminUrl },
      gatewayEnv: own('gateway'),
      auditEnv: own('audit'),
      billingEnv: own('billing'),
    });
  });
  after(async () => {
    await p?.close();
    await server?.dispose();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("the roles' passwords are kept in the data directory, readable by its owner only", async () => {
    for (const role of [
      TENANT_ADMIN_ROLE,
      ...Object.values(SERVICE_DATABASES).flatMap((d) => Object.values(serviceRoles(d))),
    ]) {
      const mode = (await stat(join(dataDir, `postgres-${role}-password`))).mode & 0o777;
      assert.equal(mode, 0o600, role);
    }
  });

  test('an older database of the superuser is handed to its owner role, objects and all', async () => {
    const { rows } = await adminQuery<{ owner: string; n: number }>(
      `SELECT pg_get_userbyid(c.relowner) AS owner, count(*)::int AS n FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') GROUP BY 1`,
      [],
      urlFor('ocp_audit', server.url),
    );
    assert.deepEqual(
      rows.map((r) => r.owner),
      ['ocp_audit_owner'],
    );
    const db = await adminQuery<{ owner: string }>(
      "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'ocp_audit'",
      [],
      server.url,
    );
    assert.equal(db.rows[0]?.owner, 'ocp_audit_owner');
  });

  test("the tenant admin role is made a member of an earlier tenant's role, so it can suspend and drop its database", async () => {
    await as(roles.tenantAdminUrl, 'ALTER DATABASE t_legacy ALLOW_CONNECTIONS false');
    await as(roles.tenantAdminUrl, 'ALTER DATABASE t_legacy ALLOW_CONNECTIONS true');
    const { rows } = await adminQuery<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_roles WHERE rolname = $1',
      [TENANT_ADMIN_ROLE],
      server.url,
    );
    assert.deepEqual(rows, [{ rolsuper: false }]);
  });

  test('every runtime role opens its own database and no other on the server', async () => {
    const { rows } = await adminQuery<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname',
      [],
      server.url,
    );
    const all = rows.map((r) => r.datname);
    assert.ok(all.includes('postgres') && all.includes('template1'), all.join(', '));
    for (const s of SERVICES) {
      const url = roles.services[s]!.url;
      const own = SERVICE_DATABASES[s];
      assert.equal(await ownedBy(userOf(url), server.url), 0, `${s}'s runtime role owns nothing`);
      for (const database of all) {
        const got = await tryConnect(inDatabase(url, database));
        assert.equal(got, database === own ? 'connected' : '42501', `${s}'s runtime role on ${database}`);
      }
    }
  });

  test("a runtime role opens its tenants' databases and no other on the server; another runtime's role opens none of them", async () => {
    const tenant = await createTenant(p, 'alone');
    const neighbour = await createTenant(p, 'neighbour');
    const own = [tenant.databaseName as string, neighbour.databaseName as string];
    // The default runtime role, given a login as an operator does for the Odoo that connects as it.
    const runtime = await runtimeRoleLogin(p, undefined, server.url);
    const other = `${p.prefix}other_runtime`;
    await adminQuery(
      `CREATE ROLE ${pg.escapeIdentifier(other)} LOGIN PASSWORD 'other-password'`,
      [],
      server.url,
    );
    const { rows } = await adminQuery<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname',
      [],
      server.url,
    );
    const all = rows.map((r) => r.datname);
    // The control plane's, the test's own service databases, the other tenant's, postgres, template1.
    assert.ok(all.length >= 10, all.join(', '));
    const url = new URL(server.url);
    url.username = runtime.role;
    url.password = runtime.password;
    const seen: Record<string, string> = {};
    for (const database of all) seen[database] = await tryConnect(inDatabase(url.toString(), database));
    assert.deepEqual(
      seen,
      Object.fromEntries(all.map((d) => [d, own.includes(d) ? 'connected' : '42501'])),
      "connected to its tenants' databases only; every other refused for want of CONNECT",
    );
    url.username = other;
    url.password = 'other-password';
    for (const database of own)
      assert.equal(
        await tryConnect(inDatabase(url.toString(), database)),
        '42501',
        `${other} on ${database}`,
      );
  });
});
