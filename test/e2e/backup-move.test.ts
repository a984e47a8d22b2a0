import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminQuery, urlFor } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { createTenant } from '../support/tenants.ts';

const limit = { timeout: 300_000 };

describe('a tenant moves to another database server by backup and restore', limit, () => {
  let second: TestPostgres;
  let secondAdminUrl: string;
  let p: Platform;

  /** SQL on the second server, as its superuser. */
  const onSecond = async <R extends Record<string, unknown>>(
    database: string,
    sql: string,
    values: unknown[] = [],
  ) => (await adminQuery<R>(sql, values, urlFor(database, second.url))).rows;

  before(async () => {
    second = await startTestPostgres();
    // The platform's admin role there is no superuser, as on the first server.
    const password = randomBytes(12).toString('base64url');
    await onSecond('postgres', `CREATE ROLE second_admin LOGIN CREATEDB CREATEROLE PASSWORD '${password}'`);
    const u = new URL(second.url);
    u.username = 'second_admin';
    u.password = password;
    secondAdminUrl = u.toString();
    p = await startPlatform({
      backup: true,
      backupEnv: { BACKUP_DB_SERVERS: JSON.stringify({ second: secondAdminUrl }) },
    });
  });

  after(async () => {
    await p?.close();
    await second?.dispose();
  });

  test('a server is registered with a URL that is checked, sealed and never answered', async () => {
    const bad = await p.api.call('POST', '/api/v1/database-servers', {
      name: 'nowhere',
      adminUrl: 'postgres://nobody@127.0.0.1:1/postgres',
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    const res = await p.api.call('POST', '/api/v1/database-servers', {
      name: 'second',
      adminUrl: secondAdminUrl,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.server.name, 'second');
    assert.ok(!JSON.stringify(res.body).includes('second_admin'));
    const list = await p.api.call('GET', '/api/v1/database-servers');
    assert.deepEqual(
      list.body.items.map((s: { name: string }) => s.name),
      ['default', 'second'],
    );
  });

  test('the tenant, its rows and its files are on the new server, and gone from the old one', async () => {
    const servers = (await p.api.call('GET', '/api/v1/database-servers')).body.items as Array<{
      id: string;
      name: string;
    }>;
    const target = servers.find((s) => s.name === 'second')!;
    const tenant = await createTenant(p, 'mover');
    const marker = `moved-${randomUUID()}`;
    await adminQuery(
      'INSERT INTO res_partner (name, active) VALUES ($1, true)',
      [marker],
      urlFor(tenant.databaseName),
    );
    const files = path.join(p.tenantEnv.TENANT_FILESTORE_DIR!, tenant.databaseName, 'cd');
    await mkdir(files, { recursive: true });
    await writeFile(path.join(files, 'cdef'), 'a file that moves');

    const same = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/move`, {
      databaseServerId: tenant.databaseServerId,
    });
    assert.equal(same.status, 202, JSON.stringify(same.body));
    const refused = await p.api.waitOperation(same.body.operation.id, 60_000);
    assert.equal(refused.state, 'failed');
    assert.match(refused.error, /already/);
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${tenant.id}`)).body.state, 'active');

    const res = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/move`, {
      databaseServerId: target.id,
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const op = await p.api.waitOperation(res.body.operation.id, 120_000);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    const moved = (await p.api.call('GET', `/api/v1/tenants/${tenant.id}`)).body;
    assert.equal(moved.state, 'active');
    assert.equal(moved.databaseServerId, target.id);
    const rows = await onSecond<{ name: string }>(moved.databaseName, 'SELECT name FROM res_partner');
    assert.ok(rows.some((r) => r.name === marker));
    const [db] = await onSecond<{ owner: string; allow: boolean }>(
      'postgres',
      'SELECT pg_get_userbyid(datdba) AS owner, datallowconn AS allow FROM pg_database WHERE datname = $1',
      [moved.databaseName],
    );
    assert.deepEqual(db, { owner: p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE, allow: true });
    const old = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [tenant.databaseName]);
    assert.equal(old.rowCount, 0, 'the old database is dropped');
    assert.equal(await readFile(path.join(files, 'cdef'), 'utf8'), 'a file that moves');
    const backups = await p.api.call('GET', `/api/v1/tenants/${tenant.id}/backups?limit=5`);
    assert.deepEqual(
      backups.body.items.map((b: { kind: string; state: string }) => `${b.kind}:${b.state}`),
      ['move:succeeded'],
    );
    // Its backups now come from the new server.
    const again = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/backups`);
    assert.equal((await p.api.waitOperation(again.body.operation.id, 60_000)).state, 'succeeded');
  });
});
