import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminQuery, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { subscribeTenantEvents } from '../support/events.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { createTenant, runtimeRoleLogin } from '../support/tenants.ts';

/** Opens a connection to `database` as `role` with its password. */
async function connectAs(p: Platform, role: string, password: string, database: string): Promise<pg.Client> {
  const url = new URL(p.tenantEnv.TENANT_DB_ADMIN_URL!);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: url.toString() });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function databases(p: Platform): Promise<string[]> {
  const { rows } = await adminQuery<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1 AND NOT datistemplate ORDER BY 1',
    [`${p.prefix.replaceAll('_', '\\_')}%`],
  );
  return rows.map((r) => r.datname);
}

describe('tenant lifecycle through the admin API', () => {
  let p: Platform;
  let events: Awaited<ReturnType<typeof subscribeTenantEvents>>;
  /** The default runtime role, with a login as an Odoo pointed at the server would have. */
  let runtime: { role: string; password: string };
  before(async () => {
    p = await startPlatform();
    events = await subscribeTenantEvents(p.natsAs('observer'));
    runtime = await runtimeRoleLogin(p);
  });
  after(async () => {
    await events?.close();
    await p?.close();
  });

  test('a created tenant becomes active with its own database, owned by the default runtime role', async () => {
    const tenant = await createTenant(p, 'acme');
    assert.equal(tenant.state, 'active');
    assert.equal(tenant.databaseName, `${p.prefix}acme`);
    assert.equal(tenant.runtimeId, null);
    const { rows } = await adminQuery<{ owner: string; public_connect: boolean }>(
      `SELECT pg_get_userbyid(datdba) AS owner, has_database_privilege('public', datname, 'CONNECT') AS public_connect
       FROM pg_database WHERE datname = $1`,
      [tenant.databaseName],
    );
    assert.deepEqual(rows, [{ owner: runtime.role, public_connect: false }]);
    const c = await connectAs(p, runtime.role, runtime.password, tenant.databaseName);
    const users = await c.query('SELECT count(*)::int AS n FROM res_users WHERE share = false AND active');
    assert.equal(users.rows[0].n, 1);
    const owner = await c.query(
      "SELECT count(*)::int AS n, min(tableowner) AS owner FROM pg_tables WHERE schemaname = 'public'",
    );
    assert.ok(owner.rows[0].n > 5);
    assert.equal(owner.rows[0].owner, runtime.role, 'every table belongs to the runtime role');
    const admin = await c.query('SELECT login, password FROM res_users WHERE id = 2');
    assert.equal(admin.rows[0].login, 'admin');
    assert.match(admin.rows[0].password, /^\$pbkdf2-sha512\$600000\$/);
    await c.end();
  });

  test("a tenant's database opens for its runtime role and for no other role", async () => {
    const a = await createTenant(p, 'alpha');
    const b = await createTenant(p, 'bravo');
    // Another runtime's role (a login role that owns nothing here) is refused by both.
    const other = `${p.prefix}other_runtime`;
    await adminQuery(`CREATE ROLE "${other}" LOGIN PASSWORD 'other-password'`);
    for (const t of [a, b]) {
      await assert.rejects(
        connectAs(p, other, 'other-password', t.databaseName),
        /permission denied for database/,
      );
      const own = await connectAs(p, runtime.role, runtime.password, t.databaseName);
      await own.end();
    }
  });

  test('a suspended tenant refuses new connections and ends open ones; a resumed one accepts them', async () => {
    const t = await createTenant(p, 'sleepy');
    const open = await connectAs(p, runtime.role, runtime.password, t.databaseName);
    const ended = new Promise((resolve) => open.once('error', resolve));
    const s = await p.api.call('POST', `/api/v1/tenants/${t.slug}/suspend`, { reason: 'manual' });
    assert.equal(s.status, 202, JSON.stringify(s.body));
    assert.equal((await p.api.waitOperation(s.body.operation.id)).state, 'succeeded');
    await ended;
    await assert.rejects(
      connectAs(p, runtime.role, runtime.password, t.databaseName),
      /not currently accepting connections/,
    );
    const got = await p.api.call('GET', `/api/v1/tenants/${t.id}`);
    assert.equal(got.body.state, 'suspended');
    assert.deepEqual(got.body.suspensionReasons, ['manual']);

    const r = await p.api.call('POST', `/api/v1/tenants/${t.id}/resume`, { reason: 'manual' });
    assert.equal(r.status, 202);
    assert.equal((await p.api.waitOperation(r.body.operation.id)).state, 'succeeded');
    const again = await connectAs(p, runtime.role, runtime.password, t.databaseName);
    await again.end();
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${t.id}`)).body.state, 'active');
  });

  test('resuming for one reason never clears another', async () => {
    const t = await createTenant(p, 'twice');
    for (const reason of ['billing', 'manual']) {
      const s = await p.api.call('POST', `/api/v1/tenants/${t.id}/suspend`, { reason });
      assert.equal((await p.api.waitOperation(s.body.operation.id)).state, 'succeeded');
    }
    const dup = await p.api.call('POST', `/api/v1/tenants/${t.id}/suspend`, { reason: 'billing' });
    assert.equal(dup.status, 409);
    const r1 = await p.api.call('POST', `/api/v1/tenants/${t.id}/resume`, { reason: 'manual' });
    await p.api.waitOperation(r1.body.operation.id);
    const mid = (await p.api.call('GET', `/api/v1/tenants/${t.id}`)).body;
    assert.equal(mid.state, 'suspended');
    assert.deepEqual(mid.suspensionReasons, ['billing']);
    const wrong = await p.api.call('POST', `/api/v1/tenants/${t.id}/resume`, { reason: 'quota' });
    assert.equal(wrong.status, 409);
    assert.match(wrong.body.detail, /not suspended for reason quota/);
    const r2 = await p.api.call('POST', `/api/v1/tenants/${t.id}/resume`, { reason: 'billing' });
    await p.api.waitOperation(r2.body.operation.id);
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${t.id}`)).body.state, 'active');
  });

  test('a deleted tenant leaves no database and no role', async () => {
    const t = await createTenant(p, 'doomed');
    const d = await p.api.call('DELETE', `/api/v1/tenants/${t.id}`);
    assert.equal(d.status, 202);
    assert.equal((await p.api.waitOperation(d.body.operation.id)).state, 'succeeded');
    const db = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [t.databaseName]);
    const role = await adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [t.databaseName]);
    assert.equal(db.rowCount, 0);
    assert.equal(role.rowCount, 0);
    const got = await p.api.call('GET', `/api/v1/tenants/${t.id}`);
    assert.equal(got.body.state, 'deleted');
    assert.ok(got.body.deletedAt);
    const list = await p.api.call('GET', '/api/v1/tenants?limit=200');
    assert.ok(
      !list.body.items.some((i: { id: string }) => i.id === t.id),
      'deleted tenants are left out of the list by default',
    );
  });

  test("an independent JetStream subscriber sees every transition of a tenant's life, in order, once", async () => {
    const t = await createTenant(p, 'observed');
    const s = await p.api.call('POST', `/api/v1/tenants/${t.id}/suspend`, {});
    await p.api.waitOperation(s.body.operation.id);
    const r = await p.api.call('POST', `/api/v1/tenants/${t.id}/resume`, {});
    await p.api.waitOperation(r.body.operation.id);
    const d = await p.api.call('DELETE', `/api/v1/tenants/${t.id}`);
    await p.api.waitOperation(d.body.operation.id);
    const expected = [
      'ocp.tenant.created.v1',
      'ocp.tenant.provisioning.v1',
      'ocp.tenant.activated.v1',
      'ocp.tenant.suspended.v1',
      'ocp.tenant.resumed.v1',
      'ocp.tenant.deleting.v1',
      'ocp.tenant.deleted.v1',
    ];
    const types = await waitFor('all lifecycle events', async () => {
      const seen = events.typesFor(t.id);
      return seen.length >= expected.length ? seen : undefined;
    });
    assert.deepEqual(types, expected);
    const mine = events.seen.filter((e) => e.event.subject === t.id);
    for (const e of mine) {
      assert.equal(e.msgId, e.event.id, 'the Nats-Msg-Id is the event id');
      assert.equal(e.event.specversion, '1.0');
      assert.equal(e.event.source, 'ocp/tenant');
    }
    assert.equal(new Set(mine.map((e) => e.event.id)).size, mine.length);
    const last = mine.at(-1)?.event.data as { tenant?: { state: string } } | undefined;
    assert.equal(last?.tenant?.state, 'deleted');
  });
  test('a provisioning that fails leaves the tenant failed with the reason, and a retry provisions it', async () => {
    // The template goes away for a while (renamed aside), then comes back as it was.
    const template = pg.escapeIdentifier(p.tenantEnv.TENANT_TEMPLATE_DB!);
    const aside = pg.escapeIdentifier(`${p.tenantEnv.TENANT_TEMPLATE_DB!}_aside`);
    await adminQuery(`ALTER DATABASE ${template} RENAME TO ${aside}`);
    const res = await p.api.call('POST', '/api/v1/tenants', { slug: 'unlucky', displayName: 'Unlucky' });
    const op = await p.api.waitOperation(res.body.operation.id);
    assert.equal(op.state, 'failed');
    assert.match(op.error, /does not exist/);
    const failed = (await p.api.call('GET', '/api/v1/tenants/unlucky')).body;
    assert.equal(failed.state, 'failed');
    assert.match(failed.lastError, /does not exist/);
    const early = await p.api.call('POST', `/api/v1/tenants/${failed.id}/suspend`, {});
    assert.equal(early.status, 409);

    await adminQuery(`ALTER DATABASE ${aside} RENAME TO ${template}`);
    const retry = await p.api.call('POST', '/api/v1/tenants/unlucky/retry');
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    assert.equal((await p.api.waitOperation(retry.body.operation.id)).state, 'succeeded');
    const healed = (await p.api.call('GET', '/api/v1/tenants/unlucky')).body;
    assert.equal(healed.state, 'active');
    assert.equal(healed.lastError, null);
    const again = await p.api.call('POST', '/api/v1/tenants/unlucky/retry');
    assert.equal(again.status, 409);
    await waitFor('the failure and the recovery events', async () => {
      const types = events.typesFor(failed.id);
      return types.includes('ocp.tenant.activated.v1') ? types : undefined;
    }).then((types) =>
      assert.deepEqual(types, [
        'ocp.tenant.created.v1',
        'ocp.tenant.provisioning.v1',
        'ocp.tenant.provisioning_failed.v1',
        'ocp.tenant.provisioning.v1',
        'ocp.tenant.activated.v1',
      ]),
    );
  });
});

describe('bad input to the tenants API', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
  });
  after(async () => p?.close());

  test('a slug that is not a valid name is refused with 400 saying what a valid slug is, and no database is made', async () => {
    const before = await databases(p);
    for (const slug of ['a"; drop database x; --', '', 'x'.repeat(200), 'UPPER', '9lives', 'trailing-']) {
      const res = await p.api.call('POST', '/api/v1/tenants', { slug, displayName: 'X' });
      assert.equal(res.status, 400, `slug ${JSON.stringify(slug)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(res.body.field, 'body/slug');
      assert.match(res.body.detail, /lowercase letters, digits and hyphens, starting with a letter/);
    }
    assert.deepEqual(await databases(p), before);
  });

  test('unknown fields, NUL bytes, non-finite numbers and a missing login are refused with clear errors', async () => {
    const unknown = await p.api.call('POST', '/api/v1/tenants', {
      slug: 'fine',
      displayName: 'X',
      plna: 'pro',
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.detail, /body\/plna is not a known field/);
    const nul = await p.api.call('POST', '/api/v1/tenants', { slug: 'fine', displayName: 'a\u0000b' });
    assert.equal(nul.status, 400);
    assert.match(nul.body.detail, /NUL/);
    const huge = await p.api.call('GET', '/api/v1/tenants?limit=1e309');
    assert.equal(huge.status, 400);
    assert.match(huge.body.detail, /limit/);
    const anon = await fetch(`${p.gateway.url}/api/v1/tenants`);
    assert.equal(anon.status, 401);
    const badLogin = await p.api.call('POST', '/api/v1/auth/login', {
      email: 'owner@example.com',
      password: 'wrong',
    });
    assert.equal(badLogin.status, 401);
    const notJson = await p.api.call('POST', '/api/v1/tenants', '{"slug":', {});
    assert.equal(notJson.status, 400);
    const missing = await p.api.call('GET', '/api/v1/tenants/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    const noOp = await p.api.call('GET', '/api/v1/operations/00000000-0000-4000-8000-000000000000');
    assert.equal(noOp.status, 404);
  });

  test('a slug that exists answers 409; the same Idempotency-Key and body create one tenant', async () => {
    const headers = { 'idempotency-key': 'create-dup-1' };
    const body = { slug: 'dup', displayName: 'Dup' };
    const [a, b] = await Promise.all([
      p.api.call('POST', '/api/v1/tenants', body, headers),
      p.api.call('POST', '/api/v1/tenants', body, headers),
    ]);
    assert.equal(a.status, 202, JSON.stringify(a.body));
    assert.equal(b.status, 202, JSON.stringify(b.body));
    assert.equal(a.body.tenant.id, b.body.tenant.id);
    assert.equal(a.body.operation.id, b.body.operation.id);
    const again = await p.api.call('POST', '/api/v1/tenants', body, headers);
    assert.equal(again.body.tenant.id, a.body.tenant.id);
    const otherBody = await p.api.call('POST', '/api/v1/tenants', { ...body, displayName: 'Other' }, headers);
    assert.equal(otherBody.status, 422);
    const noKey = await p.api.call('POST', '/api/v1/tenants', body);
    assert.equal(noKey.status, 409);
    assert.match(noKey.body.detail, /already exists/);
    await p.api.waitOperation(a.body.operation.id);
    const list = await p.api.call('GET', '/api/v1/tenants?slugPrefix=dup');
    assert.equal(list.body.items.length, 1);
  });

  test('the list pages with a cursor through every tenant once, newest first, and filters', async () => {
    const slugs = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
    for (const slug of slugs) {
      const r = await p.api.call('POST', '/api/v1/tenants', {
        slug,
        displayName: slug,
        plan: slug === 'page-c' ? 'pro' : 'starter',
      });
      assert.equal(r.status, 202);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/tenants?limit=2&slugPrefix=page-${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await p.api.call('GET', q);
      assert.equal(res.status, 200);
      assert.ok(res.body.items.length <= 2);
      seen.push(...res.body.items.map((i: { slug: string }) => i.slug));
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...slugs].reverse());
    const pro = await p.api.call('GET', '/api/v1/tenants?plan=pro&slugPrefix=page-');
    assert.deepEqual(
      pro.body.items.map((i: { slug: string }) => i.slug),
      ['page-c'],
    );
    const badCursor = await p.api.call('GET', '/api/v1/tenants?cursor=bm9wZQ');
    assert.equal(badCursor.status, 400);
  });
});
