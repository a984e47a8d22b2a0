import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import { type BillingWebhooksListRequestV1, type CloudEvent, makeEvent, messages } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import {
  paddleSubscriptionEvent,
  paddleTransactionEvent,
  stripeSubscriptionEvent,
} from '../../services/billing/test/fixtures.ts';
import { type Platform, startPlatform } from '../support/platform.ts';

type Provider = 'stripe' | 'paddle';

/** The event the gateway publishes for a verified webhook: its id is `<provider>:<event id>`. */
function received(
  provider: Provider,
  body: Record<string, unknown>,
): CloudEvent<'ocp.billing.webhook_received.v1'> {
  const eventId = String(body.id ?? body.event_id);
  return makeEvent(
    'ocp.billing.webhook_received.v1',
    {
      provider,
      providerEventId: eventId,
      providerEventType: String(body.type ?? body.event_type),
      receivedAt: new Date().toISOString(),
      body: JSON.stringify(body),
    },
    { source: 'ocp/gateway', id: `${provider}:${eventId}` },
  );
}

let clock = 1_770_000_000;
/** A Stripe subscription event, each newer than the one before. */
function stripe(sub: string, tenantId: string, status: string, opts: { type?: string; price?: string } = {}) {
  clock += 60;
  return received(
    'stripe',
    stripeSubscriptionEvent({
      id: `evt_${sub}_${clock}`,
      sub,
      type: opts.type ?? 'customer.subscription.updated',
      created: clock,
      status,
      tenantId,
      price: opts.price ?? 'price_basic',
    }),
  );
}
const paddleAt = () => {
  clock += 60;
  return new Date(clock * 1000).toISOString();
};

describe('the billing service moves tenants from provider webhooks', () => {
  let p: Platform;
  // The admin's bus: it calls the methods as the gateway does and injects webhook events.
  let bus: Bus;
  before(async () => {
    p = await startPlatform({
      billingEnv: {
        BILLING_PLAN_MAP: '{"price_basic":"basic","price_pro":"pro","pri_basic":"basic","pri_pro":"pro"}',
        BILLING_PAST_DUE_GRACE_SECONDS: '0',
      },
    });
    bus = await p.busAs('admin');
  });
  after(async () => {
    await p?.close();
  });

  const publish = (e: CloudEvent) => bus.publish(e);

  async function createTenant(slug: string) {
    const { tenant, operation } = await bus.request('tenant.create.v1', {
      slug,
      displayName: `Tenant ${slug}`,
      plan: 'free',
    });
    await waitOp(operation.id);
    // Billing knows the tenant from the lifecycle events before a webhook names it.
    await waitFor(`billing to know ${slug}`, async () => {
      const { rows } = await adminQuery(
        'SELECT 1 FROM known_tenants WHERE id = $1',
        [tenant.id],
        p.billingEnv.DATABASE_URL,
      );
      return rows.length > 0 ? true : undefined;
    });
    return tenant.id;
  }
  async function waitOp(id: string) {
    return await waitFor(`operation ${id} to end`, async () => {
      const { operation: op } = await bus.request('operation.get.v1', { operationId: id });
      return op.state === 'succeeded' || op.state === 'failed' ? op : undefined;
    });
  }
  const getTenant = async (tenantId: string) => (await bus.request('tenant.get.v1', { tenantId })).tenant;
  /**
   * The webhook history. The generated request type gives `status` the subscription's statuses (a
   * name clash in the generated types); the schema, which the bus checks, has the webhook ones.
   */
  const webhooks = (req: Omit<BillingWebhooksListRequestV1, 'status'> & { status?: string }) =>
    bus.request('billing.webhooks.list.v1', req as BillingWebhooksListRequestV1);
  /** Waits until the tenant is in `state` with exactly `reasons`, and no operation of it is open. */
  async function waitTenant(tenantId: string, state: string, reasons: string[], plan?: string) {
    return await waitFor(
      `tenant ${tenantId} to be ${state} [${reasons}]${plan ? ` on ${plan}` : ''}`,
      async () => {
        const t = await getTenant(tenantId);
        const open = await billingOps(tenantId, "('queued','running')");
        return t.state === state &&
          JSON.stringify(t.suspensionReasons) === JSON.stringify(reasons) &&
          (plan === undefined || t.plan === plan) &&
          open === 0
          ? t
          : undefined;
      },
    );
  }
  async function billingOps(tenantId: string, states = "('queued','running','succeeded','failed')") {
    const { rows } = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM operations WHERE tenant_id = $1 AND actor = 'system:billing' AND state IN ${states}`,
      [tenantId],
      p.tenantEnv.DATABASE_URL,
    );
    return rows[0]!.n;
  }

  test('Stripe: active sets the plan, past_due (grace 0) suspends, active resumes, an upgrade changes the plan, canceled suspends', async () => {
    const tenantId = await createTenant('bill-stripe');
    const sub = 'sub_e2e_stripe';
    await publish(stripe(sub, tenantId, 'active', { type: 'customer.subscription.created' }));
    await waitTenant(tenantId, 'active', [], 'basic');
    await publish(stripe(sub, tenantId, 'past_due'));
    await waitTenant(tenantId, 'suspended', ['billing']);
    await publish(stripe(sub, tenantId, 'active'));
    await waitTenant(tenantId, 'active', []);
    await publish(stripe(sub, tenantId, 'active', { price: 'price_pro' }));
    await waitTenant(tenantId, 'active', [], 'pro');
    await publish(
      stripe(sub, tenantId, 'canceled', { type: 'customer.subscription.deleted', price: 'price_pro' }),
    );
    await waitTenant(tenantId, 'suspended', ['billing'], 'pro');
    assert.equal(await billingOps(tenantId), 3, 'suspend, resume, suspend');

    const { items } = await bus.request('billing.subscriptions.get.v1', { tenantId });
    assert.equal(items.length, 1);
    assert.equal(items[0]!.status, 'canceled');
    assert.equal(items[0]!.plan, 'pro');
    assert.equal(items[0]!.providerSubscriptionId, sub);
  });

  test('Paddle: past_due suspends, a completed transaction resumes, paused suspends', async () => {
    const tenantId = await createTenant('bill-paddle');
    const sub = 'sub_01e2epaddle';
    const ev = (type: string, status: string) =>
      received(
        'paddle',
        paddleSubscriptionEvent({
          id: `evt_01${clock}`,
          sub,
          type,
          at: paddleAt(),
          status,
          tenantId,
          price: 'pri_pro',
        }),
      );
    await publish(ev('subscription.activated', 'active'));
    await waitTenant(tenantId, 'active', [], 'pro');
    await publish(ev('subscription.past_due', 'past_due'));
    await waitTenant(tenantId, 'suspended', ['billing']);
    await publish(
      received(
        'paddle',
        paddleTransactionEvent({
          id: `evt_01${clock}tx`,
          sub,
          type: 'transaction.completed',
          at: paddleAt(),
          tenantId,
        }),
      ),
    );
    await waitTenant(tenantId, 'active', []);
    await publish(ev('subscription.paused', 'paused'));
    await waitTenant(tenantId, 'suspended', ['billing']);
  });

  test('the same webhook delivered ten times has one effect', async () => {
    const tenantId = await createTenant('bill-dup');
    const event = stripe('sub_e2e_dup', tenantId, 'canceled', { type: 'customer.subscription.deleted' });
    // Ten publishes as the gateway makes them (JetStream drops the copies within its window) and
    // ten more that get past it, as a provider's redelivery after the window would.
    for (let i = 0; i < 10; i++) await publish(event);
    const bytes = new TextEncoder().encode(JSON.stringify(event));
    for (let i = 0; i < 10; i++) {
      await bus.publishRaw(messages[event.type].subject, bytes, `${event.id}#again-${i}`);
    }
    await waitTenant(tenantId, 'suspended', ['billing']);
    const list = await waitFor('every copy to be recorded', async () => {
      const r = await webhooks({ limit: 50, tenantId });
      const dups = (await webhooks({ limit: 50, status: 'duplicate' })).items.filter(
        (i) => i.providerEventId === event.data.providerEventId,
      );
      return dups.length === 10 ? r : undefined;
    });
    assert.deepEqual(
      list.items.map((i) => i.status),
      ['applied'],
    );
    assert.equal(await billingOps(tenantId), 1);
  });

  test('a webhook for a tenant the platform does not know is kept and listed as unmatched', async () => {
    const stranger = '00000000-0000-4000-8000-000000000001';
    const event = stripe('sub_e2e_stranger', stranger, 'active');
    await publish(event);
    const found = await waitFor('the unmatched webhook', async () => {
      const r = await webhooks({ limit: 10, status: 'unmatched' });
      return r.items.find((i) => i.id === event.id);
    });
    assert.equal(found.tenantId, stranger);
    assert.equal(found.provider, 'stripe');
    assert.match(found.detail ?? '', /no tenant/);
  });

  test('webhooks that arrive while billing is stopped are each applied once when it is back', async () => {
    const tenantId = await createTenant('bill-down');
    const sub = 'sub_e2e_down';
    const created = stripe(sub, tenantId, 'active', { type: 'customer.subscription.created' });
    const pastDue = stripe(sub, tenantId, 'past_due');
    const canceled = stripe(sub, tenantId, 'canceled', { type: 'customer.subscription.deleted' });
    await p.stopBilling();
    // Out of order, as providers deliver: the newest first.
    for (const e of [canceled, created, pastDue, canceled]) await publish(e);
    assert.equal((await getTenant(tenantId)).state, 'active');
    await p.startBilling();
    await waitTenant(tenantId, 'suspended', ['billing']);
    const list = await waitFor('three webhooks recorded', async () => {
      const r = await webhooks({ limit: 50, tenantId });
      return r.items.length === 3 ? r : undefined;
    });
    assert.deepEqual(list.items.map((i) => i.status).sort(), ['applied', 'applied', 'applied']);
    const { items } = await bus.request('billing.subscriptions.get.v1', { tenantId });
    assert.equal(items[0]?.status, 'canceled');
    assert.equal(items[0]?.lastEventId, canceled.data.providerEventId);
    assert.equal(await billingOps(tenantId), 1, 'one suspension');
  });

  test('billing resuming never clears a manual suspension', async () => {
    const tenantId = await createTenant('bill-manual');
    const sub = 'sub_e2e_manual';
    await publish(stripe(sub, tenantId, 'active', { type: 'customer.subscription.created' }));
    await waitTenant(tenantId, 'active', [], 'basic');
    const { operation } = await bus.request('tenant.suspend.v1', { tenantId, reason: 'manual' });
    await waitOp(operation.id);
    await publish(stripe(sub, tenantId, 'past_due'));
    await waitTenant(tenantId, 'suspended', ['billing', 'manual']);
    await publish(stripe(sub, tenantId, 'active'));
    await waitTenant(tenantId, 'suspended', ['manual']);
  });

  test('checkout and portal links answer BILLING_NOT_CONFIGURED without a provider key', async () => {
    const tenantId = '00000000-0000-4000-8000-000000000002';
    for (const method of ['billing.checkout.create.v1', 'billing.portal.create.v1'] as const) {
      for (const provider of ['stripe', 'paddle'] as const) {
        await assert.rejects(
          bus.request(method, { tenantId, provider, priceId: 'price_pro' }),
          (e: unknown) => (e as { code?: string }).code === 'BILLING_NOT_CONFIGURED',
        );
      }
    }
  });
});
