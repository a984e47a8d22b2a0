import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Platform, startPlatform } from '../support/platform.ts';
import { type Answer, call, callFrom, cookieCall, invite, login, type Session } from '../support/rbac.ts';

/** The problem without its request id: two refusals that must read the same. */
const sameness = (a: Answer) => {
  const { requestId: _r, ...rest } = a.body as Record<string, unknown>;
  return { status: a.status, ...rest };
};

describe('operators, sessions and their protections', () => {
  let p: Platform;
  let owner: Session;
  /** A login attempt; failures count per source address too, so tests that fail a lot use their own. */
  const attempt = (email: string, password: string, from = '127.0.0.1') =>
    callFrom(from, `${p.gateway.url}/api/v1/auth/login`, 'POST', { email, password });

  before(async () => {
    p = await startPlatform();
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
  });
  after(async () => p?.close());

  test('a wrong password and an unknown account get the same answer, and both count toward a lockout', async () => {
    await invite(owner, 'known@example.com', 'viewer');
    const wrong = await attempt('known@example.com', 'not the password', '127.0.0.4');
    const unknown = await attempt('unknown@example.com', 'not the password', '127.0.0.4');
    assert.equal(wrong.status, 401);
    assert.deepEqual(sameness(wrong), sameness(unknown));
    assert.deepEqual(
      [...wrong.headers.keys()].filter((h) => h !== 'x-request-id' && h !== 'date').sort(),
      [...unknown.headers.keys()].filter((h) => h !== 'x-request-id' && h !== 'date').sort(),
    );
    // An unknown account locks like a known one, so the lockout does not tell which exist.
    for (let i = 0; i < 4; i++) await attempt('unknown@example.com', 'not the password', '127.0.0.4');
    const locked = await attempt('unknown@example.com', 'not the password', '127.0.0.4');
    assert.equal(locked.status, 429);
  });

  test('five failures of an account from one address lock it there: a correct password is refused with 429 and Retry-After until the lock ends', async () => {
    const s = await invite(owner, 'locky@example.com', 'operator');
    for (let i = 0; i < 5; i++) assert.equal((await attempt(s.email, `wrong ${i}`, '127.0.0.5')).status, 401);
    const refused = await attempt(s.email, s.password, '127.0.0.5');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After is the time left: ${retryAfter}`);
    assert.match(refused.body.detail, /try again in \d+ s/);
    // Another account from the same address still logs in: the lock is the account's.
    assert.equal((await attempt('owner@example.com', p.ownerPassword, '127.0.0.5')).status, 200);
    // Only at that address: whoever knows an email cannot lock its owner out everywhere.
    assert.equal((await attempt(s.email, s.password, '127.0.0.6')).status, 200, 'another address logs in');
    // The session made before the lock still works: the lock is about logging in.
    assert.equal((await s.call('GET', '/api/v1/me')).status, 200);
  });

  test('twenty failures from one address lock the address, for every account, and not other addresses', async () => {
    for (let i = 0; i < 20; i++)
      assert.equal((await attempt(`guess${i}@example.com`, 'x', '127.0.0.2')).status, 401);
    const refused = await attempt('owner@example.com', p.ownerPassword, '127.0.0.2');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await attempt('owner@example.com', p.ownerPassword, '127.0.0.3')).status, 200);
  });

  test('a write authenticated by the cookie needs the CSRF token; reads and bearer requests do not', async () => {
    const s = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    const body = { name: 'csrf', scopes: ['tenants:read'] };
    assert.equal((await cookieCall(s, 'GET', '/api/v1/me')).status, 200, 'a read needs no CSRF token');
    const without = await cookieCall(s, 'POST', '/api/v1/tokens', body);
    assert.equal(without.status, 403);
    assert.equal(without.body.code, 'CSRF_FAILED');
    assert.match(without.body.detail, /x-csrf-token/);
    assert.equal((await cookieCall(s, 'POST', '/api/v1/tokens', body, { csrf: 'guessed' })).status, 403);
    // An attacker who can plant a cookie sends a matching pair of its own: it is not the session's.
    const session = s.cookie.split('; ').find((c) => c.startsWith('ocp_session='))!;
    const planted = await cookieCall(s, 'POST', '/api/v1/tokens', body, {
      csrf: 'planted-value',
      cookie: `${session}; ocp_csrf=planted-value`,
    });
    assert.equal(planted.status, 403);
    const other = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    const crossed = await cookieCall(s, 'POST', '/api/v1/tokens', body, {
      csrf: other.csrfToken,
      cookie: `${session}; ocp_csrf=${other.csrfToken}`,
    });
    assert.equal(crossed.status, 403, "another session's CSRF token does not pass");
    const ok = await cookieCall(s, 'POST', '/api/v1/tokens', body, { csrf: s.csrfToken });
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await s.call('POST', '/api/v1/tokens', body)).status, 201, 'a bearer request is exempt');
    const logout = await cookieCall(s, 'POST', '/api/v1/auth/logout', undefined, { csrf: s.csrfToken });
    assert.equal(logout.status, 204);
    assert.equal((await cookieCall(s, 'GET', '/api/v1/me')).status, 401);
  });

  test('a password change needs the current password, takes 12 characters or more, and ends the other sessions', async () => {
    const s = await invite(owner, 'changer@example.com', 'operator');
    const second = await login(p.gateway.url, s.email, s.password);
    const wrong = await s.call('POST', '/api/v1/me/password', {
      currentPassword: 'not it',
      newPassword: 'long enough password',
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.field, 'body/currentPassword');
    const short = await s.call('POST', '/api/v1/me/password', {
      currentPassword: s.password,
      newPassword: 'short',
    });
    assert.equal(short.status, 400);
    assert.match(short.body.detail, /newPassword .*12/);
    const changed = await s.call('POST', '/api/v1/me/password', {
      currentPassword: s.password,
      newPassword: 'a much better password',
    });
    assert.equal(changed.status, 204);
    assert.equal((await s.call('GET', '/api/v1/me')).status, 200, 'the session that changed it stays');
    assert.equal((await second.call('GET', '/api/v1/me')).status, 401, 'other sessions end');
    assert.equal((await attempt(s.email, s.password)).status, 401);
    assert.equal((await attempt(s.email, 'a much better password')).status, 200);
  });

  test('the last enabled owner cannot be demoted, disabled or deleted; only owners change owners', async () => {
    const me = owner.id;
    for (const [method, body] of [
      ['PATCH', { role: 'admin' }],
      ['PATCH', { disabled: true }],
      ['DELETE', undefined],
    ] as const) {
      const res = await owner.call(method, `/api/v1/operators/${me}`, body);
      assert.equal(res.status, 409, `${method} ${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.code, 'LAST_OWNER');
    }
    const admin = await invite(owner, 'second-admin@example.com', 'admin');
    const promote = await admin.call('POST', '/api/v1/operators', { email: 'o2@example.com', role: 'owner' });
    assert.equal(promote.status, 403);
    assert.equal(promote.body.permission, 'operators:owners');
    const touchOwner = await admin.call('PATCH', `/api/v1/operators/${me}`, { disabled: true });
    assert.equal(touchOwner.status, 403);
    assert.equal(touchOwner.body.permission, 'operators:owners');
    const selfPromote = await admin.call('PATCH', `/api/v1/operators/${admin.id}`, { role: 'owner' });
    assert.equal(selfPromote.status, 403);

    const second = await invite(owner, 'second-owner@example.com', 'owner');
    const disableFirst = await second.call('PATCH', `/api/v1/operators/${me}`, { disabled: true });
    assert.equal(disableFirst.status, 200, disableFirst.text);
    assert.equal(disableFirst.body.disabled, true);
    assert.equal((await owner.call('GET', '/api/v1/me')).status, 401, "a disabled account's session ends");
    assert.equal((await attempt('owner@example.com', p.ownerPassword)).status, 401, 'and it cannot log in');
    const lastOne = await second.call('PATCH', `/api/v1/operators/${second.id}`, { role: 'admin' });
    assert.equal(lastOne.status, 409, 'the second owner is now the last');
    assert.equal((await second.call('PATCH', `/api/v1/operators/${me}`, { disabled: false })).status, 200);
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    assert.equal((await owner.call('DELETE', `/api/v1/operators/${second.id}`)).status, 204);
    assert.equal((await second.call('GET', '/api/v1/me')).status, 401, 'a deleted account has no session');
  });

  test('an invited operator logs in with the initial password, shown once, and sees its permissions', async () => {
    const res = await owner.call('POST', '/api/v1/operators', {
      email: 'Invitee@Example.com',
      role: 'operator',
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), `/api/v1/operators/${res.body.operator.id}`);
    assert.equal(res.body.operator.role, 'operator');
    assert.equal(res.body.operator.kind, 'human');
    assert.ok(res.body.initialPassword.length >= 16);
    const again = await owner.call('GET', `/api/v1/operators/${res.body.operator.id}`);
    assert.ok(!again.text.includes(res.body.initialPassword), 'the password is never shown again');
    assert.ok(!/hash/i.test(again.text));
    const dup = await owner.call('POST', '/api/v1/operators', {
      email: 'invitee@example.com',
      role: 'viewer',
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'OPERATOR_EXISTS');
    const typo = await owner.call('POST', '/api/v1/operators', {
      email: 'x@example.com',
      role: 'viewer',
      rol: 1,
    });
    assert.equal(typo.status, 400);
    assert.match(typo.body.detail, /rol is not a known field/);
    const scopedOwner = await owner.call('POST', '/api/v1/operators', {
      email: 'so@example.com',
      role: 'owner',
      tenantIds: ['6f1a3c1e-2f55-4c43-9d0b-6f2c1b7a9e10'],
    });
    assert.equal(scopedOwner.status, 400);

    const s = await login(p.gateway.url, 'invitee@example.com', res.body.initialPassword);
    const me = await s.call('GET', '/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.operator.email, 'Invitee@Example.com');
    assert.equal(me.body.authenticatedBy, 'bearer');
    assert.equal(me.body.tenantScope, null);
    assert.deepEqual(me.body.permissions, [
      'self',
      'tenants:read',
      'tenants:create',
      'tenants:suspend',
      'tenants:resume',
      'tenants:retry',
      'tenants:duplicate',
      'tenants:rename',
      'tenants:import',
      'tenants:write',
      'operations:read',
      'tokens:own',
      'backups:read',
      'backups:write',
      'backups:restore',
      'plans:read',
      'quotas:read',
      'quotas:write',
      'modules:read',
      'modules:write',
      'runtimes:read',
    ]);
    const list = await owner.call('GET', '/api/v1/operators?role=operator&limit=200');
    assert.ok(list.body.items.some((o: { id: string }) => o.id === s.id));
  });

  test("a viewer's /me lists only reads", async () => {
    const v = await invite(owner, 'reader@example.com', 'viewer');
    const me = await v.call('GET', '/api/v1/me');
    assert.deepEqual(me.body.permissions, [
      'self',
      'tenants:read',
      'operations:read',
      'audit:read',
      'backups:read',
      'plans:read',
      'quotas:read',
      'modules:read',
      'runtimes:read',
    ]);
  });

  test('a token for a service account acts as that account, which cannot log in or have a password', async () => {
    const admin = await invite(owner, 'sa-admin@example.com', 'admin');
    const res = await admin.call('POST', '/api/v1/tokens', {
      name: 'ci',
      scopes: ['self', 'tenants:read'],
      expiresInDays: 7,
      serviceAccount: 'ci-bot',
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.apiToken.operator.kind, 'service');
    assert.equal(res.body.apiToken.operator.name, 'ci-bot');
    assert.equal(res.body.apiToken.createdBy, admin.id);
    const days = (Date.parse(res.body.apiToken.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in 7 days: ${days}`);
    const token = res.body.token as string;
    const me = await call(p.gateway.url, token, 'GET', '/api/v1/me');
    assert.equal(me.body.operator.kind, 'service');
    assert.equal(me.body.operator.email, null);
    assert.equal(me.body.operator.role, 'admin', 'made with the role of its maker');
    assert.deepEqual(me.body.permissions, ['self', 'tenants:read']);
    assert.equal((await call(p.gateway.url, token, 'GET', '/api/v1/tenants')).status, 200);
    const pw = await call(p.gateway.url, token, 'POST', '/api/v1/me/password', {
      currentPassword: 'x',
      newPassword: 'twelve characters',
    });
    assert.equal(pw.status, 409);
    const logout = await call(p.gateway.url, token, 'POST', '/api/v1/auth/logout');
    assert.equal(logout.status, 400, 'a token is revoked, not logged out');
    assert.equal((await attempt('ci-bot', 'anything')).status, 401);

    const second = await admin.call('POST', '/api/v1/tokens', {
      name: 'ci 2',
      scopes: ['tenants:read'],
      serviceAccount: 'ci-bot',
    });
    assert.equal(second.body.apiToken.operator.id, res.body.apiToken.operator.id, 'the same account again');
    const ownersOnly = await owner.call('POST', '/api/v1/tokens', {
      name: 'too much',
      scopes: ['operators:owners'],
      serviceAccount: 'ci-bot',
    });
    assert.equal(ownersOnly.status, 403, 'a service account is never an owner');
    const operator = await invite(owner, 'sa-op@example.com', 'operator');
    const byOperator = await operator.call('POST', '/api/v1/tokens', {
      name: 'x',
      scopes: ['tenants:read'],
      serviceAccount: 'op-bot',
    });
    assert.equal(byOperator.status, 403);
    assert.equal(byOperator.body.permission, 'operators:write');
    const services = await owner.call('GET', '/api/v1/operators?kind=service');
    assert.deepEqual(
      services.body.items.map((o: { name: string }) => o.name),
      ['ci-bot'],
    );
    // Disabling the service account stops its tokens.
    const sa = res.body.apiToken.operator.id as string;
    assert.equal((await admin.call('PATCH', `/api/v1/operators/${sa}`, { disabled: true })).status, 200);
    assert.equal((await call(p.gateway.url, token, 'GET', '/api/v1/tenants')).status, 401);
  });

  test('an /api/v1 answer without a login is a 401 problem that says how to log in', async () => {
    const res = await call(p.gateway.url, undefined, 'GET', '/api/v1/operators');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match(res.body.detail, /POST \/api\/v1\/auth\/login/);
    const garbage = await call(p.gateway.url, 'ocps_nonsense', 'GET', '/api/v1/me');
    assert.equal(garbage.status, 401);
  });
});
