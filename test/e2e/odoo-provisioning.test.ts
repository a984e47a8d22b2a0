/**
 * Tenants that are Odoo databases: a runtime (the protocol double) is registered and checked, its
 * template is prepared through it and taken over, and tenants cloned from it are owned by the
 * runtime's role, have their own identity and administrator, and their own filestore; without a
 * runtime, tenants come from the built-in template, owned by the default runtime role.
 */
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import type { Runtime } from '@ocp/contracts';
import { createOdooClient } from '@ocp/odoo';
import { adminQuery, adminUrl, urlFor, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { createRuntimeRole, type OdooDouble, startOdooDouble } from '../support/odoo-double/index.ts';
import { ended, filesOf, rpcError } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';

const limit = { timeout: 180_000 };
const MASTER = 'masterpw';
const q = pg.escapeIdentifier;

/**
 * The test's own check of a passlib `$pbkdf2-sha512$<rounds>$<salt>$<checksum>` hash (adapted
 * base64: `.` for `+`, no padding): parse it, derive again with node:crypto, compare.
 */
function pbkdf2Matches(password: string, stored: string): boolean {
  const m = /^\$pbkdf2-sha512\$(\d+)\$([A-Za-z0-9./]+)\$([A-Za-z0-9./]+)$/.exec(stored);
  if (!m) return false;
  const bytes = (s: string) => Buffer.from(s.replaceAll('.', '+'), 'base64');
  const salt = bytes(m[2]!);
  const checksum = bytes(m[3]!);
  if (salt.length !== 16 || checksum.length !== 64) return false;
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, Number(m[1]), 64, 'sha512').equals(checksum);
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** A database's owner, flags and comment, as the superuser sees them. */
async function database(name: string) {
  const { rows } = await adminQuery<{
    owner: string;
    is_template: boolean;
    allow: boolean;
    comment: string | null;
    public_connect: boolean;
  }>(
    `SELECT pg_get_userbyid(datdba) AS owner, datistemplate AS is_template, datallowconn AS allow,
            shobj_description(oid, 'pg_database') AS comment,
            has_database_privilege('public', datname, 'CONNECT') AS public_connect
       FROM pg_database WHERE datname = $1`,
    [name],
  );
  return rows[0];
}

/** The identity parameters and administrator of an Odoo database, read with SQL. */
async function identity(db: string) {
  const url = urlFor(db);
  const params = await adminQuery<{ key: string; value: string }>(
    "SELECT key, value FROM ir_config_parameter WHERE key IN ('database.uuid', 'database.secret', 'web.base.url', 'database.create_date')",
    [],
    url,
  );
  const p: Partial<Record<string, string>> = Object.fromEntries(params.rows.map((r) => [r.key, r.value]));
  const admin = await adminQuery<{ login: string; password: string }>(
    'SELECT login, password FROM res_users WHERE id = 2',
    [],
    url,
  );
  const company = await adminQuery<{ name: string; partner: string }>(
    'SELECT c.name, p.name AS partner FROM res_company c JOIN res_partner p ON p.id = c.partner_id WHERE c.id = 1',
    [],
    url,
  );
  return { param: p, admin: admin.rows[0]!, company: company.rows[0]! };
}

/** Reads a template's identity: it refuses connections, so they are allowed for the moment. */
async function templateIdentity(name: string) {
  await adminQuery(`ALTER DATABASE ${q(name)} WITH ALLOW_CONNECTIONS true`);
  try {
    return await identity(name);
  } finally {
    await adminQuery(`ALTER DATABASE ${q(name)} WITH ALLOW_CONNECTIONS false`);
  }
}

/** Whether `role` (with `password`) may open `db`: 'connected' or the SQLSTATE of the refusal. */
async function tryConnect(role: string, password: string, db: string): Promise<string> {
  const url = new URL(urlFor(db));
  url.username = role;
  url.password = password;
  const c = new pg.Client({ connectionString: url.toString() });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.end();
    return 'connected';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

describe('tenants that are Odoo databases, from a runtime (the protocol double)', limit, () => {
  let p: Platform;
  let bus: Bus;
  let odoo: OdooDouble;
  let dataDir: string;
  let filestore: string;
  let role: string;
  let runtime: Runtime;

  before(async () => {
    p = await startPlatform();
    bus = await p.busAs('gateway');
    dataDir = await mkdtemp(path.join(tmpdir(), 'ocp-odoo-provisioning-'));
    filestore = path.join(dataDir, 'filestore');
    await mkdir(filestore, { recursive: true });
    const made = await createRuntimeRole(`${p.prefix}rt_main`, adminUrl());
    role = made.role;
    odoo = await startOdooDouble({ databaseUrl: made.url, masterPassword: MASTER, dataDir, version: '18.0' });
  });
  after(async () => {
    await odoo?.close();
    await p?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const register = (extra: Record<string, unknown> = {}) =>
    bus.request(
      'tenant.runtime.register.v1',
      {
        name: 'main',
        odooVersion: '18.0',
        rpcUrl: odoo.url,
        masterPassword: MASTER,
        dbRole: role,
        filestorePath: filestore,
        ...extra,
      },
      { timeoutMs: 20_000 },
    );

  test('without a runtime, a tenant comes from the built-in template, owned by the default runtime role', async () => {
    const made = await bus.request('tenant.create.v1', {
      slug: 'plain',
      displayName: 'Plain Ltd',
      plan: 'starter',
    });
    assert.equal(made.tenant.runtimeId, null);
    assert.equal(made.tenant.adminLogin, 'admin');
    assert.equal(made.tenant.companyName, 'Plain Ltd');
    assert.equal(made.tenant.baseUrl, 'http://plain.localhost:8069');
    assert.ok(made.adminPassword && made.adminPassword.length >= 16, 'a generated password, answered once');
    assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
    const db = await database(made.tenant.databaseName);
    assert.equal(db?.owner, p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE);
    assert.equal(db?.public_connect, false);
    const template = await database(p.tenantEnv.TENANT_TEMPLATE_DB!);
    assert.equal(template?.owner, p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE);
    const id = await identity(made.tenant.databaseName);
    assert.equal(id.admin.login, 'admin');
    assert.ok(pbkdf2Matches(made.adminPassword!, id.admin.password), 'the stored hash is of that password');
    assert.equal(id.param['web.base.url'], 'http://plain.localhost:8069');
    assert.deepEqual(id.company, { name: 'Plain Ltd', partner: 'Plain Ltd' });
    // TENANT_FILESTORE_DIR is set in the tests: the tenant has a (so far empty) filestore directory.
    assert.ok(await exists(path.join(p.tenantEnv.TENANT_FILESTORE_DIR!, made.tenant.databaseName)));
    const { rows } = await adminQuery<{ sealed: string | null; db: string | null; owner: string }>(
      'SELECT admin_password_sealed AS sealed, db_password_sealed AS db, db_owner AS owner FROM tenants WHERE id = $1',
      [made.tenant.id],
      p.tenantEnv.DATABASE_URL,
    );
    assert.deepEqual(rows[0], { sealed: null, db: null, owner: p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE });

    // A replay of the same request answers the same tenant; once it is active, without the password.
    const request = {
      slug: 'plain-two',
      displayName: 'Plain Two',
      plan: 'starter',
      idempotencyKey: 'test:plain-two',
      requestHash: 'same-body',
    };
    const first = await bus.request('tenant.create.v1', request);
    assert.ok(first.adminPassword);
    assert.equal((await ended(bus, first.operation.id)).state, 'succeeded');
    const replay = await bus.request('tenant.create.v1', request);
    assert.equal(replay.tenant.id, first.tenant.id);
    assert.equal(replay.adminPassword, undefined, 'the password is no longer kept');
  });

  test('a runtime that cannot serve is refused at registration, saying why', async () => {
    const wrong = await rpcError(register({ masterPassword: 'not-the-master' }));
    assert.equal(wrong.code, 'RUNTIME_REFUSED');
    assert.match(wrong.message, /the master password was refused/);
    assert.ok(!wrong.message.includes('not-the-master'));

    const down = await rpcError(register({ rpcUrl: 'http://127.0.0.1:9' }));
    assert.equal(down.code, 'RUNTIME_UNREACHABLE');
    assert.match(down.message, /http:\/\/127\.0\.0\.1:9/);

    const version = await rpcError(register({ odooVersion: '17.0' }));
    assert.equal(version.code, 'RUNTIME_REFUSED');
    assert.match(version.message, /runs Odoo 18\.0 .*not 17\.0/);

    const noRole = await rpcError(register({ dbRole: `${p.prefix}nobody` }));
    assert.equal(noRole.code, 'VALIDATION_FAILED');
    assert.equal(noRole.field, '/dbRole');

    const noDir = await rpcError(register({ filestorePath: path.join(dataDir, 'missing') }));
    assert.equal(noDir.code, 'VALIDATION_FAILED');
    assert.equal(noDir.field, '/filestorePath');

    const { items } = await bus.request('tenant.runtime.list.v1', { limit: 10, includeDisabled: true });
    assert.deepEqual(items, [], 'nothing refused was stored');
  });

  test('a registered runtime prepares its template through the runtime, then takes it over', async () => {
    const registered = await register();
    assert.equal(registered.runtime.state, 'preparing');
    const again = await rpcError(register());
    assert.equal(again.code, 'RUNTIME_EXISTS');
    runtime = await waitFor(
      'the runtime to be ready',
      async () => {
        const { runtime: r } = await bus.request('tenant.runtime.get.v1', { runtime: 'main' });
        assert.notEqual(r.state, 'failed', r.templateError ?? '');
        return r.state === 'ready' ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const name = runtime.templateDatabase!;
    assert.match(name, /^ocp_tpl_[0-9a-f]{8}_1$/);
    assert.ok(
      odoo.calls.some((c) => c.service === 'db' && c.method === 'create_database'),
      'the template was made by the runtime',
    );
    const tpl = await database(name);
    assert.deepEqual(
      { owner: tpl?.owner, is_template: tpl?.is_template, allow: tpl?.allow, comment: tpl?.comment },
      { owner: role, is_template: true, allow: false, comment: `ocp:template:${runtime.id}` },
    );
    const listed = await createOdooClient({ url: odoo.url }).db.list();
    assert.ok(!listed.includes(name), `Odoo no longer lists the template (${listed.join(', ')})`);
    assert.ok((await filesOf(path.join(filestore, name))).length > 0, 'its filestore stays beside it');
    const { items } = await bus.request('tenant.runtime.list.v1', { limit: 10 });
    assert.deepEqual(
      items.map((r) => [r.name, r.state, r.tenantCount]),
      [['main', 'ready', 0]],
    );
  });

  test('a tenant on the runtime is its role’s alone, with its own identity, administrator and filestore; deleting it removes both', async () => {
    const made = await bus.request('tenant.create.v1', {
      slug: 'acme',
      displayName: 'Acme',
      plan: 'starter',
      adminLogin: 'boss@acme.example',
      companyName: 'Acme SA',
    });
    assert.equal(made.tenant.runtimeId, runtime.id);
    const password = made.adminPassword!;
    assert.ok(password.length >= 16);
    const other = await bus.request('tenant.create.v1', {
      slug: 'globex',
      displayName: 'Globex',
      plan: 'starter',
      adminPassword: 'globex-own-password',
    });
    assert.equal(other.adminPassword, undefined, 'a password the caller gave is not answered');
    assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
    assert.equal((await ended(bus, other.operation.id)).state, 'succeeded');
    const dbName = made.tenant.databaseName;

    // Owned by the runtime's role, CONNECT for no one else: a second runtime's role is refused.
    const db = await database(dbName);
    assert.equal(db?.owner, role);
    assert.equal(db?.public_connect, false);
    assert.equal(db?.comment, `ocp:tenant:${made.tenant.id}`);
    const second = await createRuntimeRole(`${p.prefix}rt_second`, adminUrl());
    const secondPassword = decodeURIComponent(new URL(second.url).password);
    assert.equal(await tryConnect(second.role, secondPassword, dbName), '42501');

    // Its own identity: not the template's, not another tenant's.
    const mine = await identity(dbName);
    const theirs = await identity(other.tenant.databaseName);
    const template = await templateIdentity(runtime.templateDatabase!);
    for (const key of ['database.uuid', 'database.secret'] as const) {
      assert.ok(mine.param[key] && theirs.param[key] && template.param[key]);
      assert.notEqual(mine.param[key], template.param[key], `${key} differs from the template's`);
      assert.notEqual(mine.param[key], theirs.param[key], `${key} differs from another tenant's`);
    }
    assert.equal(mine.param['web.base.url'], 'http://acme.localhost:8069');
    assert.match(mine.param['database.create_date']!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.deepEqual(mine.company, { name: 'Acme SA', partner: 'Acme SA' });
    assert.equal(mine.admin.login, 'boss@acme.example');
    assert.match(mine.admin.password, /^\$pbkdf2-sha512\$600000\$/);
    assert.ok(pbkdf2Matches(password, mine.admin.password), 'the stored hash verifies (checked here)');
    assert.ok(!pbkdf2Matches('globex-own-password', mine.admin.password));

    // The administrator logs in through Odoo with the returned password, and with no other.
    const client = createOdooClient({ url: odoo.url });
    assert.equal(await client.authenticate(dbName, 'boss@acme.example', password), 2);
    assert.equal(await client.authenticate(dbName, 'boss@acme.example', 'globex-own-password'), false);
    assert.equal(await client.authenticate(other.tenant.databaseName, 'admin', 'globex-own-password'), 2);
    assert.ok((await client.db.list()).includes(dbName), 'the runtime lists it: its role owns it');

    // Its filestore directory holds the template's files.
    const templateFiles = await filesOf(path.join(filestore, runtime.templateDatabase!));
    assert.ok(templateFiles.length > 0);
    assert.deepEqual(await filesOf(path.join(filestore, dbName)), templateFiles);

    // The platform keeps no administrator password once the tenant is active.
    const { rows } = await adminQuery<{ sealed: string | null; owner: string }>(
      'SELECT admin_password_sealed AS sealed, db_owner AS owner FROM tenants WHERE id = $1',
      [made.tenant.id],
      p.tenantEnv.DATABASE_URL,
    );
    assert.deepEqual(rows[0], { sealed: null, owner: role });
    const { runtime: counted } = await bus.request('tenant.runtime.get.v1', { runtime: runtime.id });
    assert.equal(counted.tenantCount, 2);

    const { operation } = await bus.request('tenant.delete.v1', { tenantId: made.tenant.id });
    assert.equal((await ended(bus, operation.id)).state, 'succeeded');
    assert.equal(await database(dbName), undefined, 'its database is gone');
    assert.equal(await exists(path.join(filestore, dbName)), false, 'its filestore is gone');
    assert.ok(await database(other.tenant.databaseName), 'the other tenant stays');
  });

  test('placement: a runtime asked for must be ready, and a rebuilt template replaces the old one', async () => {
    const unknown = await rpcError(
      bus.request('tenant.create.v1', {
        slug: 'nowhere',
        displayName: 'Nowhere',
        plan: 'starter',
        runtimeId: '00000000-0000-4000-8000-000000000000',
      }),
    );
    assert.equal(unknown.code, 'RUNTIME_NOT_FOUND');
    const wrongVersion = await rpcError(
      bus.request('tenant.create.v1', {
        slug: 'old-one',
        displayName: 'Old',
        plan: 'starter',
        odooVersion: '17.0',
      }),
    );
    assert.equal(wrongVersion.code, 'NO_CAPACITY');
    assert.match(wrongVersion.message, /no runtime of Odoo 17\.0/);

    const first = runtime.templateDatabase!;
    const { runtime: rebuilding } = await bus.request('tenant.runtime.template.v1', {
      runtimeId: runtime.id,
    });
    assert.equal(rebuilding.state, 'ready', 'the old template serves meanwhile');
    const rebuilt = await waitFor(
      'the new template',
      async () => {
        const { runtime: r } = await bus.request('tenant.runtime.get.v1', { runtime: runtime.id });
        return r.templateDatabase !== first ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.match(rebuilt.templateDatabase!, /_2$/);
    // The database goes first, then its directory: wait for both.
    await waitFor('the old template dropped', async () => ((await database(first)) ? undefined : true));
    await waitFor('the old template directory removed', async () =>
      (await exists(path.join(filestore, first))) ? undefined : true,
    );
    const made = await bus.request('tenant.create.v1', {
      slug: 'later',
      displayName: 'Later',
      plan: 'starter',
    });
    assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
    assert.equal((await database(made.tenant.databaseName))?.owner, role);

    const { runtime: disabled } = await bus.request('tenant.runtime.disable.v1', { runtimeId: runtime.id });
    assert.equal(disabled.state, 'disabled');
    const full = await rpcError(
      bus.request('tenant.create.v1', { slug: 'refused', displayName: 'Refused', plan: 'starter' }),
    );
    assert.equal(full.code, 'NO_CAPACITY');
    assert.match(full.message, /"main": disabled/);
  });

  test('a template the runtime cannot make fails the runtime after bounded attempts with the reason; a rebuild that fails keeps the template it had', async () => {
    const stored = async (id: string) =>
      (
        await adminQuery<{ building: string | null; attempts: number }>(
          'SELECT template_building AS building, template_attempts AS attempts FROM odoo_runtimes WHERE id = $1',
          [id],
          p.databases.tenant,
        )
      ).rows[0]!;
    // Registration's checks are answered (slowly); the runtime then stops answering before the
    // template job's db.create_database is.
    odoo.faults.delayMs = 1000;
    const { runtime: flaky } = await register({ name: 'flaky' }).finally(() => {
      odoo.faults.down = true;
    });
    const failed = await waitFor(
      'the runtime to fail',
      async () => {
        const { runtime: r } = await bus.request('tenant.runtime.get.v1', { runtime: flaky.id });
        return r.state === 'failed' ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.equal(failed.templateDatabase, null);
    assert.match(failed.templateError ?? '', /create_database|connection|socket|closed/i);
    assert.equal((await stored(flaky.id)).building, null);
    const made = await adminQuery('SELECT 1 FROM pg_database WHERE datname LIKE $1', [
      `ocp\\_tpl\\_${flaky.id.replaceAll('-', '').slice(0, 8)}%`,
    ]);
    assert.equal(made.rowCount, 0, 'nothing left behind');

    // Asked again once the runtime answers: it is prepared.
    odoo.faults.down = false;
    odoo.faults.delayMs = 0;
    const { runtime: again } = await bus.request('tenant.runtime.template.v1', { runtimeId: flaky.id });
    assert.equal(again.state, 'preparing');
    const ready = await waitFor(
      'the runtime to be ready',
      async () => {
        const { runtime: r } = await bus.request('tenant.runtime.get.v1', { runtime: flaky.id });
        return r.state === 'ready' ? r : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.equal(ready.templateError, null);

    // A rebuild while the runtime is down: the old template stays, and so does the state.
    odoo.faults.down = true;
    try {
      await bus.request('tenant.runtime.template.v1', { runtimeId: flaky.id });
      await waitFor(
        'the rebuild to give up',
        async () => ((await stored(flaky.id)).building === null ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } finally {
      odoo.faults.down = false;
    }
    const { runtime: after } = await bus.request('tenant.runtime.get.v1', { runtime: flaky.id });
    assert.equal(after.state, 'ready');
    assert.equal(after.templateDatabase, ready.templateDatabase);
    assert.ok(after.templateError);
    assert.ok(await database(ready.templateDatabase!), 'the old template is still there');
  });
});
