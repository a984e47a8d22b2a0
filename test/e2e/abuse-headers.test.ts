import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Platform, startPlatform } from '../support/platform.ts';

/** The directives of a Content-Security-Policy header. */
function directives(csp: string | null): Map<string, string[]> {
  assert.ok(csp, 'a Content-Security-Policy header');
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

function assertSecurityHeaders(res: Response, what: string) {
  const csp = directives(res.headers.get('content-security-policy'));
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${what}: no framing`);
  assert.deepEqual(csp.get('script-src'), ["'self'"], `${what}: scripts only from the gateway`);
  assert.deepEqual(csp.get('object-src'), ["'none'"], what);
  assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin', what);
  assert.equal(res.headers.get('strict-transport-security'), null, `${what}: no HSTS over plain HTTP`);
}

describe('security headers', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform();
  });
  after(async () => p?.close());

  test('every answer carries them: the API, its problems, the OpenAPI document and the UI', async () => {
    const base = p.gateway.url;
    const token = { authorization: `Bearer ${p.api.token}` };
    for (const [path, headers, status] of [
      ['/api/v1/me', token, 200],
      ['/api/v1/me', {}, 401],
      ['/no-such-page', {}, 404],
      ['/docs', {}, 200],
      ['/docs/json', {}, 200],
    ] as const) {
      const res = await fetch(`${base}${path}`, { headers });
      assert.equal(res.status, status, path);
      assertSecurityHeaders(res, path);
    }
  });

  test('the OpenAPI UI at /docs still works under the policy: same-origin scripts and styles, none inline, and they load', async () => {
    // No browser here (no Chromium on this machine): the page is checked against the policy instead.
    const page = await fetch(`${p.gateway.url}/docs`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    const csp = directives(page.headers.get('content-security-policy'));
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 3, 'the Swagger UI bundle, its preset and its initializer');
    const assets: string[] = [];
    for (const [, attrs, body] of scripts) {
      const src = /src="([^"]+)"/.exec(attrs ?? '')?.[1];
      assert.ok(src, `no inline script: the policy allows only 'self' (found ${body?.trim().slice(0, 40)})`);
      assets.push(src);
    }
    for (const [, href] of html.matchAll(/<link\b[^>]*href="([^"]+)"/g)) assets.push(href!);
    assert.ok(!/\son[a-z]+=/i.test(html), "no inline event handlers (script-src-attr 'none')");
    assert.ok(!/<style\b/.test(html), 'no inline style element');
    // Swagger UI fetches its document from here and sets inline styles on its own elements.
    assert.deepEqual(csp.get('connect-src'), ["'self'"]);
    assert.deepEqual(csp.get('style-src'), ["'self'", "'unsafe-inline'"]);
    assert.deepEqual(csp.get('img-src'), ["'self'", 'data:']);
    const pageUrl = new URL('/docs', p.gateway.url);
    for (const asset of assets) {
      const url = new URL(asset, pageUrl);
      assert.equal(url.origin, pageUrl.origin, `${asset} is same-origin`);
      const res = await fetch(url);
      assert.equal(res.status, 200, `${url.pathname} loads`);
      assert.ok((await res.arrayBuffer()).byteLength > 0, `${url.pathname} is not empty`);
    }
    const init = await (await fetch(new URL('/docs/static/swagger-initializer.js', pageUrl))).text();
    assert.match(init, /SwaggerUIBundle/);
    assert.doesNotMatch(init, /validator\.swagger\.io/, 'no call to an outside validator');
  });
});
