import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import { type BillingSubscription, makeEvent } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import { type PaddleDouble, startPaddleDouble } from '../support/paddle-double.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { followQuotaEvents } from '../support/quota-event-log.ts';
import { type StripeDouble, startStripeDouble } from '../support/stripe-double.ts';

const UNLIMITED = {
  activeUsers: null,
  databaseBytes: null,
  filestoreBytes: null,
  backupBytes: null,
  backupGenerations: null,
};
const today = () => new Date().toISOString().slice(0, 10);

describe('metered usage: the active-user count reaches Stripe and Paddle once per period', () => {
  let p: Platform;
  let bus: Bus;
  let stripe: StripeDouble;
  let paddle: PaddleDouble;
  let events: Awaited<ReturnType<typeof followQuotaEvents>>;
  before(async () => {
    stripe = await startStripeDouble();
    paddle = await startPaddleDouble();
    p = await startPlatform({
      quotaEnv: {
        STRIPE_API_KEY: stripe.apiKey,
        STRIPE_API_BASE: stripe.url,
        PADDLE_API_KEY: paddle.apiKey,
        PADDLE_API_BASE: paddle.url,
        // A day per period (the default), looked at often: every run after the first finds the
        // period reported, so what the doubles received shows whether it was sent twice.
        QUOTA_METERING_INTERVAL_MS: '86400000',
        QUOTA_METERING_RUN_INTERVAL_MS: '100',
      },
    });
    bus = await p.busAs('admin');
    events = await followQuotaEvents(p.natsAs('observer'));
    for (const plan of [
      { name: 'seats-stripe', metered: { provider: 'stripe', meterEventName: 'active_users' } },
      { name: 'seats-paddle', metered: { provider: 'paddle', priceId: 'pri_seats' } },
    ]) {
      const res = await p.api.call('PUT', `/api/v1/plans/${plan.name}`, {
        metered: plan.metered,
        displayName: plan.name,
        limits: UNLIMITED,
      });
      assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.body));
    }
  });
  after(async () => {
    await events?.close();
    await p?.close();
    await stripe?.close();
    await paddle?.close();
  });

  async function createTenant(slug: string, plan: string): Promise<string> {
    const { tenant, operation } = await bus.request('tenant.create.v1', {
      slug,
      displayName: `Tenant ${slug}`,
      plan,
    });
    await waitFor(`tenant ${slug} to be provisioned`, async () => {
      const { operation: op } = await bus.request('operation.get.v1', { operationId: operation.id });
      return op.state === 'succeeded' ? op : undefined;
    });
    return tenant.id;
  }
  /** Billing's announcement of the tenant's subscription, as the billing service publishes it. */
  async function subscribed(tenantId: string, provider: 'stripe' | 'paddle', sub: string, customer: string) {
    const at = new Date().toISOString();
    const subscription: BillingSubscription = {
      id: randomUUID(),
      provider,
      providerSubscriptionId: sub,
      customerId: customer,
      tenantId,
      plan: null,
      priceId: null,
      status: 'active',
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      lastEventId: `evt_${randomUUID()}`,
      lastEventType: 'subscription.updated',
      lastEventAt: at,
      updatedAt: at,
    };
    await bus.publish(
      makeEvent(
        'ocp.billing.subscription_changed.v1',
        { subscription },
        { source: 'ocp/billing', subject: tenantId },
      ),
    );
  }
  /** Measures the tenant now, as the admin app's "measure now" does; answers its active users. */
  async function measure(tenantId: string): Promise<number> {
    const res = await p.api.call('POST', `/api/v1/tenants/${tenantId}/usage/measure`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(typeof res.body.sample.activeUsers, 'number');
    return res.body.sample.activeUsers;
  }
  async function meteringRuns(): Promise<number> {
    const text = await (await fetch(`${p.quota!.url}/metrics`)).text();
    return Number(/^ocp_quota_metering_runs_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  }
  /** Waits until the metering has run `n` more times. */
  async function moreRuns(n: number) {
    const from = await meteringRuns();
    await waitFor(`${n} more metering runs`, async () =>
      (await meteringRuns()) >= from + n ? true : undefined,
    );
  }
  const reportsOf = async (tenantId: string) =>
    (
      await adminQuery<{ period: string; provider: string; quantity: number }>(
        'SELECT period, provider, quantity FROM usage_reports WHERE tenant_id = $1',
        [tenantId],
        p.databases.quota,
      )
    ).rows;

  test('Stripe: one meter event for the period with the measured count; later runs send nothing', async () => {
    const tenantId = await createTenant('meter-stripe', 'seats-stripe');
    await subscribed(tenantId, 'stripe', 'sub_meter1', 'cus_meter1');
    const users = await measure(tenantId);
    const reported = await waitFor('the usage report', async () =>
      events.of('ocp.quota.usage_reported.v1', tenantId).at(0),
    );
    assert.deepEqual(reported, { tenantId, provider: 'stripe', period: today(), quantity: users });
    await moreRuns(3);
    const mine = stripe.accepted.filter((e) => e.payload.stripe_customer_id === 'cus_meter1');
    assert.deepEqual(mine, [
      {
        eventName: 'active_users',
        identifier: `${tenantId}:${today()}`,
        payload: { stripe_customer_id: 'cus_meter1', value: String(users) },
        idempotencyKey: `${tenantId}:${today()}`,
      },
    ]);
    assert.equal(events.of('ocp.quota.usage_reported.v1', tenantId).length, 1);
    assert.deepEqual(await reportsOf(tenantId), [{ period: today(), provider: 'stripe', quantity: users }]);
  });

  test('Paddle: the seats item of the subscription is set to the count once; later runs send nothing', async () => {
    paddle.addSubscription('sub_01meter', 'ctm_01meter', [
      { priceId: 'pri_base', quantity: 1 },
      // Far from any count the tenant has: the report must change it.
      { priceId: 'pri_seats', quantity: 99 },
    ]);
    const tenantId = await createTenant('meter-paddle', 'seats-paddle');
    await subscribed(tenantId, 'paddle', 'sub_01meter', 'ctm_01meter');
    const users = await measure(tenantId);
    await waitFor('the usage report', async () => events.of('ocp.quota.usage_reported.v1', tenantId).at(0));
    await moreRuns(3);
    const quantity = Math.max(1, users);
    assert.deepEqual(paddle.itemsOf('sub_01meter'), [
      { priceId: 'pri_base', quantity: 1 },
      { priceId: 'pri_seats', quantity },
    ]);
    assert.equal(paddle.updates().filter((u) => u.subscriptionId === 'sub_01meter').length, 1);
    assert.deepEqual(events.of('ocp.quota.usage_reported.v1', tenantId), [
      { tenantId, provider: 'paddle', period: today(), quantity },
    ]);
  });

  test('a refused report is not marked sent, and a later run sends it', async () => {
    const tenantId = await createTenant('meter-refused', 'seats-stripe');
    await measure(tenantId);
    // Stripe refuses every report until told otherwise: runs keep trying, nothing is recorded.
    stripe.refuseNext(1_000_000);
    await subscribed(tenantId, 'stripe', 'sub_meter2', 'cus_meter2');
    await waitFor('two refusals', async () =>
      stripe.requests.filter((r) => r.status === 500).length >= 2 ? true : undefined,
    );
    assert.deepEqual(await reportsOf(tenantId), []);
    assert.deepEqual(events.of('ocp.quota.usage_reported.v1', tenantId), []);
    stripe.refuseNext(0);
    const reported = await waitFor('the usage report', async () =>
      events.of('ocp.quota.usage_reported.v1', tenantId).at(0),
    );
    assert.equal(reported.period, today());
    await moreRuns(2);
    assert.equal(stripe.accepted.filter((e) => e.payload.stripe_customer_id === 'cus_meter2').length, 1);
    assert.equal((await reportsOf(tenantId)).length, 1);
  });
});
