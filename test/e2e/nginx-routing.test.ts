/**
 * Routing to Odoo through NGINX: the real platform (tenant service, gateway) and the router in this
 * process, a runtime whose HTTP port is the Odoo protocol double (its web pages answer which
 * database serves the request, picked by `X-Odoo-dbfilter` as `dbfilter_from_header` picks it) and
 * whose gevent port is a websocket echo server, and Debian's NGINX run from deploy/nginx/nginx.conf
 * with what the router renders, reloaded by the router's SIGHUP after each change.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import type { RouterService } from '@ocp/router';
import { freePorts, waitFor } from '@ocp/testkit';
import WebSocket, { WebSocketServer } from 'ws';
import { startTxtServer } from '../support/dns-server.ts';
import {
  DEPLOY_NGINX_DIR,
  type ProxiedAnswer,
  prepareNginx,
  requestVia,
  selfSignedCertificate,
  type TestNginx,
} from '../support/nginx.ts';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { dropOwnedDatabases, ended, startDoubleRuntime } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform, startRouter } from '../support/platform.ts';

const limit = { timeout: 240_000 };
const DOMAIN = 'odoo.test';
const CONTROL_HOST = 'cp.odoo.test';

/** The database a proxied Odoo page says it was served from. */
const databaseOf = (a: ProxiedAnswer) => /data-database="([^"]*)"/.exec(a.body)?.[1];

/** A websocket server standing in for Odoo's gevent port: it tells what it was asked, then echoes. */
async function startEchoServer() {
  const http = createHttpServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket, req) => {
    socket.send(
      JSON.stringify({ path: req.url, dbfilter: req.headers['x-odoo-dbfilter'], host: req.headers.host }),
    );
    socket.on('message', (data) => socket.send(data.toString()));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
      await new Promise((r) => http.close(r));
    },
  };
}

/** Opens a websocket through NGINX for `host`; answers the first frame (what the server saw) and the socket. */
async function openWebsocket(
  port: number,
  host: string,
): Promise<{ hello: Record<string, unknown>; ws: WebSocket }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/websocket?version=18.0`, { headers: { host } });
  const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
    ws.once('message', (d) => resolve(JSON.parse(d.toString())));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { hello, ws };
}

/** The status of a websocket upgrade NGINX refused (or 101 when it went through). */
async function upgradeStatus(port: number, host: string): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/websocket`, { headers: { host } });
  return await new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

/** Waits for the router's first render (its /readyz). */
async function renderedBy(router: RouterService): Promise<void> {
  await waitFor('the router to render', async () =>
    (await fetch(`${router.url}/readyz`)).status === 200 ? true : undefined,
  );
}

/** One series of the router's /metrics, by its name and one label. */
async function metric(router: RouterService, name: string, label: string): Promise<number | undefined> {
  const text = await (await fetch(`${router.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe("NGINX routes each host to its tenant's Odoo, as the router renders it", limit, () => {
  let p: Platform;
  let bus: Bus;
  let odoo: OdooDouble | undefined;
  let runtimeRole: string | undefined;
  let runtimeDir: string | undefined;
  let echo: Awaited<ReturnType<typeof startEchoServer>> | undefined;
  let dns: Awaited<ReturnType<typeof startTxtServer>> | undefined;
  let nginx: TestNginx | undefined;
  let router: RouterService | undefined;
  let httpPort: number;
  let httpsPort: number;
  let routerSettings: Record<string, string>;
  const tenants: Record<'acme' | 'globex', { id: string; databaseName: string; host: string }> = {} as never;

  before(async () => {
    dns = await startTxtServer();
    p = await startPlatform({
      tenantEnv: { TENANT_BASE_URL: `https://{slug}.${DOMAIN}`, TENANT_DOMAIN_DNS_SERVERS: dns.address },
    });
    bus = await p.busAs('gateway');
    echo = await startEchoServer();
    const runtime = await startDoubleRuntime(bus, p.prefix, { websocketUrl: echo.url });
    ({ odoo, role: runtimeRole, dataDir: runtimeDir } = runtime);
    for (const slug of ['acme', 'globex'] as const) {
      const created = await bus.request('tenant.create.v1', {
        slug,
        displayName: `Tenant ${slug}`,
        plan: 'starter',
        runtimeId: runtime.runtime.id,
        adminLogin: 'owner@example.com',
        companyName: `${slug} Ltd`,
      });
      assert.equal((await ended(bus, created.operation.id)).state, 'succeeded');
      const { tenant } = await bus.request('tenant.get.v1', { tenantId: created.tenant.id });
      tenants[slug] = { id: tenant.id, databaseName: tenant.databaseName, host: `${slug}.${DOMAIN}` };
    }

    nginx = await prepareNginx();
    [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
    const certs = join(nginx.dir, 'certs');
    await mkdir(certs);
    const fallback = await selfSignedCertificate(nginx.dir, 'default', [`*.${DOMAIN}`, CONTROL_HOST]);
    await selfSignedCertificate(certs, 'erp.acme.example', ['erp.acme.example']);
    routerSettings = {
      ROUTER_OUTPUT_DIR: nginx.outputDir,
      ROUTER_NGINX_PID_FILE: nginx.pidFile,
      ROUTER_LISTEN_HTTP: `127.0.0.1:${httpPort}`,
      ROUTER_LISTEN_HTTPS: `127.0.0.1:${httpsPort}`,
      ROUTER_TLS_CERTIFICATE: fallback.certificate,
      ROUTER_TLS_CERTIFICATE_KEY: fallback.key,
      ROUTER_TLS_CERTIFICATES_DIR: certs,
      ROUTER_CONTROL_HOST: CONTROL_HOST,
      ROUTER_GATEWAY_UPSTREAM: new URL(p.gateway.url).host,
      ROUTER_PAGES_DIR: DEPLOY_NGINX_DIR,
    };
    router = await startRouter(p, routerSettings);
    await renderedBy(router);
    await nginx.start(httpPort);
  });

  after(async () => {
    await router?.close();
    await nginx?.close();
    await echo?.close();
    await dns?.close();
    await odoo?.close();
    if (runtimeRole) await dropOwnedDatabases(runtimeRole);
    await p?.close();
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  /** Polls `host`'s answer at `path` until `ok` holds of it (a change takes a render and a reload). */
  const until = async (
    what: string,
    host: string,
    path: string,
    ok: (a: ProxiedAnswer) => boolean,
    opts: { tls?: boolean } = {},
  ) => {
    let last: ProxiedAnswer | undefined;
    try {
      return await waitFor(
        what,
        async () => {
          last = await requestVia(opts.tls ? httpsPort : httpPort, host, path, opts);
          return ok(last) ? last : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; last answer ${last?.status} ${last?.body.slice(0, 300)}`);
    }
  };

  test('NGINX accepts the rendered configuration, which names every tenant host', async () => {
    const checked = await nginx!.check();
    assert.ok(checked.ok, checked.output);
    const rendered = await readFile(join(nginx!.outputDir, 'ocp-router.conf'), 'utf8');
    for (const t of Object.values(tenants)) {
      assert.match(rendered, new RegExp(`"${t.host.replaceAll('.', '\\.')}" "active";`));
      assert.match(rendered, new RegExp(`"${t.host.replaceAll('.', '\\.')}" "${t.databaseName}";`));
    }
  });

  test("each tenant's host reaches its own database, with the proxy's headers", async () => {
    for (const t of Object.values(tenants)) {
      const page = await requestVia(httpPort, t.host, '/web/login');
      assert.equal(page.status, 200, page.body);
      assert.equal(databaseOf(page), t.databaseName);
      assert.match(page.body, new RegExp(`data-forwarded-host="${t.host}"`));
      assert.match(page.body, /data-forwarded-proto="http"/);
    }
    assert.notEqual(tenants.acme.databaseName, tenants.globex.databaseName);
  });

  test("a client's own X-Odoo-dbfilter is replaced, never passed on", async () => {
    const page = await requestVia(httpPort, tenants.acme.host, '/web/login', {
      headers: { 'x-odoo-dbfilter': `^${tenants.globex.databaseName}$` },
    });
    assert.equal(page.status, 200, page.body);
    assert.equal(databaseOf(page), tenants.acme.databaseName);
  });

  test("Odoo's database manager is nobody's on a tenant's host; its pages and JSON-RPC are the tenant's", async () => {
    const { acme } = tenants;
    for (const path of ['/web/database/selector', '/web/database/manager', '/xmlrpc/2/db', '/xmlrpc/db']) {
      const page = await requestVia(httpPort, acme.host, path);
      assert.equal(page.status, 404, path);
      assert.equal(databaseOf(page), undefined, path);
    }
    // The double answers any other page, and JSON-RPC goes through.
    assert.equal(databaseOf(await requestVia(httpPort, acme.host, '/web/databases')), acme.databaseName);
    const rpc = await requestVia(httpPort, acme.host, '/jsonrpc', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'call',
        params: { service: 'common', method: 'version', args: [] },
      }),
    });
    assert.equal(rpc.status, 200, rpc.body);
    assert.equal(JSON.parse(rpc.body).result.server_serie, '18.0');
  });

  test('a host that no tenant has is answered 404', async () => {
    const page = await requestVia(httpPort, `nobody.${DOMAIN}`, '/web/login');
    assert.equal(page.status, 404);
    assert.equal(databaseOf(page), undefined);
  });

  test("a websocket upgrade through /websocket reaches the runtime's gevent port and echoes", async () => {
    const { hello, ws } = await openWebsocket(httpPort, tenants.globex.host);
    try {
      assert.equal(hello.dbfilter, `^${tenants.globex.databaseName}$`);
      assert.equal(hello.path, '/websocket?version=18.0');
      const echoed = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
      ws.send('{"event_name":"subscribe","data":{"channels":[]}}');
      assert.equal(await echoed, '{"event_name":"subscribe","data":{"channels":[]}}');
    } finally {
      ws.terminate();
    }
  });

  test("the control host's /api/v1 reaches the gateway; its other paths are nobody's", async () => {
    const unauthenticated = await requestVia(httpPort, CONTROL_HOST, `/api/v1/tenants/${tenants.acme.id}`);
    assert.equal(unauthenticated.status, 401, unauthenticated.body);
    assert.match(String(unauthenticated.headers['content-type']), /application\/problem\+json/);
    const got = await requestVia(httpPort, CONTROL_HOST, `/api/v1/tenants/${tenants.acme.id}`, {
      headers: { authorization: `Bearer ${p.api.token}` },
    });
    assert.equal(got.status, 200, got.body);
    assert.equal(JSON.parse(got.body).slug, 'acme');
    assert.equal((await requestVia(httpPort, CONTROL_HOST, '/web/login')).status, 404);
  });

  test('HTTPS: the name the client asks for (SNI) picks the server and its certificate', async () => {
    const page = await requestVia(httpsPort, tenants.acme.host, '/web/login', { tls: true });
    assert.equal(page.status, 200, page.body);
    assert.equal(databaseOf(page), tenants.acme.databaseName);
    assert.match(page.body, /data-forwarded-proto="https"/);
    assert.equal(page.certificateName, `*.${DOMAIN}`);
    const control = await requestVia(httpsPort, CONTROL_HOST, `/api/v1/tenants/${tenants.acme.id}`, {
      tls: true,
      headers: { authorization: `Bearer ${p.api.token}` },
    });
    assert.equal(control.status, 200, control.body);
  });

  test('a verified custom domain reaches its tenant, with a certificate of its own; removed, nobody', async () => {
    const { acme } = tenants;
    const domain = 'erp.acme.example';
    const claim = await p.api.call('POST', `/api/v1/tenants/${acme.id}/domains`, { domain });
    assert.equal(claim.status, 201, JSON.stringify(claim.body));
    // Claimed but not verified: not routed.
    assert.equal((await requestVia(httpPort, domain, '/web/login')).status, 404);
    dns!.setTxt(claim.body.challenge.name, [claim.body.challenge.value]);
    const verified = await p.api.call('POST', `/api/v1/tenants/${acme.id}/domains/${domain}/verify`);
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.state, 'verified');

    const page = await until('the custom domain to route', domain, '/web/login', (a) => a.status === 200);
    assert.equal(databaseOf(page), acme.databaseName);
    assert.match(page.body, new RegExp(`data-forwarded-host="${domain}"`));
    const secure = await requestVia(httpsPort, domain, '/web/login', { tls: true });
    assert.equal(secure.status, 200, secure.body);
    assert.equal(databaseOf(secure), acme.databaseName);
    assert.equal(secure.certificateName, domain);

    const removed = await p.api.call('DELETE', `/api/v1/tenants/${acme.id}/domains/${domain}`);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    await until("the removed domain to be nobody's", domain, '/web/login', (a) => a.status === 404);
    assert.equal(databaseOf(await requestVia(httpPort, acme.host, '/web/login')), acme.databaseName);
  });

  test('a suspended tenant gets the suspended page, on every path and /websocket; resumed, Odoo again', async () => {
    const { acme, globex } = tenants;
    const s = await p.api.call('POST', `/api/v1/tenants/${acme.id}/suspend`, { reason: 'manual' });
    assert.equal(s.status, 202, JSON.stringify(s.body));
    assert.equal((await p.api.waitOperation(s.body.operation.id)).state, 'succeeded');
    const page = await until('the suspended page', acme.host, '/web/login', (a) => a.status === 503);
    assert.match(page.body, /This workspace is suspended/);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.equal(page.headers['cache-control'], 'no-store');
    const other = await requestVia(httpPort, acme.host, '/odoo/action-contacts');
    assert.equal(other.status, 503);
    assert.match(other.body, /This workspace is suspended/);
    const secure = await requestVia(httpsPort, acme.host, '/web/login', { tls: true });
    assert.equal(secure.status, 503);
    const upgrade = await upgradeStatus(httpPort, acme.host);
    assert.equal(upgrade.status, 503);
    assert.match(upgrade.body, /This workspace is suspended/);
    // The other tenant is untouched.
    assert.equal(databaseOf(await requestVia(httpPort, globex.host, '/web/login')), globex.databaseName);

    const r = await p.api.call('POST', `/api/v1/tenants/${acme.id}/resume`, { reason: 'manual' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal((await p.api.waitOperation(r.body.operation.id)).state, 'succeeded');
    const back = await until('Odoo again', acme.host, '/web/login', (a) => a.status === 200);
    assert.equal(databaseOf(back), acme.databaseName);
    assert.equal((await upgradeStatus(httpPort, acme.host)).status, 101);
  });

  test('a router started again renders the same text: the file is not written again, NGINX not reloaded', async () => {
    const file = join(nginx!.outputDir, 'ocp-router.conf');
    const before = await stat(file);
    const first = router!;
    assert.equal(await metric(first, 'ocp_router_routes', 'state="active"'), 2);
    assert.equal(await metric(first, 'ocp_router_renders_total', 'outcome="failed"'), 0);
    assert.ok(((await metric(first, 'ocp_router_renders_total', 'outcome="reloaded"')) ?? 0) >= 1);
    await first.close();
    router = undefined;
    const again = await startRouter(p, routerSettings);
    router = again;
    await renderedBy(again);
    assert.equal(await metric(again, 'ocp_router_renders_total', 'outcome="unchanged"'), 1);
    assert.equal(await metric(again, 'ocp_router_renders_total', 'outcome="reloaded"'), 0);
    const after = await stat(file);
    assert.equal(after.ino, before.ino, 'the same file, never renamed over');
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(
      databaseOf(await requestVia(httpPort, tenants.acme.host, '/web/login')),
      tenants.acme.databaseName,
    );
  });
});
