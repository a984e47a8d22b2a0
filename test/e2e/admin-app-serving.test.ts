import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { ensureAdminAppBuilt } from '../support/admin-app.ts';
import { type PlatformEnv, preparePlatform } from '../support/platform.ts';

describe('the gateway serves the admin web app at /admin/', () => {
  let env: PlatformEnv;
  let gateway: Gateway;
  let page: string;

  before(async () => {
    ensureAdminAppBuilt();
    env = await preparePlatform();
    const cfg = gatewayConfig(env.gatewayEnv);
    gateway = await startGateway(cfg, createLogger('gateway', cfg.LOG_LEVEL));
    page = await (await fetch(`${gateway.url}/admin/`)).text();
  });
  after(async () => {
    await gateway?.close();
    await env?.dispose();
  });

  test('/admin redirects to /admin/, whose page is never cached and runs under a CSP without inline script', async () => {
    const bare = await fetch(`${gateway.url}/admin`, { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/admin/');
    const res = await fetch(`${gateway.url}/admin/`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const csp = String(res.headers.get('content-security-policy'));
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    // Every script of the page is a file of the build: an inline one would be refused by the CSP.
    const scripts = [...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.ok(scripts.length > 0);
    for (const s of scripts) assert.match(s, /\ssrc="\/admin\/assets\/[^"]+\.js"/, s);
  });

  test('a screen of the app opened by its address gets the page, so a shared link works', async () => {
    for (const path of [
      '/admin/tenants',
      '/admin/tenants/8d4e0f6e-4b0a-4f64-9c43-2d1c3b0c6a11?tab=backups',
    ]) {
      const res = await fetch(`${gateway.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), page, path);
      assert.equal(res.headers.get('cache-control'), 'no-cache', path);
    }
  });

  test('hashed assets are cached for good, and an asset that does not exist is a 404, not the page', async () => {
    const asset = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    assert.ok(asset, 'the page names its script');
    const res = await fetch(`${gateway.url}${asset}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(String(res.headers.get('content-type')), /javascript/);
    await res.arrayBuffer();
    const missing = await fetch(`${gateway.url}/admin/assets/index-00000000.js`);
    assert.equal(missing.status, 404);
    const traversal = await fetch(`${gateway.url}/admin/assets/..%2f..%2fpackage.json`);
    assert.equal(traversal.status, 404);
  });

  test('the API beside it is still never stored', async () => {
    const res = await fetch(`${gateway.url}/api/v1/me`);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });
});
