import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { freePort, waitFor } from '@ocp/testkit';
import { type PlatformEnv, preparePlatform } from '../support/platform.ts';
import { type ServiceProcess, spawnService } from '../support/process.ts';
import { call, cookieCall, login } from '../support/rbac.ts';

let env: PlatformEnv | undefined;
let gw: ServiceProcess | undefined;
after(async () => {
  await gw?.kill('SIGTERM');
  await env?.dispose();
});

test('no password, token or CSRF token reaches the logs, even at trace level; the first owner banner shows the password once', async () => {
  env = await preparePlatform();
  const port = await freePort();
  const { BOOTSTRAP_OWNER_PASSWORD: _configured, ...gatewayEnv } = env.gatewayEnv;
  gw = spawnService('gateway', { ...gatewayEnv, HTTP_PORT: String(port), LOG_LEVEL: 'trace' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the gateway to be ready',
    async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined),
    { timeoutMs: 30_000 },
  ).catch((e) => {
    throw new Error(`${e.message}\n${gw?.output()}`);
  });
  const banner =
    /=+ First owner account created =+\n {2}email: {4}(\S+)\n {2}password: (\S+)\n[^\n]*\n=+\n/.exec(
      gw.output(),
    );
  assert.ok(banner, `the banner is printed:\n${gw.output().slice(0, 2000)}`);
  const ownerPassword = banner[2]!;
  const secrets = new Set<string>([ownerPassword]);

  const owner = await login(base, banner[1]!, ownerPassword);
  for (const s of [owner.token, owner.csrfToken]) secrets.add(s);
  const wrong = 'a wrong password for the log';
  secrets.add(wrong);
  assert.equal(
    (await call(base, undefined, 'POST', '/api/v1/auth/login', { email: banner[1], password: wrong })).status,
    401,
  );
  const broken = 'password inside broken json';
  secrets.add(broken);
  assert.equal(
    (await call(base, undefined, 'POST', '/api/v1/auth/login', `{"password":"${broken}`)).status,
    400,
  );
  const invited = await owner.call('POST', '/api/v1/operators', {
    email: 'quiet@example.com',
    role: 'operator',
  });
  assert.equal(invited.status, 201);
  secrets.add(invited.body.initialPassword);
  const op = await login(base, 'quiet@example.com', invited.body.initialPassword);
  for (const s of [op.token, op.csrfToken]) secrets.add(s);
  const newPassword = 'the operator chose this one';
  secrets.add(newPassword);
  const changed = await cookieCall(
    op,
    'POST',
    '/api/v1/me/password',
    { currentPassword: invited.body.initialPassword, newPassword },
    { csrf: op.csrfToken },
  );
  assert.equal(changed.status, 204, changed.text);
  const made = await owner.call('POST', '/api/v1/tokens', {
    name: 'quiet',
    scopes: ['tenants:read', 'self'],
  });
  assert.equal(made.status, 201);
  secrets.add(made.body.token);
  assert.equal((await call(base, made.body.token, 'GET', '/api/v1/me')).status, 200);
  assert.equal(
    (await cookieCall(owner, 'POST', '/api/v1/tokens', { name: 'x', scopes: ['self'] }, { csrf: 'wrong' }))
      .status,
    403,
  );
  assert.equal((await call(base, `${made.body.token}x`, 'GET', '/api/v1/me')).status, 401);

  // Odoo's secrets pass through the gateway to the tenant service (not running here: 503), or are
  // refused with the rest of a body the schema refuses; neither reaches a log line.
  const master = 'the master password of an odoo runtime';
  const tenantAdmin = 'the administrator password of a tenant';
  secrets.add(master);
  secrets.add(tenantAdmin);
  const runtime = {
    name: 'quiet',
    odooVersion: '18.0',
    rpcUrl: 'http://127.0.0.1:9',
    masterPassword: master,
    dbRole: 'odoo',
    filestorePath: '/srv/odoo/filestore',
  };
  assert.equal((await owner.call('POST', '/api/v1/runtimes', runtime)).status, 503);
  assert.equal((await owner.call('POST', '/api/v1/runtimes', { ...runtime, rpcUrl: 'ftp://x' })).status, 400);
  const tenant = { slug: 'quiet', displayName: 'Quiet', adminLogin: 'boss', adminPassword: tenantAdmin };
  assert.equal((await owner.call('POST', '/api/v1/tenants', tenant)).status, 503);
  assert.equal((await owner.call('POST', '/api/v1/tenants', { ...tenant, adminLogin: 'a b' })).status, 400);

  // Answers that are not the one showing a secret never carry one.
  for (const path of ['/api/v1/me', '/api/v1/operators', '/api/v1/tokens'])
    for (const s of secrets)
      assert.ok(!(await owner.call('GET', path)).text.includes(s), `${path} shows no secret`);

  await gw.kill('SIGTERM');
  const out = gw.output();
  assert.match(out, /"msg":"incoming request"/, 'the trace level logs every request');
  const withoutBanner = out.replace(banner[0], '');
  assert.ok(!withoutBanner.includes(ownerPassword), 'the first owner password is on the banner only');
  for (const s of secrets)
    assert.ok(!withoutBanner.includes(s), `the log holds no secret (${s.slice(0, 4)}…)`);
});
