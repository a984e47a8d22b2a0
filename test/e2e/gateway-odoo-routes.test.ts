import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { quoteIdent } from '@ocp/db';
import { createOdooClient } from '@ocp/odoo';
import { adminQuery, adminUrl, freePort, waitFor } from '@ocp/testkit';
import { createRuntimeRole, type OdooDouble, startOdooDouble } from '../support/odoo-double/index.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { type AuditSubscriber, invite, login, type Session, subscribeAudit } from '../support/rbac.ts';
import { createTenant } from '../support/tenants.ts';

/** The runtime's own role: not the platform's default runtime role (`<prefix>odoo`). */
const runtimeRole = (p: Platform) => `${p.prefix}runtime`;

/** A registration that the schema takes, for the cases that change one field of it. */
const runtimeBody = (over: Record<string, unknown> = {}) => ({
  name: 'odoo-18',
  odooVersion: '18.0',
  rpcUrl: 'http://odoo.internal:8069',
  masterPassword: 'a master password',
  dbRole: 'odoo',
  filestorePath: '/var/lib/odoo/filestore',
  ...over,
});

describe("the admin API of Odoo runtimes, a tenant's modules, copies and renames", () => {
  let p: Platform;
  let audit: AuditSubscriber;
  let owner: Session;
  let viewer: Session;
  let operator: Session;
  let odoo: OdooDouble | undefined;
  let dataDir: string | undefined;

  before(async () => {
    p = await startPlatform();
    audit = await subscribeAudit(p.natsAs('admin'));
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    viewer = await invite(owner, 'viewer@example.com', 'viewer');
    operator = await invite(owner, 'operator@example.com', 'operator');
  });
  after(async () => {
    await audit?.close();
    await odoo?.close();
    // The runtime's template is named after the runtime, not the test's prefix: dropped here, so
    // that the platform's cleanup (databases of the prefix, then roles) can drop the runtime's role.
    if (p) {
      const owned = await adminQuery<{ datname: string }>(
        `SELECT datname FROM pg_database
          WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1) AND left(datname, length($2)) <> $2`,
        [runtimeRole(p), p.prefix],
      );
      for (const { datname } of owned.rows) {
        const db = quoteIdent(datname);
        await adminQuery(`ALTER DATABASE ${db} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true`);
        await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }
    }
    await p?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test("a tenant's administrator login and company name are checked: 400 saying what is wrong", async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ adminLogin: 'john smith' }, 'body/adminLogin', /an email address, or a user name/i],
      [{ adminLogin: 'admin\u0007' }, 'body/adminLogin', /an email address, or a user name/i],
      [{ adminLogin: 'a@b@example.com' }, 'body/adminLogin', /an email address, or a user name/i],
      [{ adminLogin: '.hidden' }, 'body/adminLogin', /starting with a letter or digit/],
      [{ companyName: 'Acme\u0007 Ltd' }, 'body/companyName', /no control characters/],
      [{ companyName: '' }, 'body/companyName', /fewer than 1 characters/],
      [{ adminPassword: 'short' }, 'body/adminPassword', /fewer than 8 characters/],
      [{ odooVersion: '15.0' }, 'body/odooVersion', /must be one of: 16\.0, 17\.0, 18\.0/],
      [{ runtimeId: 'odoo-18' }, 'body/runtimeId', /format "uuid"/],
    ];
    for (const [fields, field, detail] of cases) {
      const res = await owner.call('POST', '/api/v1/tenants', {
        slug: 'checked',
        displayName: 'C',
        ...fields,
      });
      const what = JSON.stringify(fields);
      assert.equal(res.status, 400, `${what}: ${res.text}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.equal(res.body.field, field, what);
      assert.match(res.body.detail, detail, what);
      if (fields.adminPassword)
        assert.ok(!res.text.includes(String(fields.adminPassword)), 'no password echoed');
    }
    // An email address and a plain user name are both taken: only the short slug is refused.
    for (const adminLogin of ['jane.doe@example.com', 'jane_doe-2']) {
      const res = await owner.call('POST', '/api/v1/tenants', { slug: 'x', displayName: 'C', adminLogin });
      assert.equal(res.status, 400);
      assert.match(res.body.detail, /^body\/slug /);
      assert.ok(!res.body.detail.includes('adminLogin'), `${adminLogin} passes: ${res.body.detail}`);
    }
    const gone = await owner.call('GET', '/api/v1/tenants/checked');
    assert.equal(gone.status, 404, 'no refused request made a tenant');
  });

  test('a module name is checked by its schema in the path: uppercase or a path is a 400', async () => {
    for (const name of ['CRM', '..%2Fetc', 'sale-management', '_private', 'a'.repeat(65)]) {
      for (const action of ['install', 'upgrade', 'uninstall']) {
        const res = await owner.call('POST', `/api/v1/tenants/no-such-tenant/modules/${name}/${action}`);
        assert.equal(res.status, 400, `${name} ${action}: ${res.text}`);
        assert.equal(res.body.field, 'params/module');
        assert.match(res.body.detail, /lowercase letters, digits and underscores/);
      }
    }
    const list = await owner.call('GET', '/api/v1/tenants/no-such-tenant/modules?limit=501');
    assert.equal(list.status, 400);
    assert.equal(list.body.field, 'querystring/limit');
    const state = await owner.call('GET', '/api/v1/tenants/no-such-tenant/modules?state=broken');
    assert.equal(state.status, 400);
    assert.match(state.body.detail, /must be one of: uninstalled, installed/);
  });

  test('a runtime without a master password, or with an rpcUrl that is not http(s), is a 400 naming the field', async () => {
    const { masterPassword: _left, ...withoutPassword } = runtimeBody();
    const missing = await owner.call('POST', '/api/v1/runtimes', withoutPassword);
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.body.field, 'body/masterPassword');
    assert.match(missing.body.detail, /body\/masterPassword is required/);

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ rpcUrl: 'ftp://odoo.internal' }, 'body/rpcUrl'],
      [{ rpcUrl: 'odoo.internal:8069' }, 'body/rpcUrl'],
      [{ rpcUrl: 'http://odoo internal' }, 'body/rpcUrl'],
      [{ name: 'Odoo 18' }, 'body/name'],
      [{ odooVersion: '19.0' }, 'body/odooVersion'],
      [{ dbRole: 'odoo; DROP ROLE x' }, 'body/dbRole'],
      [{ filestorePath: 'relative/filestore' }, 'body/filestorePath'],
      [{ maxTenants: 0 }, 'body/maxTenants'],
      [{ masterPassword: '' }, 'body/masterPassword'],
      [{ databaseServerId: 'main' }, 'body/databaseServerId'],
    ];
    for (const [fields, field] of cases) {
      const res = await owner.call('POST', '/api/v1/runtimes', runtimeBody(fields));
      assert.equal(res.status, 400, `${JSON.stringify(fields)}: ${res.text}`);
      assert.equal(res.body.field, field);
      assert.ok(!res.text.includes('a master password'), 'the master password is never echoed');
    }
    const http = await owner.call('POST', '/api/v1/runtimes', runtimeBody({ rpcUrl: 'ftp://odoo' }));
    assert.match(http.body.detail, /http:\/\/ or https:\/\//, 'the detail says what an rpcUrl looks like');
  });

  test('a viewer can neither register a runtime nor install a module, an operator cannot register one: 403 naming the permission', async () => {
    // Refused before any tenant is looked up: the permission is the route's.
    const tenant = { id: crypto.randomUUID() };
    const refusals: Array<[Session, string, string, unknown, string]> = [
      [viewer, 'POST', '/api/v1/runtimes', runtimeBody(), 'runtimes:write'],
      [operator, 'POST', '/api/v1/runtimes', runtimeBody(), 'runtimes:write'],
      [viewer, 'POST', `/api/v1/tenants/${tenant.id}/modules/crm/install`, undefined, 'modules:write'],
      [viewer, 'POST', `/api/v1/tenants/${tenant.id}/modules/crm/uninstall`, undefined, 'modules:write'],
      [viewer, 'POST', `/api/v1/tenants/${tenant.id}/duplicate`, { slug: 'perm-copy' }, 'tenants:duplicate'],
      [viewer, 'POST', `/api/v1/tenants/${tenant.id}/rename`, { slug: 'perm-new' }, 'tenants:rename'],
      [operator, 'POST', '/api/v1/runtimes/odoo-18/disable', undefined, 'runtimes:write'],
      [operator, 'POST', '/api/v1/runtimes/odoo-18/template', undefined, 'runtimes:write'],
    ];
    for (const [who, method, path, body, permission] of refusals) {
      const res = await who.call(method, path, body);
      assert.equal(res.status, 403, `${who.email} ${method} ${path}: ${res.text}`);
      assert.equal(res.body.permission, permission);
      assert.match(res.body.detail, new RegExp(`permission ${permission}, which the role (viewer|operator)`));
    }
    const me = await operator.call('GET', '/api/v1/me');
    for (const perm of ['runtimes:read', 'tenants:duplicate', 'tenants:rename', 'modules:write'])
      assert.ok(me.body.permissions.includes(perm), `an operator holds ${perm}`);
    assert.ok(!me.body.permissions.includes('runtimes:write'));
  });

  test('an operator and a viewer list runtimes; an unknown runtime is a 404 RUNTIME_NOT_FOUND', async () => {
    for (const who of [operator, viewer]) {
      const list = await who.call('GET', '/api/v1/runtimes?limit=10&includeDisabled=true');
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.items, []);
      assert.equal(list.body.nextCursor, null);
    }
    for (const [method, path] of [
      ['GET', '/api/v1/runtimes/no-such-runtime'],
      ['GET', `/api/v1/runtimes/${crypto.randomUUID()}`],
      ['POST', '/api/v1/runtimes/no-such-runtime/disable'],
      ['POST', '/api/v1/runtimes/no-such-runtime/template'],
    ] as const) {
      const res = await owner.call(method, path);
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.code, 'RUNTIME_NOT_FOUND');
    }
  });

  test('a tenant no runtime serves answers 409 NO_RUNTIME to a module listing and a module change', async () => {
    const tenant = await createTenant(p, 'no-runtime');
    assert.equal(tenant.runtimeId, null);
    const list = await operator.call('GET', `/api/v1/tenants/${tenant.slug}/modules`);
    assert.equal(list.status, 409, list.text);
    assert.equal(list.body.code, 'NO_RUNTIME');
    for (const action of ['install', 'upgrade', 'uninstall']) {
      const res = await operator.call('POST', `/api/v1/tenants/${tenant.id}/modules/crm/${action}`);
      assert.equal(res.status, 409, `${action}: ${res.text}`);
      assert.equal(res.body.code, 'NO_RUNTIME');
      assert.match(res.body.detail, /runtime/i);
    }
  });

  test('an Idempotency-Key covers the Odoo fields of a creation: the same body answers the same tenant, another password is a reuse', async () => {
    const body = {
      slug: 'idem-odoo',
      displayName: 'Idem',
      adminLogin: 'boss@example.com',
      adminPassword: 'the first password of idem',
      companyName: 'Idem SA',
    };
    const key = { 'idempotency-key': 'idem-odoo-1' };
    const first = await owner.call('POST', '/api/v1/tenants', body, key);
    assert.equal(first.status, 202, first.text);
    assert.equal(first.body.tenant.adminLogin, 'boss@example.com');
    assert.equal(first.body.tenant.companyName, 'Idem SA');
    assert.equal(first.body.adminPassword, undefined, 'a given password is not answered back');
    const again = await owner.call('POST', '/api/v1/tenants', body, key);
    assert.equal(again.status, 202, again.text);
    assert.equal(again.body.tenant.id, first.body.tenant.id);
    for (const change of [
      { adminPassword: 'another password of idem' },
      { adminLogin: 'other@example.com' },
      { companyName: 'Idem GmbH' },
      { odooVersion: '17.0' },
    ]) {
      const reuse = await owner.call('POST', '/api/v1/tenants', { ...body, ...change }, key);
      assert.equal(reuse.status, 422, `${JSON.stringify(change)}: ${reuse.text}`);
      assert.equal(reuse.body.code, 'IDEMPOTENCY_KEY_REUSED');
    }
  });

  test("neither a runtime's master password nor a tenant's administrator password reaches an audit entry", async () => {
    const secrets: string[] = [];
    const requests: string[] = [];
    // A runtime that does not answer: refused at registration, and the entry of the refusal is clean.
    const masterPassword = 'master password of a runtime that is down';
    secrets.push(masterPassword);
    const closed = await freePort();
    const refused = await owner.call(
      'POST',
      '/api/v1/runtimes',
      runtimeBody({ name: 'down', rpcUrl: `http://127.0.0.1:${closed}`, masterPassword }),
    );
    assert.ok(refused.status >= 400, refused.text);
    assert.ok(!refused.text.includes(masterPassword), 'the answer does not echo the master password');
    requests.push(refused.requestId);

    // A tenant with a password of its operator's choice, and one with a generated password.
    const chosen = 'the administrator password the operator chose';
    secrets.push(chosen);
    const given = await owner.call('POST', '/api/v1/tenants', {
      slug: 'secret-given',
      displayName: 'Given',
      adminLogin: 'boss@example.com',
      adminPassword: chosen,
    });
    assert.equal(given.status, 202, given.text);
    assert.ok(!given.text.includes(chosen), 'a given password is not answered back');
    requests.push(given.requestId);
    const generated = await owner.call('POST', '/api/v1/tenants', {
      slug: 'secret-made',
      displayName: 'Made',
    });
    assert.equal(generated.status, 202, generated.text);
    assert.match(generated.body.adminPassword, /^\S{12,}$/, 'a generated password is answered once');
    secrets.push(generated.body.adminPassword);
    requests.push(generated.requestId);
    for (const res of [given, generated]) await p.api.waitOperation(res.body.operation.id);

    const again = await owner.call('GET', `/api/v1/tenants/${generated.body.tenant.id}`);
    assert.equal(again.status, 200);
    assert.equal(again.body.adminPassword, undefined, 'the password is never shown again');
    const entries = await audit.waitFor(requests);
    assert.equal((entries[1]!.data.after as { adminLogin: string }).adminLogin, 'boss@example.com');
    for (const e of audit.seen)
      for (const s of secrets)
        assert.ok(
          !e.raw.includes(s),
          `the audit entry of ${e.data.action} (${e.data.status}) holds no secret`,
        );
  });

  test("a registered runtime's master password is in no answer and no audit entry, nor is the administrator password of a tenant on it", async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ocp-odoo-routes-'));
    await mkdir(join(dataDir, 'filestore'));
    const masterPassword = 'the master password of a registered runtime';
    const { role, url } = await createRuntimeRole(runtimeRole(p), adminUrl());
    odoo = await startOdooDouble({ databaseUrl: url, masterPassword, dataDir });
    const registered = await owner.call('POST', '/api/v1/runtimes', {
      name: 'registered',
      odooVersion: '18.0',
      rpcUrl: odoo.url,
      masterPassword,
      dbRole: role,
      filestorePath: join(dataDir, 'filestore'),
    });
    assert.equal(registered.status, 201, registered.text);
    assert.equal(registered.headers.get('location'), `/api/v1/runtimes/${registered.body.runtime.id}`);
    assert.equal(registered.body.runtime.name, 'registered');
    const ready = await waitFor(
      'the runtime to be ready',
      async () => {
        const res = await operator.call('GET', '/api/v1/runtimes/registered');
        assert.notEqual(res.body.runtime.state, 'failed', res.text);
        return res.body.runtime.state === 'ready' ? res : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const wrong = await owner.call('POST', '/api/v1/runtimes', {
      name: 'refused',
      odooVersion: '18.0',
      rpcUrl: odoo.url,
      masterPassword: 'not the master password',
      dbRole: role,
      filestorePath: join(dataDir, 'filestore'),
    });
    assert.equal(wrong.status, 422, wrong.text);
    assert.equal(wrong.body.code, 'RUNTIME_REFUSED');
    assert.equal(wrong.body.field, 'body/masterPassword');

    const chosen = 'the password of the administrator on a runtime';
    const created = await owner.call('POST', '/api/v1/tenants', {
      slug: 'on-runtime',
      displayName: 'On a runtime',
      adminLogin: 'boss@example.com',
      adminPassword: chosen,
      runtimeId: registered.body.runtime.id,
    });
    assert.equal(created.status, 202, created.text);
    assert.equal(created.body.tenant.runtimeId, registered.body.runtime.id);
    const op = await p.api.waitOperation(created.body.operation.id, 60_000);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    // The administrator logs in to the new tenant's Odoo at once, with that password and no other;
    // so does the administrator of a tenant whose password the platform generated.
    const generated = await owner.call('POST', '/api/v1/tenants', {
      slug: 'on-runtime-made',
      displayName: 'Made on a runtime',
      adminLogin: 'made@example.com',
    });
    assert.equal(generated.status, 202, generated.text);
    const madeOp = await p.api.waitOperation(generated.body.operation.id, 60_000);
    assert.equal(madeOp.state, 'succeeded', JSON.stringify(madeOp));
    const odooClient = createOdooClient({ url: odoo.url, timeoutMs: 10_000 });
    const db = created.body.tenant.databaseName;
    const madeDb = generated.body.tenant.databaseName;
    assert.equal(await odooClient.authenticate(db, 'boss@example.com', chosen), 2);
    assert.equal(await odooClient.authenticate(db, 'boss@example.com', `${chosen}!`), false);
    assert.equal(await odooClient.authenticate(madeDb, 'made@example.com', generated.body.adminPassword), 2);
    assert.equal(await odooClient.authenticate(madeDb, 'made@example.com', chosen), false);
    const list = await owner.call('GET', '/api/v1/runtimes?includeDisabled=true');
    const disabled = await owner.call('POST', '/api/v1/runtimes/registered/disable');
    assert.equal(disabled.status, 200, disabled.text);
    assert.equal(disabled.body.runtime.state, 'disabled');
    const answers = [registered, ready, wrong, list, disabled, created];
    for (const res of answers)
      assert.ok(!res.text.includes(masterPassword), 'no answer holds the master password');
    const entries = await audit.waitFor([
      registered.requestId,
      wrong.requestId,
      created.requestId,
      disabled.requestId,
    ]);
    assert.equal((entries[0]!.data.after as { name: string }).name, 'registered');
    assert.equal(entries[0]!.data.target, `runtime:${registered.body.runtime.id}`);
    assert.equal((entries[3]!.data.before as { state: string }).state, 'ready');
    for (const e of audit.seen)
      for (const secret of [masterPassword, chosen, 'not the master password', generated.body.adminPassword])
        assert.ok(
          !e.raw.includes(secret),
          `the audit entry of ${e.data.action} (${e.data.status}) holds no secret`,
        );
  });

  test('a tenant on a runtime lists its modules and installs one through the API; a copy and a rename answer 202 with their operation', async () => {
    const list = await viewer.call('GET', '/api/v1/tenants/on-runtime/modules?limit=500');
    assert.equal(list.status, 200, list.text);
    const state = (name: string, items: Array<{ name: string; state: string }>) =>
      items.find((m) => m.name === name)?.state;
    assert.equal(state('base', list.body.items), 'installed');
    assert.equal(state('crm', list.body.items), 'uninstalled');
    const page = await viewer.call('GET', '/api/v1/tenants/on-runtime/modules?limit=2&state=installed');
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.items.length, 2);
    assert.ok(page.body.items.every((m: { state: string }) => m.state === 'installed'));
    assert.equal(typeof page.body.nextCursor, 'string', 'a fresh database has more than two installed');
    const next = await viewer.call(
      'GET',
      `/api/v1/tenants/on-runtime/modules?limit=2&state=installed&cursor=${encodeURIComponent(page.body.nextCursor)}`,
    );
    assert.equal(next.status, 200, next.text);
    assert.ok(next.body.items[0].name > page.body.items[1].name, 'the next page goes on by name');

    const install = await operator.call('POST', '/api/v1/tenants/on-runtime/modules/crm/install');
    assert.equal(install.status, 202, install.text);
    assert.equal(install.headers.get('location'), `/api/v1/operations/${install.body.operation.id}`);
    assert.equal(install.body.operation.kind, 'tenant.module_install');
    const done = await p.api.waitOperation(install.body.operation.id, 60_000);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const after = await viewer.call('GET', '/api/v1/tenants/on-runtime/modules?search=crm');
    assert.equal(state('crm', after.body.items), 'installed');

    const copy = await operator.call('POST', '/api/v1/tenants/on-runtime/duplicate', {
      slug: 'on-runtime-copy',
    });
    assert.equal(copy.status, 202, copy.text);
    assert.equal(copy.body.tenant.slug, 'on-runtime-copy');
    assert.equal(copy.body.operation.kind, 'tenant.duplicate');
    assert.equal(copy.headers.get('location'), `/api/v1/operations/${copy.body.operation.id}`);
    assert.equal((await p.api.waitOperation(copy.body.operation.id, 60_000)).state, 'succeeded');
    const renamed = await operator.call('POST', '/api/v1/tenants/on-runtime-copy/rename', {
      slug: 'on-runtime-test',
    });
    assert.equal(renamed.status, 202, renamed.text);
    assert.equal(renamed.body.operation.kind, 'tenant.rename');
    assert.equal((await p.api.waitOperation(renamed.body.operation.id, 60_000)).state, 'succeeded');
    const now = await viewer.call('GET', '/api/v1/tenants/on-runtime-test');
    assert.equal(now.status, 200, now.text);
    assert.equal(now.body.sourceTenantId, install.body.tenant.id);
    const entries = await audit.waitFor([install.requestId, copy.requestId, renamed.requestId]);
    assert.deepEqual(
      entries.map((e) => [e.data.action, e.data.outcome]),
      [
        ['tenant.module.install', 'success'],
        ['tenant.duplicate', 'success'],
        ['tenant.rename', 'success'],
      ],
    );
    assert.equal(entries[1]!.data.target, `tenant:${copy.body.tenant.id}`);
    assert.equal((entries[2]!.data.before as { slug: string }).slug, 'on-runtime-copy');
  });
});
