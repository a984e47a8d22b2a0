import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type Bus, createBus, RpcError } from '@ocp/bus';
import type {
  BillingCheckoutCreateRequestV1,
  BillingSubscription,
  BillingWebhooksListRequestV1,
} from '@ocp/contracts';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { startTenantService, type TenantService } from '@ocp/tenant';
import { parseConfig as tenantConfig } from '@ocp/tenant/config';
import { type PlatformEnv, preparePlatform } from '../support/platform.ts';
import { invite, login, type Session } from '../support/rbac.ts';

/**
 * The billing service's side of the billing methods, as the contract in proto-schemas/ states it,
 * over the real bus: the billing service is built alongside, and this test is about the gateway.
 */
async function serveBillingContract(nats: ConnectionOptions) {
  const nc = await connect(nats);
  const bus: Bus = await createBus({
    nc,
    logger: createLogger('billing-contract', 'warn'),
    service: 'billing',
  });
  const calls: Array<{ name: string; request: unknown }> = [];
  const subscription = (tenantId: string): BillingSubscription => ({
    id: randomUUID(),
    provider: 'stripe',
    providerSubscriptionId: 'sub_123',
    customerId: 'cus_123',
    tenantId,
    plan: 'pro',
    priceId: 'price_pro',
    status: 'active',
    currentPeriodEnd: '2026-12-01T00:00:00.000Z',
    cancelAtPeriodEnd: false,
    lastEventId: 'evt_1',
    lastEventType: 'customer.subscription.updated',
    lastEventAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:01.000Z',
  });
  bus.serve('billing.subscriptions.get.v1', async (req) => {
    calls.push({ name: 'subscriptions', request: req });
    return { items: [subscription(req.tenantId)] };
  });
  bus.serve('billing.webhooks.list.v1', async (req: BillingWebhooksListRequestV1) => {
    calls.push({ name: 'webhooks', request: req });
    return {
      items: [
        {
          id: 'stripe:evt_1',
          provider: 'stripe',
          providerEventId: 'evt_1',
          providerEventType: 'customer.subscription.updated',
          status: 'applied',
          tenantId: req.tenantId ?? null,
          receivedAt: '2026-11-01T00:00:00.000Z',
          detail: null,
        },
      ],
      nextCursor: 'c2',
    };
  });
  const link = (kind: string) => async (req: BillingCheckoutCreateRequestV1) => {
    calls.push({ name: kind, request: req });
    if (req.provider === 'paddle') throw new RpcError('BILLING_NOT_CONFIGURED', 'PADDLE_API_KEY is not set');
    return { url: `https://checkout.stripe.com/c/pay/${kind}_123` };
  };
  bus.serve('billing.checkout.create.v1', link('checkout'));
  bus.serve('billing.portal.create.v1', link('portal'));
  return {
    calls,
    async close() {
      await bus.close();
      await nc.close();
    },
  };
}

describe('the billing routes of the gateway', () => {
  let env: PlatformEnv;
  let tenantService: TenantService;
  let gateway: Gateway;
  let billing: Awaited<ReturnType<typeof serveBillingContract>> | undefined;
  let owner: Session;
  let scoped: Session;
  let tenantA: string;
  let tenantB: string;

  before(async () => {
    env = await preparePlatform();
    const tcfg = tenantConfig(env.tenantEnv);
    tenantService = await startTenantService(tcfg, createLogger('tenant', tcfg.LOG_LEVEL));
    const cfg = gatewayConfig({ ...env.gatewayEnv, RPC_TIMEOUT_MS: '1000' });
    gateway = await startGateway(cfg, createLogger('gateway', cfg.LOG_LEVEL));
    owner = await login(gateway.url, 'owner@example.com', env.ownerPassword);
    const make = async (slug: string) => {
      const res = await owner.call('POST', '/api/v1/tenants', { slug, displayName: slug });
      assert.equal(res.status, 202, res.text);
      return res.body.tenant.id as string;
    };
    tenantA = await make('bill-a');
    tenantB = await make('bill-b');
    scoped = await invite(owner, 'scoped-billing@example.com', 'billing', [tenantA]);
    billing = await serveBillingContract(env.natsAs('billing'));
  });
  after(async () => {
    await billing?.close();
    await gateway?.close();
    await tenantService?.close();
    await env?.dispose();
  });

  test("a tenant's subscriptions, by slug or id, come from the billing service for the tenant's id", async () => {
    for (const key of ['bill-a', tenantA]) {
      const res = await owner.call('GET', `/api/v1/tenants/${key}/subscriptions`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.items.length, 1);
      assert.equal(res.body.items[0].tenantId, tenantA);
      assert.equal(res.body.items[0].status, 'active');
      assert.deepEqual(billing!.calls.at(-1), { name: 'subscriptions', request: { tenantId: tenantA } });
    }
    const other = await scoped.call('GET', `/api/v1/tenants/${tenantB}/subscriptions`);
    assert.equal(other.status, 403);
    assert.equal(other.body.permission, 'billing:read');
    assert.equal((await scoped.call('GET', `/api/v1/tenants/bill-a/subscriptions`)).status, 200);
  });

  test('the webhook history passes its filters and cursor; the limit is bounded; a limited account names its tenant', async () => {
    const res = await owner.call(
      'GET',
      `/api/v1/billing/webhooks?provider=stripe&status=applied&tenantId=${tenantA}&cursor=c1&limit=200`,
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.nextCursor, 'c2');
    assert.equal(res.body.items[0].id, 'stripe:evt_1');
    assert.deepEqual(billing!.calls.at(-1), {
      name: 'webhooks',
      request: { limit: 200, cursor: 'c1', provider: 'stripe', status: 'applied', tenantId: tenantA },
    });
    const dflt = await owner.call('GET', '/api/v1/billing/webhooks');
    assert.equal(dflt.status, 200);
    assert.deepEqual(billing!.calls.at(-1)!.request, { limit: 50 });
    for (const q of ['limit=201', 'limit=0', 'status=maybe', 'provider=paypal', 'tenantId=nope', 'extra=1'])
      assert.equal((await owner.call('GET', `/api/v1/billing/webhooks?${q}`)).status, 400, q);

    const mine = await scoped.call('GET', `/api/v1/billing/webhooks?tenantId=${tenantA}`);
    assert.equal(mine.status, 200);
    const all = await scoped.call('GET', '/api/v1/billing/webhooks');
    assert.equal(all.status, 403);
    assert.match(all.body.detail, /passes tenantId=/);
    const other = await scoped.call('GET', `/api/v1/billing/webhooks?tenantId=${tenantB}`);
    assert.equal(other.status, 403);
    assert.equal(other.body.permission, 'billing:read');
  });

  test('checkout and portal links pass the body with the tenant id; a provider without an API key is a 409', async () => {
    for (const kind of ['checkout', 'portal']) {
      const res = await owner.call('POST', `/api/v1/tenants/bill-a/billing/${kind}`, {
        provider: 'stripe',
        priceId: 'price_pro',
        returnUrl: 'https://example.com/back',
      });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.url, /^https:\/\/checkout\.stripe\.com\//);
      assert.deepEqual(billing!.calls.at(-1), {
        name: kind,
        request: {
          tenantId: tenantA,
          provider: 'stripe',
          priceId: 'price_pro',
          returnUrl: 'https://example.com/back',
        },
      });
      const missing = await owner.call('POST', `/api/v1/tenants/bill-a/billing/${kind}`, {
        provider: 'paddle',
      });
      assert.equal(missing.status, 409, missing.text);
      assert.equal(missing.body.code, 'BILLING_NOT_CONFIGURED');
      assert.equal(missing.body.detail.startsWith('the paddle API key is not configured'), true);
    }
    const bad = await owner.call('POST', '/api/v1/tenants/bill-a/billing/checkout', {
      provider: 'stripe',
      nope: 1,
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /nope is not a known field/);
    const other = await scoped.call('POST', `/api/v1/tenants/${tenantB}/billing/portal`, {
      provider: 'stripe',
    });
    assert.equal(other.status, 403);
    assert.equal(other.body.permission, 'billing:write');
  });

  test('a billing service that does not answer is a 503', async () => {
    await billing!.close();
    billing = undefined;
    for (const [method, path, body] of [
      ['GET', `/api/v1/tenants/${tenantA}/subscriptions`, undefined],
      ['GET', '/api/v1/billing/webhooks', undefined],
      ['POST', `/api/v1/tenants/${tenantA}/billing/checkout`, { provider: 'stripe' }],
    ] as const) {
      const res = await owner.call(method, path, body);
      assert.equal(res.status, 503, `${path}: ${res.text}`);
      assert.equal(res.body.code, 'SERVICE_UNAVAILABLE');
    }
  });
});
