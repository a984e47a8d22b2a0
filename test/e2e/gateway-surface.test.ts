import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Platform, startPlatform } from '../support/platform.ts';

describe('the gateway surface', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
  });
  after(async () => p?.close());

  test('the OpenAPI document describes every admin API route with its schemas and the bearer login', async () => {
    const res = await fetch(`${p.gateway.url}/docs/json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, unknown>; schemas?: Record<string, unknown> };
    };
    assert.equal(doc.openapi, '3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    for (const route of [
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/logout',
      'GET /api/v1/me',
      'POST /api/v1/tenants',
      'GET /api/v1/tenants',
      'GET /api/v1/tenants/{tenant}',
      'DELETE /api/v1/tenants/{tenant}',
      'POST /api/v1/tenants/{tenant}/suspend',
      'POST /api/v1/tenants/{tenant}/resume',
      'GET /api/v1/operations/{id}',
      'POST /api/v1/me/password',
      'POST /api/v1/operators',
      'GET /api/v1/operators',
      'GET /api/v1/operators/{id}',
      'PATCH /api/v1/operators/{id}',
      'DELETE /api/v1/operators/{id}',
      'POST /api/v1/tokens',
      'GET /api/v1/tokens',
      'DELETE /api/v1/tokens/{id}',
      'GET /api/v1/audit',
      'GET /api/v1/audit/export',
      'POST /api/v1/audit/verify',
      'POST /api/v1/tenants/{tenant}/backups',
      'GET /api/v1/tenants/{tenant}/backups',
      'GET /api/v1/backups/{backup}',
      'POST /api/v1/backups/{backup}/restore',
      'POST /api/v1/backups/{backup}/drill',
      'GET /api/v1/backups/{backup}/download',
      'POST /api/v1/tenants/import',
    ]) {
      assert.ok(routes.includes(route), `${route} is documented (documented: ${routes.join(', ')})`);
    }
    assert.ok(
      !routes.some((r) => r.includes('/metrics') || r.includes('/readyz')),
      'ops routes stay out of the API document',
    );
    assert.ok(doc.components.securitySchemes.bearer);
    assert.ok(doc.components.securitySchemes.csrf);
    assert.ok(doc.paths['/api/v1/tenants']?.post?.responses['202']);
    const ops = Object.entries(doc.paths).flatMap(([path, o]) =>
      Object.entries(o).map(([m, op]) => ({
        route: `${m.toUpperCase()} ${path}`,
        op: op as Record<string, unknown>,
      })),
    );
    for (const { route, op } of ops) {
      if (route === 'POST /api/v1/auth/login')
        assert.deepEqual(op.security, [], 'the login needs no credential');
      else assert.match(String(op['x-permission']), /^[a-z]+(:[a-z-]+)?$/, `${route} states its permission`);
    }
  });

  test('health, readiness and metrics answer, and metrics name the tenant and bus series', async () => {
    assert.equal((await fetch(`${p.gateway.url}/healthz`)).status, 200);
    assert.deepEqual(await (await fetch(`${p.gateway.url}/readyz`)).json(), { status: 'ready' });
    const created = await p.api.call('POST', '/api/v1/tenants', { slug: 'metered', displayName: 'Metered' });
    await p.api.waitOperation(created.body.operation.id);
    const metrics = await (await fetch(`http://127.0.0.1:${p.tenant.port}/metrics`)).text();
    assert.match(metrics, /ocp_tenants\{[^}]*state="active"[^}]*\} [1-9]/);
    assert.match(metrics, /ocp_bus_messages_handled_total\{[^}]*consumer="tenant-worker"[^}]*outcome="ack"/);
    assert.match(metrics, /ocp_outbox_pending\{[^}]*\} \d/);
  });

  test('logging in sets an httpOnly SameSite=Strict cookie that works in place of the bearer token, until logout', async () => {
    const res = await fetch(`${p.gateway.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'OWNER@example.com', password: p.ownerPassword }),
    });
    assert.equal(res.status, 200);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('ocp_session=')) ?? '';
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Strict/);
    const csrf = cookies.find((c) => c.startsWith('ocp_csrf=')) ?? '';
    assert.doesNotMatch(csrf, /HttpOnly/, 'the page can read the CSRF cookie');
    assert.match(csrf, /SameSite=Strict/);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const jar = `${session.split(';')[0]}; ${csrf.split(';')[0]}`;
    const me = await fetch(`${p.gateway.url}/api/v1/me`, { headers: { cookie: jar } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { operator: { role: string } }).operator.role, 'owner');
    const out = await fetch(`${p.gateway.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie: jar, 'x-csrf-token': csrfToken },
    });
    assert.equal(out.status, 204);
    assert.equal((await fetch(`${p.gateway.url}/api/v1/me`, { headers: { cookie: jar } })).status, 401);
  });
});
