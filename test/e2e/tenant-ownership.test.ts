import assert from 'node:assert/strict';
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import { createLogger } from '@ocp/service-kit';
import { startTenantService, type TenantService } from '@ocp/tenant';
import { parseConfig as tenantConfig } from '@ocp/tenant/config';
import { adminQuery, urlFor, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { passwordPlace } from '../../services/tenant/src/db/sealed.ts';
import { keyringOf, openSecret, sealSecret } from '../../services/tenant/src/domain/secrets.ts';
import { masterPasswordPlace } from '../../services/tenant/src/runtime/registry.ts';
import { type Platform, type PlatformEnv, preparePlatform, startPlatform } from '../support/platform.ts';

const q = pg.escapeIdentifier;

/** What a database or role looks like from outside: comment, owner, rights, password, contents. */
async function snapshot(kind: 'database' | 'role', name: string) {
  const sql =
    kind === 'database'
      ? `SELECT oid::int, shobj_description(oid, 'pg_database') AS comment, pg_get_userbyid(datdba) AS owner,
           datacl::text AS acl, datallowconn AS allow FROM pg_database WHERE datname = $1`
      : `SELECT shobj_description(oid, 'pg_authid') AS comment, rolpassword AS password,
           rolcanlogin AS login, rolconnlimit AS connlimit FROM pg_authid WHERE rolname = $1`;
  return (await adminQuery(sql, [name])).rows[0];
}

describe('provisioning adopts only what is marked as the tenant’s', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
  });
  after(async () => p?.close());

  async function create(slug: string) {
    const res = await p.api.call('POST', '/api/v1/tenants', { slug, displayName: slug });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return { tenant: res.body.tenant, op: await p.api.waitOperation(res.body.operation.id) };
  }

  test('a database of the tenant’s name without its mark fails the provisioning, saying why, and is left as it was', async () => {
    const name = `${p.prefix}squat`;
    await adminQuery(`CREATE DATABASE ${q(name)} TEMPLATE template0`);
    const inside = new pg.Client({
      connectionString: urlFor(name),
    });
    await inside.connect();
    await inside.query('CREATE TABLE precious (v text); INSERT INTO precious VALUES ($$keep$$)');
    await inside.end();
    const before = await snapshot('database', name);
    // And its files, where the tenant's filestore directory would be.
    const files = join(p.tenantEnv.TENANT_FILESTORE_DIR!, name);
    await mkdir(files, { recursive: true });
    await writeFile(join(files, 'precious.bin'), 'keep');

    const { tenant, op } = await create('squat');
    assert.equal(op.state, 'failed');
    assert.match(
      op.error,
      new RegExp(`database "${name}" already exists on the database server and carries no tenant mark`),
    );
    assert.match(op.error, /left untouched\. Drop or rename that database/);
    const failed = (await p.api.call('GET', `/api/v1/tenants/${tenant.id}`)).body;
    assert.equal(failed.state, 'failed');
    assert.match(failed.lastError, /carries no tenant mark/);
    assert.deepEqual(await snapshot('database', name), before);

    // Deleting the failed tenant drops what it made, never that database.
    const d = await p.api.call('DELETE', `/api/v1/tenants/${tenant.id}`);
    assert.equal((await p.api.waitOperation(d.body.operation.id)).state, 'succeeded');
    assert.deepEqual(await snapshot('database', name), before);
    assert.equal(await snapshot('role', name), undefined);
    assert.equal(await readFile(join(files, 'precious.bin'), 'utf8'), 'keep', 'its files are left too');
    const c = new pg.Client({
      connectionString: urlFor(name),
    });
    await c.connect();
    assert.deepEqual((await c.query('SELECT v FROM precious')).rows, [{ v: 'keep' }]);
    await c.end();
  });

  test('a database marked as another tenant’s fails the provisioning and is left as it was; once it is gone, a retry provisions the tenant, owned by the default runtime role', async () => {
    const name = `${p.prefix}taken`;
    const other = randomUUID();
    await adminQuery(`CREATE DATABASE ${q(name)} TEMPLATE template0`);
    await adminQuery(`COMMENT ON DATABASE ${q(name)} IS ${pg.escapeLiteral(`ocp:tenant:${other}`)}`);
    const before = await snapshot('database', name);

    const { tenant, op } = await create('taken');
    assert.equal(op.state, 'failed');
    assert.match(
      op.error,
      new RegExp(`database "${name}" already exists on the database server and belongs to tenant ${other}`),
    );
    assert.deepEqual(await snapshot('database', name), before);

    await adminQuery(`DROP DATABASE ${q(name)}`);
    const retry = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/retry`);
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    assert.equal((await p.api.waitOperation(retry.body.operation.id)).state, 'succeeded');
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${tenant.id}`)).body.state, 'active');
    const made = await snapshot('database', name);
    assert.equal(made?.comment, `ocp:tenant:${tenant.id}`);
    assert.equal(made?.owner, p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE);
    // No role of the tenant's own: the runtime role owns its database.
    assert.equal(await snapshot('role', name), undefined);
  });

  test('database_servers holds no credential in clear', async () => {
    const { rows } = await adminQuery<{ row: string; admin_url: string | null; sealed: string }>(
      'SELECT to_jsonb(s)::text AS row, admin_url, admin_url_sealed AS sealed FROM database_servers s',
      [],
      p.tenantEnv.DATABASE_URL,
    );
    assert.equal(rows.length, 1);
    const url = new URL(p.tenantEnv.TENANT_DB_ADMIN_URL!);
    for (const r of rows) {
      assert.equal(r.admin_url, null);
      assert.match(r.sealed, /^v2\.default\./);
      assert.ok(!r.row.includes(url.host), `no server address in ${r.row}`);
      assert.ok(!r.row.includes(`${url.username}@`), 'no user name');
    }
  });
});

/** A tenant password in the first sealed format: no key id, no row bound to it. */
function sealFirstFormat(key: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  const text = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), text]).toString('base64')}`;
}

describe('secrets at rest across an upgrade and a key rotation', () => {
  let env: PlatformEnv;
  let svc: TenantService | undefined;
  before(async () => {
    env = await preparePlatform();
  });
  after(async () => {
    await svc?.close();
    await env?.dispose();
  });
  const start = async (extra: Record<string, string | undefined>) => {
    const c = tenantConfig({ ...env.tenantEnv, ...extra });
    svc = await startTenantService(c, createLogger('tenant', c.LOG_LEVEL));
  };
  const stop = async () => {
    await svc?.close();
    svc = undefined;
  };
  const tenantDb = <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
    adminQuery<R>(sql, values, env.tenantEnv.DATABASE_URL);
  // The methods are the gateway's to call: this test calls them as the gateway, on a bus of its own.
  let gatewayBus: Bus | undefined;
  const asGateway = async () => {
    gatewayBus ??= await env.busAs('gateway');
    return gatewayBus;
  };
  async function createTenant(slug: string) {
    const { tenant, operation } = await (await asGateway()).request('tenant.create.v1', {
      slug,
      displayName: slug,
      plan: 'starter',
    });
    const op = await waitFor(`${slug} provisioned`, async () => {
      const r = await (await asGateway()).request('operation.get.v1', { operationId: operation.id });
      return r.operation.state === 'succeeded' || r.operation.state === 'failed' ? r.operation : undefined;
    });
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    return tenant.id as string;
  }

  test('clear server credentials, first-format passwords and unmarked tenants are brought up to date, and a retired key is no longer needed', async () => {
    const oldKey = env.tenantEnv.TENANT_SECRETS_KEY!;
    await start({});
    const first = await createTenant('before-upgrade');
    const name = `${env.prefix}before_upgrade`;
    const password = randomBytes(18).toString('base64url');
    await stop();

    // What a database from before this change holds: a server in clear, a tenant with a login role
    // of its own (owning its database) and that role's password in the first format, and the
    // tenant's database and role without marks.
    await adminQuery(`CREATE ROLE ${q(name)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
    await adminQuery(`ALTER DATABASE ${q(name)} OWNER TO ${q(name)}`);
    // The tenant service made such roles and was a member of each.
    const tenantAdmin = decodeURIComponent(new URL(env.tenantEnv.TENANT_DB_ADMIN_URL!).username);
    await adminQuery(`GRANT ${q(name)} TO ${q(tenantAdmin)}`);
    await tenantDb(
      `INSERT INTO database_servers (name, admin_url, accepting) VALUES ('legacy', 'postgres://legacy_admin:s3cret-pw@192.0.2.1:5432/postgres', false)`,
    );
    await tenantDb('UPDATE tenants SET db_password_sealed = $2 WHERE id = $1', [
      first,
      sealFirstFormat(oldKey, password),
    ]);
    await adminQuery(`COMMENT ON DATABASE ${q(name)} IS NULL`);
    await adminQuery(`COMMENT ON ROLE ${q(name)} IS NULL`);
    // A runtime's master password, sealed under the old key (a runtime with no template to make).
    const runtimeId = randomUUID();
    await tenantDb(
      `INSERT INTO odoo_runtimes (id, name, odoo_version, rpc_url, master_password_sealed, database_server_id,
         db_role, filestore_path, state)
       SELECT $1, 'old-runtime', '18.0', 'http://192.0.2.2:8069', $2, id, 'odoo', '/srv/filestore', 'disabled'
         FROM database_servers WHERE name = 'default'`,
      [runtimeId, sealSecret(keyringOf(env.tenantEnv), 'master-pw', masterPasswordPlace(runtimeId))],
    );

    const newKeys = `k2:${randomBytes(32).toString('base64')}`;
    await start({ TENANT_SECRETS_KEYS: newKeys });
    const servers = (
      await tenantDb<{ row: string; sealed: string }>(
        'SELECT to_jsonb(s)::text AS row, admin_url_sealed AS sealed FROM database_servers s',
      )
    ).rows;
    assert.equal(servers.length, 2);
    for (const s of servers) {
      assert.match(s.sealed, /^v2\.k2\./);
      assert.ok(!s.row.includes('s3cret-pw') && !s.row.includes('legacy_admin'), s.row);
      assert.ok(!s.row.includes('postgres://'), s.row);
    }
    const resealed = (
      await tenantDb<{ s: string }>('SELECT db_password_sealed AS s FROM tenants WHERE id = $1', [first])
    ).rows[0]!.s;
    assert.match(resealed, /^v2\.k2\./);
    const master = (
      await tenantDb<{ s: string }>('SELECT master_password_sealed AS s FROM odoo_runtimes WHERE id = $1', [
        runtimeId,
      ])
    ).rows[0]!.s;
    assert.match(master, /^v2\.k2\./);
    assert.equal((await snapshot('database', name))?.comment, `ocp:tenant:${first}`);
    assert.equal((await snapshot('role', name))?.comment, `ocp:tenant:${first}`);
    await stop();

    // The old key retired: everything opens under the new one alone.
    await start({ TENANT_SECRETS_KEY: undefined, TENANT_SECRETS_KEYS: newKeys });
    assert.equal(
      openSecret(keyringOf({ TENANT_SECRETS_KEYS: newKeys }), resealed, passwordPlace(first)),
      password,
    );
    assert.equal(
      openSecret(keyringOf({ TENANT_SECRETS_KEYS: newKeys }), master, masterPasswordPlace(runtimeId)),
      'master-pw',
    );
    // A registered runtime, even a disabled one, would take new tenants off the default placement.
    await adminQuery('DELETE FROM odoo_runtimes WHERE id = $1', [runtimeId], env.databases.tenant);
    await createTenant('after-rotation');
    const { operation } = await (await asGateway()).request('tenant.delete.v1', { tenantId: first });
    await waitFor('the first tenant deleted', async () => {
      const r = await (await asGateway()).request('operation.get.v1', { operationId: operation.id });
      return r.operation.state === 'succeeded' ? true : undefined;
    });
    assert.equal(await snapshot('database', name), undefined, 'its marked database was dropped');
    assert.equal(await snapshot('role', name), undefined);
  });
});
