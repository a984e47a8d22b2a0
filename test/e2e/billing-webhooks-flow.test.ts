import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminQuery, waitFor } from '@ocp/testkit';
import { stripeSubscriptionEvent } from '../../services/billing/test/fixtures.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { deliverStripeWebhook } from '../support/stripe.ts';

const secret = 'whsec_flow_test_secret';

let p: Platform;
before(async () => {
  p = await startPlatform({
    gatewayEnv: { STRIPE_WEBHOOK_SECRETS: secret },
    billingEnv: { BILLING_PLAN_MAP: '{"price_basic":"basic"}', BILLING_PAST_DUE_GRACE_SECONDS: '0' },
  });
});
after(async () => p?.close());

const deliver = (event: Record<string, unknown>) => deliverStripeWebhook(p.gateway.url, secret, event);

test('webhooks keep getting 200 while the billing service is down, and each is applied once, in the provider order, when it is back', async () => {
  const created = await p.api.call('POST', '/api/v1/tenants', { slug: 'payer', displayName: 'Payer' });
  await p.api.waitOperation(created.body.operation.id);
  const tenantId: string = created.body.tenant.id;
  await waitFor('billing to know the tenant', async () => {
    const { rows } = await adminQuery(
      'SELECT 1 FROM known_tenants WHERE id = $1',
      [tenantId],
      p.billingEnv.DATABASE_URL,
    );
    return rows.length > 0 ? true : undefined;
  });

  await p.stopBilling();
  const t0 = 1_780_000_000;
  const event = (n: number, status: string) =>
    stripeSubscriptionEvent({
      id: `evt_flow_${n}`,
      sub: 'sub_flow',
      type: 'customer.subscription.updated',
      created: t0 + n * 60,
      status,
      tenantId,
      price: 'price_basic',
    });
  // Delivered late and out of order, one of them three times: unpaid is the newest state.
  const deliveries = [
    event(3, 'unpaid'),
    event(1, 'active'),
    event(3, 'unpaid'),
    event(2, 'past_due'),
    event(3, 'unpaid'),
  ];
  for (const e of deliveries) assert.equal(await deliver(e), 200);
  const meanwhile = await p.api.call('GET', `/api/v1/tenants/${tenantId}`);
  assert.equal(meanwhile.body.state, 'active', 'nothing is applied while billing is down');

  await p.startBilling();
  const suspended = await waitFor(
    'the tenant to be suspended for billing',
    async () => {
      const t = (await p.api.call('GET', `/api/v1/tenants/${tenantId}`)).body;
      return t.state === 'suspended' ? t : undefined;
    },
    { timeoutMs: 30_000 },
  );
  assert.deepEqual(suspended.suspensionReasons, ['billing']);
  const subs = await p.api.call('GET', `/api/v1/tenants/${tenantId}/subscriptions`);
  assert.equal(subs.status, 200, JSON.stringify(subs.body));
  assert.equal(subs.body.items.length, 1);
  assert.equal(subs.body.items[0].status, 'unpaid');
  assert.equal(subs.body.items[0].lastEventId, 'evt_flow_3');
  const history = await p.api.call('GET', `/api/v1/billing/webhooks?tenantId=${tenantId}&limit=50`);
  assert.equal(history.status, 200, JSON.stringify(history.body));
  const ids = history.body.items.map((i: { providerEventId: string }) => i.providerEventId).sort();
  assert.deepEqual(
    ids,
    ['evt_flow_1', 'evt_flow_2', 'evt_flow_3'],
    'three provider events, each recorded once',
  );
});
