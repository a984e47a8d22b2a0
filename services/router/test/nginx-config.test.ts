import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Route } from '@ocp/contracts';
import { databaseName, hostName, hostPort } from '../src/domain/names.ts';
import { renderNginxConfig, type SiteSettings } from '../src/domain/nginx-config.ts';
import { planRoutes } from '../src/domain/route-plan.ts';

const run = promisify(execFile);

const route = (over: Partial<Route> & Pick<Route, 'tenantId'>): Route => ({
  slug: 'acme',
  state: 'active',
  database: 't_acme',
  hosts: ['acme.odoo.example.com'],
  upstream: { http: 'odoo-a:8069', websocket: 'odoo-a:8072' },
  ...over,
});

const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'] as const;

/** Values that would break out of a quoted NGINX token, or are not what they claim to be. */
const HOSTILE_HOSTS = [
  'a"b.example.com',
  'a;b.example.com',
  'evil.example.com"; } server { listen 1; #',
  '$host.example.com',
  'a{b}.example.com',
  'a b.example.com',
  'a\nb.example.com',
  'a\\b.example.com',
  '*.example.com',
  '.example.com',
  'a..example.com',
  '-a.example.com',
  'a-.example.com',
  'a.example.com:8080',
  'ünicode.example.com',
  `${'a'.repeat(64)}.example.com`,
  `${'a.'.repeat(127)}com`,
  '',
];

test('only host names pass, lowercased; anything that is not one never does', () => {
  assert.equal(hostName('ERP.Acme.COM'), 'erp.acme.com');
  assert.equal(hostName('xn--nicode-2ya.example.com'), 'xn--nicode-2ya.example.com');
  assert.equal(hostName('odoo_a'), 'odoo_a');
  for (const h of HOSTILE_HOSTS) assert.equal(hostName(h), undefined, JSON.stringify(h));
  assert.equal(databaseName('t_acme-2'), 't_acme-2');
  for (const d of ['t.acme', 't"acme', 't$acme', 't acme', '', 'x'.repeat(64), '-t']) {
    assert.equal(databaseName(d), undefined, d);
  }
  assert.equal(hostPort('odoo-a:8069'), 'odoo-a:8069');
  assert.equal(hostPort('[::1]:8072'), '[::1]:8072');
  for (const u of ['odoo-a', 'odoo-a:0', 'odoo-a:65536', 'odoo;a:80', 'odoo a:80', ':80', 'a:80 backup']) {
    assert.equal(hostPort(u), undefined, u);
  }
});

test('a host is served by one tenant only (the first by id), never the control host, and bad values are named', () => {
  const plan = planRoutes(
    [
      route({ tenantId: ids[1], hosts: ['shared.example.com', 'b.example.com', 'cp.example.com'] }),
      route({ tenantId: ids[0], hosts: ['a.example.com', 'shared.example.com', ...HOSTILE_HOSTS] }),
      route({
        tenantId: '00000000-0000-4000-8000-000000000003',
        database: 'bad.name',
        hosts: ['c.example.com'],
      }),
      route({
        tenantId: '00000000-0000-4000-8000-000000000004',
        hosts: ['d.example.com'],
        upstream: { http: 'x;y:1', websocket: 'x:2' },
      }),
    ],
    { reservedHosts: ['cp.example.com'] },
  );
  assert.deepEqual(
    plan.hosts.map((h) => [h.host, h.tenantId]),
    [
      ['a.example.com', ids[0]],
      ['b.example.com', ids[1]],
      ['shared.example.com', ids[0]],
    ],
  );
  const reasons = plan.rejected.map((r) => r.reason);
  assert.equal(reasons.filter((r) => r === 'a host is not a host name').length, HOSTILE_HOSTS.length);
  assert.ok(reasons.includes(`host shared.example.com is tenant ${ids[0]}'s`));
  assert.ok(reasons.includes("host cp.example.com is the control plane's"));
  assert.ok(reasons.includes('database name is not a safe name'));
  assert.ok(reasons.includes('upstream is not host:port'));
});

test('the same routes in any order render the same text', () => {
  const routes = [
    route({ tenantId: ids[0], hosts: ['z.example.com', 'a.example.com'] }),
    route({ tenantId: ids[1], slug: 'bob', database: 't_bob', hosts: ['m.example.com'], upstream: null }),
  ];
  const site: SiteSettings = { httpListen: '80', gatewayUpstream: '127.0.0.1:8080', pagesDir: '/srv/pages' };
  const one = renderNginxConfig(planRoutes(routes, { reservedHosts: [] }).hosts, site);
  const two = renderNginxConfig(planRoutes([...routes].reverse(), { reservedHosts: [] }).hosts, site);
  assert.equal(one, two);
  // A tenant on no runtime is in the maps, with no upstream: NGINX answers it 503.
  assert.match(one, /"m\.example\.com" "active";/);
  assert.doesNotMatch(one, /"m\.example\.com" "ocp_http_/);
});

/** `nginx -t` of `text` included in a minimal `http` block. */
async function nginxAccepts(dir: string, text: string): Promise<{ ok: boolean; output: string }> {
  await mkdir(join(dir, 'ocp'), { recursive: true });
  await writeFile(join(dir, 'ocp', 'ocp-router.conf'), text);
  await writeFile(join(dir, 'nginx.conf'), 'events {}\nhttp {\n    include ocp/*.conf;\n}\n');
  return await run('/usr/sbin/nginx', [
    '-t',
    '-p',
    `${dir}/`,
    '-c',
    join(dir, 'nginx.conf'),
    '-e',
    join(dir, 'error.log'),
    '-g',
    `pid ${join(dir, 'nginx.pid')};`,
  ]).then(
    (r) => ({ ok: true, output: r.stderr }),
    (e: { stderr?: string }) => ({ ok: false, output: String(e.stderr) }),
  );
}

test('with a resolver, runtimes are resolved per request: a name no DNS knows yet does not fail the configuration', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-router-nginx-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const plan = planRoutes(
    [
      route({
        tenantId: ids[0],
        upstream: { http: 'odoo-nowhere.invalid:8069', websocket: 'odoo-nowhere.invalid:8072' },
      }),
    ],
    { reservedHosts: [] },
  );
  const site: SiteSettings = {
    httpListen: '127.0.0.1:18080',
    gatewayUpstream: '127.0.0.1:8080',
    pagesDir: dir,
  };
  const withBlocks = await nginxAccepts(dir, renderNginxConfig(plan.hosts, site));
  assert.equal(withBlocks.ok, false);
  assert.match(withBlocks.output, /host not found in upstream "odoo-nowhere\.invalid:8069"/);
  const text = renderNginxConfig(plan.hosts, { ...site, resolver: '127.0.0.53 10.0.0.10:53' });
  assert.match(text, /resolver 127\.0\.0\.53 10\.0\.0\.10:53 valid=30s;/);
  assert.match(text, /"acme\.odoo\.example\.com" "odoo-nowhere\.invalid:8069";/);
  const resolved = await nginxAccepts(dir, text);
  assert.ok(resolved.ok, resolved.output);
});

test('NGINX accepts what is rendered from hostile routes, with TLS, per-host certificates and a control host', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-router-nginx-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=default',
    '-keyout',
    join(dir, 'default.key'),
    '-out',
    join(dir, 'default.crt'),
  ]);
  const plan = planRoutes(
    [
      route({
        tenantId: ids[0],
        hosts: ['a.example.com', 'erp.a.example', ...HOSTILE_HOSTS],
        upstream: { http: '127.0.0.1:8069', websocket: '[::1]:8072' },
      }),
      route({
        tenantId: ids[1],
        state: 'suspended',
        database: 't_b',
        hosts: ['b.example.com'],
        upstream: null,
      }),
    ],
    { reservedHosts: ['cp.example.com'] },
  );
  const text = renderNginxConfig(plan.hosts, {
    httpListen: '127.0.0.1:18080',
    tls: {
      listen: '127.0.0.1:18443',
      certificate: join(dir, 'default.crt'),
      certificateKey: join(dir, 'default.key'),
      perHost: { dir: join(dir, 'certs'), hosts: ['erp.a.example'] },
    },
    controlHost: 'cp.example.com',
    gatewayUpstream: '127.0.0.1:8080',
    pagesDir: dir,
  });
  for (const h of HOSTILE_HOSTS.filter((x) => x !== ''))
    assert.ok(!text.includes(`"${h}"`), JSON.stringify(h));
  assert.ok(!text.includes('listen 1;'));
  const checked = await nginxAccepts(dir, text);
  assert.ok(checked.ok, checked.output);
});
