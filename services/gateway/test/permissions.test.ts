import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import { csvField } from '../src/domain/audit-export.ts';
import {
  accountPermissions,
  allPermissions,
  globalPermissions,
  roleNames,
  rolePermissions,
} from '../src/domain/permissions.ts';
import { routeGuard } from '../src/plugins/auth.ts';

describe('the permission table', () => {
  test('owners hold everything, admins everything but managing owners, and each role holds self', () => {
    assert.deepEqual([...rolePermissions.owner].sort(), [...allPermissions].sort());
    assert.deepEqual(
      allPermissions.filter((p) => !rolePermissions.admin.has(p)),
      ['operators:owners'],
    );
    for (const role of roleNames) assert.ok(rolePermissions[role].has('self'), `${role} holds self`);
  });

  test('each role below admin is a subset of admin; viewers only read', () => {
    for (const role of ['operator', 'billing', 'viewer'] as const)
      for (const p of rolePermissions[role]) assert.ok(rolePermissions.admin.has(p), `${role}: ${p}`);
    for (const p of rolePermissions.viewer) assert.match(p, /^(self|[a-z]+:read)$/);
  });

  test("a backup's download stays with owners and admins; an import, like a creation, is global", () => {
    for (const role of roleNames)
      assert.equal(rolePermissions[role].has('backups:download'), role === 'owner' || role === 'admin', role);
    assert.ok(globalPermissions.has('tenants:import'));
    assert.ok(!globalPermissions.has('backups:restore'), 'a limited account restores its own tenants');
  });

  test('an account limited to tenants loses every global permission, whatever its role', () => {
    const limited = accountPermissions('admin', ['6f1a3c1e-2f55-4c43-9d0b-6f2c1b7a9e10']);
    for (const p of globalPermissions) assert.ok(!limited.has(p), p);
    assert.ok(limited.has('tenants:suspend'));
    assert.ok(accountPermissions('operator', null).has('tenants:create'));
    assert.ok(!accountPermissions('operator', []).has('tenants:create'));
  });
});

describe('the route guard', () => {
  async function appWith(config: Record<string, unknown>, url = '/api/v1/thing') {
    const app = Fastify();
    await app.register(routeGuard);
    app.get(url, { config }, async () => 'ok');
    return app;
  }

  test('an /api/v1 route without a permission stops the start, naming the route', async () => {
    await assert.rejects(
      appWith({}).then((a) => a.ready()),
      /GET \/api\/v1\/thing names no permission/,
    );
  });

  test('an unknown permission stops the start too', async () => {
    await assert.rejects(
      appWith({ permission: 'tenants:reed' }).then((a) => a.ready()),
      /unknown permission tenants:reed/,
    );
  });

  test('a route with a permission, a public one, and routes outside /api/v1 start', async () => {
    for (const app of [
      await appWith({ permission: 'tenants:read' }),
      await appWith({ public: true }),
      await appWith({}, '/healthz'),
    ]) {
      await app.ready();
      await app.close();
    }
  });
});

describe('CSV fields of the audit export', () => {
  test('quoted only when needed, quotes doubled, formulas made inert', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField(42), '42');
    assert.equal(csvField(null), '');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('=1+1'), "'=1+1");
    assert.equal(csvField('-2'), "'-2");
    assert.equal(csvField({ a: '"x"' }), '"{""a"":""\\""x\\""""}"');
  });
});
