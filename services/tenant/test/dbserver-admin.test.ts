import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createPool, type Pool } from '@ocp/db';
import { createLogger } from '@ocp/service-kit';
import { adminQuery, adminUrl, dropByPrefix, uniqueName } from '@ocp/testkit';
import pg from 'pg';
import { DbServerAdmin, LEGACY_TEMPLATE_OWNER, stagingName, tenantMark } from '../src/dbserver/admin.ts';
import { NotOwnedError } from '../src/dbserver/errors.ts';

const q = pg.escapeIdentifier;
const l = pg.escapeLiteral;

/** What a database or role looks like from outside: its comment, owner, rights and password. */
async function snapshot(kind: 'database' | 'role', name: string) {
  const sql =
    kind === 'database'
      ? `SELECT shobj_description(oid, 'pg_database') AS comment, pg_get_userbyid(datdba) AS owner,
           datacl::text AS acl, datallowconn AS allow FROM pg_database WHERE datname = $1`
      : `SELECT shobj_description(a.oid, 'pg_authid') AS comment, a.rolpassword AS password,
           a.rolcanlogin AS login, a.rolconnlimit AS connlimit FROM pg_authid a WHERE a.rolname = $1`;
  const { rows } = await adminQuery(sql, [name]);
  return rows[0];
}

describe('ownership marks on a database server', () => {
  const prefix = `${uniqueName('own')}_`;
  const template = `${prefix}tpl`;
  let pool: Pool;
  let admin: DbServerAdmin;
  before(async () => {
    pool = createPool({
      url: adminUrl(),
      name: 'ownership-test',
      max: 4,
      logger: createLogger('test', 'warn'),
    });
    admin = new DbServerAdmin(pool, adminUrl());
    await adminQuery(`CREATE DATABASE ${q(template)} TEMPLATE template0`);
    await adminQuery(`ALTER DATABASE ${q(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  });
  after(async () => {
    await pool?.end();
    await dropByPrefix(prefix);
  });

  test("a tenant's database carries its id, is its runtime role's alone, and a retry adopts it", async () => {
    const tenant = randomUUID();
    const name = `${prefix}mine`;
    const owner = `${prefix}runtime`;
    const stranger = `${prefix}stranger`;
    await adminQuery(`CREATE ROLE ${q(owner)} LOGIN PASSWORD 'owner-password'`);
    await adminQuery(`CREATE ROLE ${q(stranger)} LOGIN PASSWORD 'stranger-password'`);
    const prepared: string[] = [];
    const prepare = async (db: string) => {
      prepared.push(db);
    };
    assert.equal(await admin.ensureDatabase(name, template, tenant, { owner, prepare }), 'created');
    assert.equal((await snapshot('database', name))?.comment, tenantMark(tenant));
    assert.equal((await snapshot('database', name))?.owner, owner);
    // Prepared under its staging name, before the rename; a retry prepares it again under its own.
    assert.deepEqual(prepared, [stagingName(name, tenant)]);
    assert.equal(await admin.ensureDatabase(name, template, tenant, { owner, prepare }), 'existed');
    assert.deepEqual(prepared, [stagingName(name, tenant), name]);

    const connect = async (role: string, password: string) => {
      const url = new URL(adminUrl());
      url.username = role;
      url.password = password;
      url.pathname = `/${name}`;
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      await c.end();
    };
    await connect(owner, 'owner-password');
    await assert.rejects(connect(stranger, 'stranger-password'), /permission denied for database/);
  });

  for (const mark of ['another tenant', 'no mark'] as const) {
    test(`a role with ${mark} is refused and left as it was`, async () => {
      const tenant = randomUUID();
      const other = randomUUID();
      const name = `${prefix}role_${mark === 'no mark' ? 'bare' : 'other'}`;
      await adminQuery(`CREATE ROLE ${q(name)} LOGIN PASSWORD 'theirs' CONNECTION LIMIT 3`);
      if (mark === 'another tenant')
        await adminQuery(`COMMENT ON ROLE ${q(name)} IS ${l(tenantMark(other))}`);
      const before = await snapshot('role', name);
      const err = await admin.ensureRole(name, 'ours', tenant).then(
        () => assert.fail('adopted a role that is not the tenant’s'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof NotOwnedError, String(err));
      assert.match(err.message, new RegExp(`role "${name}" already exists`));
      assert.match(
        err.message,
        mark === 'no mark' ? /carries no tenant mark/ : new RegExp(`belongs to tenant ${other}`),
      );
      assert.match(err.message, /left untouched\. Drop or rename that role .* then retry the provisioning/);
      assert.deepEqual(await snapshot('role', name), before);
    });

    test(`a database with ${mark} is refused and left as it was`, async () => {
      const tenant = randomUUID();
      const other = randomUUID();
      const name = `${prefix}db_${mark === 'no mark' ? 'bare' : 'other'}`;
      await adminQuery(`CREATE DATABASE ${q(name)} TEMPLATE template0`);
      if (mark === 'another tenant')
        await adminQuery(`COMMENT ON DATABASE ${q(name)} IS ${l(tenantMark(other))}`);
      const before = await snapshot('database', name);
      await assert.rejects(admin.ensureDatabase(name, template, tenant), (e: unknown) => {
        assert.ok(e instanceof NotOwnedError);
        assert.match(e.message, new RegExp(`database "${name}" already exists`));
        assert.match(e.message, mark === 'no mark' ? /no tenant mark/ : new RegExp(`tenant ${other}`));
        return true;
      });
      // Nor is it written as the tenant's.
      await assert.rejects(
        admin.inTenantDatabase(name, tenant, 'root', async () => assert.fail('wrote into it')),
        NotOwnedError,
      );
      assert.deepEqual(await snapshot('database', name), before);
      const staging = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [
        stagingName(name, tenant),
      ]);
      assert.equal(staging.rowCount, 0, 'no clone was left behind');
    });
  }

  test('a clone left under the staging name by a crash is marked and renamed by the next attempt', async () => {
    const tenant = randomUUID();
    const name = `${prefix}crashed`;
    await adminQuery(`CREATE DATABASE ${q(stagingName(name, tenant))} TEMPLATE ${q(template)}`);
    assert.equal(await admin.ensureDatabase(name, template, tenant), 'created');
    assert.equal((await snapshot('database', name))?.comment, tenantMark(tenant));
    assert.equal(await snapshot('database', stagingName(name, tenant)), undefined);
  });

  test("deleting drops only what carries the tenant's mark", async () => {
    const tenant = randomUUID();
    const theirs = `${prefix}kept`;
    await adminQuery(`CREATE DATABASE ${q(theirs)} TEMPLATE template0`);
    await adminQuery(`CREATE ROLE ${q(theirs)} NOLOGIN`);
    assert.deepEqual(await admin.drop(theirs, theirs, tenant), [theirs, theirs]);
    assert.ok(await snapshot('database', theirs));
    assert.ok(await snapshot('role', theirs));

    const mine = `${prefix}gone`;
    await admin.ensureRole(mine, 'p', tenant);
    await admin.ensureDatabase(mine, template, tenant);
    assert.deepEqual(await admin.drop(mine, mine, tenant), []);
    assert.equal(await snapshot('database', mine), undefined);
    assert.equal(await snapshot('role', mine), undefined);
  });

  test('tenants provisioned before marks get them; an unrelated unmarked database does not', async () => {
    const tenant = randomUUID();
    const old = `${prefix}earlier`;
    await adminQuery(`CREATE ROLE ${q(old)} LOGIN`);
    await adminQuery(`CREATE DATABASE ${q(old)} TEMPLATE template0 OWNER ${q(old)}`);
    const stray = `${prefix}stray`;
    await adminQuery(`CREATE DATABASE ${q(stray)} TEMPLATE template0`);
    await adminQuery(`CREATE ROLE ${q(stray)} NOLOGIN`);
    const marked = await admin.markProvisioned([
      { id: tenant, name: old },
      { id: randomUUID(), name: stray },
    ]);
    assert.equal(marked, 2);
    assert.equal((await snapshot('database', old))?.comment, tenantMark(tenant));
    assert.equal((await snapshot('role', old))?.comment, tenantMark(tenant));
    assert.equal((await snapshot('database', stray))?.comment, null);
    assert.equal((await snapshot('role', stray))?.comment, null);
  });
});

describe('the built-in template and its owner', () => {
  const prefix = `${uniqueName('tpl')}_`;
  let pool: Pool;
  let admin: DbServerAdmin;
  before(async () => {
    pool = createPool({
      url: adminUrl(),
      name: 'template-test',
      max: 4,
      logger: createLogger('test', 'warn'),
    });
    admin = new DbServerAdmin(pool, adminUrl());
  });
  after(async () => {
    await pool?.end();
    await dropByPrefix(prefix);
  });

  const tableOwners = async (db: string) => {
    await adminQuery(`ALTER DATABASE ${q(db)} WITH ALLOW_CONNECTIONS true`);
    try {
      const url = new URL(adminUrl());
      url.pathname = `/${db}`;
      const { rows } = await adminQuery<{ owner: string }>(
        "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'",
        [],
        url.toString(),
      );
      return rows.map((r) => r.owner);
    } finally {
      await adminQuery(`ALTER DATABASE ${q(db)} WITH ALLOW_CONNECTIONS false`);
    }
  };

  test('is made with every object owned by the default runtime role, once', async () => {
    const template = `${prefix}made`;
    const role = `${prefix}odoo`;
    const sql =
      'CREATE TABLE res_users (id serial PRIMARY KEY, login text); CREATE TABLE ir_config_parameter (key text)';
    assert.equal(await admin.ensureTemplate(template, sql, role), 'created');
    assert.equal(await admin.ensureTemplate(template, sql, role), 'existed');
    const info = await admin.databaseInfo(template);
    assert.deepEqual(
      { owner: info?.owner, is_template: info?.is_template, allow: info?.allow_connections },
      { owner: role, is_template: true, allow: false },
    );
    assert.deepEqual(await tableOwners(template), [role]);
    const login = await adminQuery<{ rolcanlogin: boolean }>(
      'SELECT rolcanlogin FROM pg_roles WHERE rolname = $1',
      [role],
    );
    assert.deepEqual(login.rows, [{ rolcanlogin: false }], 'the role it made has no login');
  });

  test("one of before (the admin its owner, the objects the legacy template owner's) is given to the role", async () => {
    const template = `${prefix}legacy`;
    const role = `${prefix}odoo2`;
    // As the service built it before: its objects made as the legacy owner, the database the admin's.
    await adminQuery(
      `DO $$ BEGIN CREATE ROLE ${LEGACY_TEMPLATE_OWNER} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await adminQuery(`CREATE DATABASE ${q(template)} TEMPLATE template0`);
    const url = new URL(adminUrl());
    url.pathname = `/${template}`;
    await adminQuery(
      `GRANT CREATE ON SCHEMA public TO ${LEGACY_TEMPLATE_OWNER}; SET ROLE ${LEGACY_TEMPLATE_OWNER}; CREATE TABLE res_users (id int); CREATE SEQUENCE s; RESET ROLE; REVOKE CREATE ON SCHEMA public FROM ${LEGACY_TEMPLATE_OWNER}`,
      [],
      url.toString(),
    );
    await adminQuery(`ALTER DATABASE ${q(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);

    assert.equal(await admin.ensureTemplate(template, 'SELECT 1', role), 'converted');
    assert.equal(await admin.ensureTemplate(template, 'SELECT 1', role), 'existed');
    const info = await admin.databaseInfo(template);
    assert.deepEqual(
      { owner: info?.owner, is_template: info?.is_template, allow: info?.allow_connections },
      { owner: role, is_template: true, allow: false },
    );
    assert.deepEqual(await tableOwners(template), [role]);
  });

  test('one owned by another role is refused, saying what to do', async () => {
    const template = `${prefix}foreign`;
    const other = `${prefix}someone`;
    await adminQuery(`CREATE ROLE ${q(other)} NOLOGIN`);
    await adminQuery(`CREATE DATABASE ${q(template)} TEMPLATE template0 OWNER ${q(other)}`);
    await assert.rejects(
      admin.ensureTemplate(template, 'SELECT 1', `${prefix}odoo`),
      new RegExp(`owned by role "${other}", not by the default runtime role "${prefix}odoo"; drop it`),
    );
    assert.equal((await admin.databaseInfo(template))?.owner, other);
  });
});
