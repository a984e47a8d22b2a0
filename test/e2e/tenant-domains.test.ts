import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import type { Route, TenantDomain } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import { startTxtServer, type TxtServer } from '../support/dns-server.ts';
import { subscribeTenantEvents } from '../support/events.ts';
import { rpcError } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { type AuditSubscriber, invite, login, type Session, subscribeAudit } from '../support/rbac.ts';
import { createTenant } from '../support/tenants.ts';

const limit = { timeout: 240_000 };

/** The platform's own domain in this test: tenants' addresses are `https://<slug>.odoo.test`. */
const BASE_URL = 'https://{slug}.odoo.test';

describe('custom domains of tenants and the routes the router reads', limit, () => {
  let dns: TxtServer;
  let p: Platform;
  let owner: Session;
  let router: Bus;
  let events: Awaited<ReturnType<typeof subscribeTenantEvents>>;
  let audit: AuditSubscriber;
  // biome-ignore lint/suspicious/noExplicitAny: tenants as the API answers them.
  let shopA: any;
  // biome-ignore lint/suspicious/noExplicitAny: tenants as the API answers them.
  let shopB: any;

  const domains = (tenantId: string) => `/api/v1/tenants/${tenantId}/domains`;
  const claim = (s: Session, tenantId: string, domain: string) =>
    s.call('POST', domains(tenantId), { domain });
  const verify = (s: Session, tenantId: string, domain: string) =>
    s.call('POST', `${domains(tenantId)}/${encodeURIComponent(domain)}/verify`);
  const remove = (s: Session, tenantId: string, domain: string) =>
    s.call('DELETE', `${domains(tenantId)}/${encodeURIComponent(domain)}`);
  /** Publishes the TXT record of a claim at the test's DNS server, beside `others`. */
  const publish = (d: TenantDomain, ...others: string[]) =>
    dns.setTxt(d.challenge.name, [...others, d.challenge.value]);
  const seenEvent = (type: string, tenantId: string, domain: string) =>
    waitFor(`${type} for ${domain}`, async () =>
      events.seen.find(
        (s) =>
          s.event.type === type &&
          s.event.subject === tenantId &&
          (s.event.data as { domain?: string }).domain === domain,
      ),
    );
  const route = async (tenantId: string) =>
    (await router.request('tenant.routes.get.v1', { tenantId })).route;

  before(async () => {
    dns = await startTxtServer();
    p = await startPlatform({
      tenantEnv: {
        TENANT_BASE_URL: BASE_URL,
        TENANT_DOMAIN_DNS_SERVERS: dns.address,
        TENANT_DOMAIN_DNS_TIMEOUT_MS: '1000',
      },
    });
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    events = await subscribeTenantEvents(p.natsAs('observer'));
    audit = await subscribeAudit(p.natsAs('admin'));
    router = await p.busAs('router');
    shopA = await createTenant(p, 'shop-a');
    shopB = await createTenant(p, 'shop-b');
  });
  after(async () => {
    await events?.close();
    await audit?.close();
    await p?.close();
    await dns?.close();
  });

  test('a claim answers the TXT record to create; missing or wrong records are refused with 422 saying what was found; the right one verifies', async () => {
    const made = await claim(owner, shopA.id, 'ERP.Acme.example.');
    assert.equal(made.status, 201, made.text);
    const pending = made.body as TenantDomain;
    assert.equal(pending.domain, 'erp.acme.example');
    assert.equal(pending.state, 'pending');
    assert.equal(pending.verifiedAt, null);
    assert.equal(pending.challenge.type, 'TXT');
    assert.equal(pending.challenge.name, '_ocp-challenge.erp.acme.example');
    assert.match(pending.challenge.value, /^ocp-verify=[0-9a-f]{40}$/);
    const again = await claim(owner, shopA.id, 'erp.acme.example');
    assert.equal(again.status, 200, 'claimed again: the same claim');
    assert.deepEqual(again.body, pending);

    const missing = await verify(owner, shopA.id, 'erp.acme.example');
    assert.equal(missing.status, 422, missing.text);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(missing.body.code, 'DOMAIN_VERIFICATION_FAILED');
    assert.ok(missing.body.detail.includes('_ocp-challenge.erp.acme.example'), missing.body.detail);
    assert.ok(missing.body.detail.includes(pending.challenge.value), missing.body.detail);
    assert.match(missing.body.detail, /NXDOMAIN/);

    dns.setTxt(pending.challenge.name, ['v=spf1 -all', 'ocp-verify=not-the-token']);
    const wrong = await verify(owner, shopA.id, 'erp.acme.example');
    assert.equal(wrong.status, 422, wrong.text);
    assert.match(wrong.body.detail, /2 TXT records "v=spf1 -all", "ocp-verify=not-the-token"/);
    assert.equal((await owner.call('GET', domains(shopA.id))).body.items[0].state, 'pending');

    publish(pending, 'v=spf1 -all');
    const verified = await verify(owner, shopA.id, 'erp.acme.example');
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.body.state, 'verified');
    assert.ok(Date.parse(verified.body.verifiedAt) >= Date.parse(pending.createdAt));
    assert.equal(verified.body.challenge.value, pending.challenge.value);
    const event = await seenEvent('ocp.tenant.domain_verified.v1', shopA.id, 'erp.acme.example');
    assert.deepEqual(event.event.data, { tenantId: shopA.id, domain: 'erp.acme.example' });
    // Verified again: as it is, and no second event.
    assert.equal((await verify(owner, shopA.id, 'erp.acme.example')).status, 200);

    const listed = await owner.call('GET', domains(shopA.id));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.items, [verified.body]);
    // The tenant list's search finds the tenant by its verified domain.
    const found = await owner.call('GET', '/api/v1/tenants?q=erp.acme');
    assert.deepEqual(
      found.body.items.map((t: { id: string }) => t.id),
      [shopA.id],
    );

    const [audited] = await audit.waitFor([verified.requestId]);
    assert.equal(audited!.data.action, 'tenant.domains.verify');
    assert.equal(audited!.data.target, `tenant:${shopA.id}`);
    assert.equal(audited!.data.tenantId, shopA.id);
    assert.equal((audited!.data.after as { domain: string }).domain, 'erp.acme.example');
    const [refused] = await audit.waitFor([wrong.requestId]);
    assert.equal(refused!.data.outcome, 'failed');
    assert.equal(
      events.seen.filter((s) => s.event.type === 'ocp.tenant.domain_verified.v1').length,
      1,
      'one event for one verification',
    );
  });

  test('a domain verified by one tenant cannot be verified, nor claimed, by another (409); once removed it can', async () => {
    const a = (await claim(owner, shopA.id, 'shared.example')).body as TenantDomain;
    const bClaim = await claim(owner, shopB.id, 'shared.example');
    assert.equal(bClaim.status, 201, 'two tenants may claim one name until one verifies it');
    const b = bClaim.body as TenantDomain;
    assert.notEqual(a.challenge.value, b.challenge.value, 'a token of its own per claim');
    dns.setTxt(a.challenge.name, [a.challenge.value, b.challenge.value]);

    assert.equal((await verify(owner, shopA.id, 'shared.example')).status, 200);
    const taken = await verify(owner, shopB.id, 'shared.example');
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.body.code, 'DOMAIN_TAKEN');
    const claimTaken = await claim(owner, shopB.id, 'erp.acme.example');
    assert.equal(claimTaken.status, 409, claimTaken.text);
    assert.equal(claimTaken.body.code, 'DOMAIN_TAKEN');

    const removed = await remove(owner, shopA.id, 'Shared.Example');
    assert.equal(removed.status, 200, removed.text);
    assert.equal(removed.body.domain, 'shared.example');
    await seenEvent('ocp.tenant.domain_removed.v1', shopA.id, 'shared.example');
    assert.equal((await remove(owner, shopA.id, 'shared.example')).body.code, 'DOMAIN_NOT_FOUND');
    const nowB = await verify(owner, shopB.id, 'shared.example');
    assert.equal(nowB.status, 200, nowB.text);
    assert.equal((await route(shopB.id))?.hosts.includes('shared.example'), true);
    assert.equal((await route(shopA.id))?.hosts.includes('shared.example'), false);

    // Removing a claim never verified publishes nothing.
    await claim(owner, shopA.id, 'never.example');
    assert.equal((await remove(owner, shopA.id, 'never.example')).status, 200);
    const unknown = await verify(owner, shopA.id, 'never.example');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'DOMAIN_NOT_FOUND');
    assert.equal(
      events.seen.some((s) => (s.event.data as { domain?: string }).domain === 'never.example'),
      false,
    );
    const noTenant = await claim(owner, randomUUID(), 'x.example');
    assert.equal(noTenant.status, 404);
    assert.equal(noTenant.body.code, 'TENANT_NOT_FOUND');
  });

  test('names that break a rule are refused with 400 and the rule; a Unicode name is kept in punycode', async () => {
    const cases: Array<[string, string]> = [
      ['10.1.2.3', 'DOMAIN_IS_IP'],
      ['[2001:db8::1]', 'DOMAIN_IS_IP'],
      ['odoo.test', 'DOMAIN_RESERVED'],
      ['shop-b.odoo.test', 'DOMAIN_RESERVED'],
      ['deep.shop-a.ODOO.test', 'DOMAIN_RESERVED'],
      [`${'label-of-sixty-chars-'.repeat(3).slice(0, 60)}.`.repeat(5).concat('com'), 'DOMAIN_TOO_LONG'],
      ['-bad.example', 'DOMAIN_LABEL_INVALID'],
      ['bad-.example', 'DOMAIN_LABEL_INVALID'],
      ['a..example', 'DOMAIN_LABEL_INVALID'],
      [`${'x'.repeat(64)}.example`, 'DOMAIN_LABEL_INVALID'],
      ['localhost', 'DOMAIN_NOT_QUALIFIED'],
      ['under_score.example', 'DOMAIN_INVALID'],
      ['spa ce.example', 'DOMAIN_INVALID'],
    ];
    for (const [domain, code] of cases) {
      const res = await claim(owner, shopA.id, domain);
      assert.equal(res.status, 400, `${domain}: ${res.text}`);
      assert.equal(res.body.code, code, `${domain}: ${res.text}`);
      assert.equal(res.body.field, 'body/domain', domain);
      assert.ok(res.body.detail.length > 10, domain);
    }
    const unicode = await claim(owner, shopA.id, 'Bücher.example');
    assert.equal(unicode.status, 201, unicode.text);
    assert.equal(unicode.body.domain, 'xn--bcher-kva.example');
    assert.equal(unicode.body.challenge.name, '_ocp-challenge.xn--bcher-kva.example');
    publish(unicode.body);
    // Named in the path as typed, in Unicode.
    const verified = await verify(owner, shopA.id, 'bücher.example');
    assert.equal(verified.status, 200, verified.text);
    assert.ok(dns.asked.includes('_ocp-challenge.xn--bcher-kva.example'));
  });

  test("a viewer reads a tenant's domains but cannot claim one; an operator limited to one tenant cannot touch another's", async () => {
    const viewer = await invite(owner, 'domains-viewer@example.com', 'viewer');
    assert.equal((await viewer.call('GET', domains(shopA.id))).status, 200);
    const refused = await claim(viewer, shopA.id, 'viewer.example');
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.permission, 'tenants:write');
    assert.equal((await verify(viewer, shopA.id, 'erp.acme.example')).status, 403);
    assert.equal((await remove(viewer, shopA.id, 'erp.acme.example')).status, 403);

    const scoped = await invite(owner, 'domains-scoped@example.com', 'operator', [shopB.id]);
    assert.equal((await claim(scoped, shopB.id, 'scoped.example')).status, 201);
    const other = await remove(scoped, shopA.id, 'erp.acme.example');
    assert.equal(other.status, 403, other.text);
    assert.equal((await scoped.call('GET', domains(shopA.id))).status, 403);
    const still = await owner.call('GET', domains(shopA.id));
    assert.ok(still.body.items.some((d: TenantDomain) => d.domain === 'erp.acme.example'));
  });

  test('tenant.routes.list pages every tenant with a database exactly once, with its hosts, state and upstream', async () => {
    // Tenants in every state, on runtimes with and without a gevent address of their own.
    const runtimes = { a: randomUUID(), b: randomUUID() };
    for (const [id, name, rpc, ws] of [
      [runtimes.a, 'route-a', 'http://odoo-a:8069', null],
      [runtimes.b, 'route-b', 'https://odoo-b.internal', 'http://odoo-b-gevent:9072'],
    ] as const)
      await adminQuery(
        `INSERT INTO odoo_runtimes (id, name, odoo_version, rpc_url, websocket_url, master_password_sealed,
           database_server_id, db_role, filestore_path, state)
         SELECT $1, $2, '18.0', $3, $4, 'unused', id, 'odoo', '/nonexistent', 'disabled' FROM database_servers LIMIT 1`,
        [id, name, rpc, ws],
        p.databases.tenant,
      );
    const states = [
      'pending',
      'provisioning',
      'active',
      'suspended',
      'failed',
      'restoring',
      'migrating',
      'deleting',
      'deleted',
    ];
    const on: Record<string, string | null> = {
      suspended: runtimes.a,
      restoring: runtimes.a,
      migrating: runtimes.b,
      pending: runtimes.a,
      deleting: runtimes.b,
    };
    const seeded = states.map((state) => ({
      id: randomUUID(),
      slug: `seed-${state}`,
      state,
      runtimeId: on[state] ?? null,
      // One keeps an address of its own (a tenant made before TENANT_BASE_URL changed).
      baseUrl: state === 'migrating' ? 'http://Legacy.Example.org:8069/' : null,
    }));
    for (const s of seeded)
      await adminQuery(
        `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, runtime_id, base_url)
         VALUES ($1, $2, $2, 'starter', $3, $4, $5, $6)`,
        [s.id, s.slug, s.state, `${p.prefix}${s.slug.replaceAll('-', '_')}`, s.runtimeId, s.baseUrl],
        p.databases.tenant,
      );

    const routes: Route[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await router.request('tenant.routes.list.v1', { limit: 2, ...(after ? { after } : {}) });
      assert.ok(page.routes.length <= 2);
      routes.push(...page.routes);
      after = page.next;
      pages++;
    } while (after && pages < 50);
    const routable = ['active', 'suspended', 'restoring', 'migrating'];
    const expected = [
      shopA.id,
      shopB.id,
      ...seeded.filter((s) => routable.includes(s.state)).map((s) => s.id),
    ];
    const ids = routes.map((r) => r.tenantId);
    assert.equal(new Set(ids).size, ids.length, 'no tenant twice');
    assert.deepEqual([...ids].sort(), [...expected].sort(), 'every routable tenant, no other');
    assert.deepEqual(ids, [...ids].sort(), 'in tenant-id order');
    const all = await router.request('tenant.routes.list.v1', {});
    assert.deepEqual(all.routes, routes, 'one page of the default size holds the same');
    assert.equal(all.next, undefined);

    const byId = new Map(routes.map((r) => [r.tenantId, r]));
    const seed = (state: string) => seeded.find((s) => s.state === state)!;
    assert.deepEqual(byId.get(seed('active').id), {
      tenantId: seed('active').id,
      slug: 'seed-active',
      state: 'active',
      database: `${p.prefix}seed_active`,
      hosts: ['seed-active.odoo.test'],
      upstream: null,
    });
    assert.deepEqual(byId.get(seed('suspended').id)?.upstream, {
      http: 'odoo-a:8069',
      websocket: 'odoo-a:8072',
    });
    assert.equal(byId.get(seed('suspended').id)?.state, 'suspended');
    assert.deepEqual(byId.get(seed('restoring').id)?.upstream, {
      http: 'odoo-a:8069',
      websocket: 'odoo-a:8072',
    });
    assert.deepEqual(byId.get(seed('migrating').id)?.upstream, {
      http: 'odoo-b.internal:443',
      websocket: 'odoo-b-gevent:9072',
    });
    assert.deepEqual(byId.get(seed('migrating').id)?.hosts, ['legacy.example.org']);
    assert.deepEqual(byId.get(shopA.id)?.hosts, [
      'shop-a.odoo.test',
      'erp.acme.example',
      'xn--bcher-kva.example',
    ]);
    assert.deepEqual(byId.get(shopB.id)?.hosts, ['shop-b.odoo.test', 'shared.example']);
    assert.equal(byId.get(shopA.id)?.database, shopA.databaseName);

    const forged = await rpcError(router.request('tenant.routes.list.v1', { after: 'not-a-cursor' }));
    assert.equal(forged.code, 'VALIDATION_FAILED');
    assert.equal(forged.field, '/after');
    // The router reads routes and nothing else: NATS refuses it a domain's claim.
    await assert.rejects(
      router.request(
        'tenant.domains.add.v1',
        { tenantId: shopB.id, domain: 'router.example' },
        { timeoutMs: 1500 },
      ),
    );
    const bDomains = (await owner.call('GET', domains(shopB.id))).body.items as TenantDomain[];
    assert.equal(
      bDomains.some((d) => d.domain === 'router.example'),
      false,
    );
    for (const s of seeded.filter((x) => !routable.includes(x.state)))
      assert.equal(await route(s.id), null, `${s.state}: nothing to route`);
  });

  test('tenant.routes.get follows the tenant: suspended says so, deleted is null and its domains are free for another', async () => {
    const suspended = await owner.call('POST', `/api/v1/tenants/${shopB.id}/suspend`, { reason: 'manual' });
    assert.equal(suspended.status, 202, suspended.text);
    assert.equal((await p.api.waitOperation(suspended.body.operation.id)).state, 'succeeded');
    const b = await route(shopB.id);
    assert.equal(b?.state, 'suspended');
    assert.deepEqual(b?.hosts, ['shop-b.odoo.test', 'shared.example']);

    const deleted = await owner.call('DELETE', `/api/v1/tenants/${shopA.id}`);
    assert.equal(deleted.status, 202, deleted.text);
    const gateway = await p.busAs('gateway');
    await waitFor(
      'the tenant to be purged',
      async () =>
        (await gateway.request('tenant.get.v1', { tenantId: shopA.id })).tenant.state === 'deleted' ||
        undefined,
      { timeoutMs: 60_000 },
    );
    assert.equal(await route(shopA.id), null);
    assert.equal(await route(randomUUID()), null, 'no such tenant');
    for (const domain of ['erp.acme.example', 'xn--bcher-kva.example'])
      await seenEvent('ocp.tenant.domain_removed.v1', shopA.id, domain);

    // The purged tenant's domain is free: another tenant claims and verifies it.
    const reclaimed = await claim(owner, shopB.id, 'erp.acme.example');
    assert.equal(reclaimed.status, 201, reclaimed.text);
    publish(reclaimed.body);
    assert.equal((await verify(owner, shopB.id, 'erp.acme.example')).status, 200);
    assert.ok((await route(shopB.id))?.hosts.includes('erp.acme.example'));
  });
});
