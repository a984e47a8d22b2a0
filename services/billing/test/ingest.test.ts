import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CloudEvent, makeEvent } from '@ocp/contracts';
import { createPool, migrate, type Pool } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import fc from 'fast-check';
import { pino } from 'pino';
import { parseConfig } from '../src/config.ts';
import { toApiSubscription, upsertKnownTenant } from '../src/db/store.ts';
import type { HandlerContext } from '../src/handlers/context.ts';
import { listWebhooksHandler } from '../src/handlers/queries.ts';
import { tenantProjectionHandler } from '../src/handlers/tenants.ts';
import { ingestWebhook, sweepPastDue, webhookRejectedHandler } from '../src/handlers/webhooks.ts';
import { noMetrics } from '../src/metrics.ts';
import {
  paddleSubscriptionEvent,
  paddleTransactionEvent,
  stripeCheckoutEvent,
  stripeInvoiceEvent,
  stripeSubscriptionEvent,
} from './fixtures.ts';

const migrations = fileURLToPath(new URL('../src/db/migrations', import.meta.url));
const logger = pino({ level: 'warn' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let ctx: HandlerContext;
const tenantId = randomUUID();

before(async () => {
  db = await createTestDatabase('ocp_test_billing_');
  await migrate({ databaseUrl: db.url, dir: migrations, logger });
  pool = createPool({ url: db.url, name: 'billing-test', max: 8, logger });
  const config = parseConfig({
    DATABASE_URL: db.url,
    BILLING_PLAN_MAP: '{"price_pro":"pro","pri_pro":"pro","price_basic":"basic","pri_basic":"basic"}',
    BILLING_PAST_DUE_GRACE_SECONDS: '3600',
  });
  ctx = {
    pool,
    config,
    logger,
    metrics: noMetrics,
    planMap: new Map(Object.entries(JSON.parse(config.BILLING_PLAN_MAP))),
    now: () => new Date(),
  };
  await upsertKnownTenant(pool, tenantId, false);
});
after(async () => {
  await pool?.end();
  await db?.drop();
});

type Webhook = CloudEvent<'ocp.billing.webhook_received.v1'>;

function webhook(
  provider: 'stripe' | 'paddle',
  body: { id?: string; event_id?: string; type?: string; event_type?: string },
): Webhook {
  const id = (body.id ?? body.event_id)!;
  return makeEvent(
    'ocp.billing.webhook_received.v1',
    {
      provider,
      providerEventId: id,
      providerEventType: (body.type ?? body.event_type)!,
      receivedAt: new Date().toISOString(),
      body: JSON.stringify(body),
    },
    { source: 'ocp/gateway', id: `${provider}:${id}` },
  );
}

/** The tenant service's announcement of a new tenant, as the billing service follows it. */
function tenantCreated(id: string): CloudEvent<'ocp.tenant.created.v1'> {
  return makeEvent(
    'ocp.tenant.created.v1',
    {
      tenant: {
        id,
        slug: 'late',
        displayName: 'Late',
        plan: 'free',
        state: 'pending',
        suspensionReasons: [],
        databaseName: 't_late',
        databaseServerId: null,
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      },
      operationId: randomUUID(),
    } as never,
    { source: 'ocp/tenant', subject: id },
  );
}

/** A Stripe subscription's life: trial, paid, a failed payment, recovery, an upgrade, cancellation. */
function stripeLife(sub: string, tenant: string): Webhook[] {
  const t = 1_760_000_000;
  const s = (n: number, type: string, status: string, price = 'price_basic') =>
    stripeSubscriptionEvent({
      id: `evt_${sub}_${n}`,
      sub,
      type,
      created: t + n * 60,
      status,
      tenantId: tenant,
      price,
    });
  return [
    stripeCheckoutEvent({ id: `evt_${sub}_0`, sub, created: t, tenantId: tenant }),
    s(1, 'customer.subscription.created', 'trialing'),
    s(2, 'customer.subscription.updated', 'active'),
    stripeInvoiceEvent({
      id: `evt_${sub}_3`,
      sub,
      type: 'invoice.payment_failed',
      created: t + 180,
      tenantId: tenant,
    }),
    s(4, 'customer.subscription.updated', 'past_due'),
    stripeInvoiceEvent({ id: `evt_${sub}_5`, sub, type: 'invoice.paid', created: t + 300, tenantId: tenant }),
    s(6, 'customer.subscription.updated', 'active', 'price_pro'),
    s(7, 'customer.subscription.paused', 'paused', 'price_pro'),
    s(8, 'customer.subscription.resumed', 'active', 'price_pro'),
  ].map((b) => webhook('stripe', b));
}

/** A Paddle subscription's life, ending canceled. */
function paddleLife(sub: string, tenant: string): Webhook[] {
  const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 10, n)).toISOString();
  const s = (n: number, type: string, status: string, price = 'pri_basic') =>
    paddleSubscriptionEvent({ id: `evt_${sub}_${n}`, sub, type, at: at(n), status, tenantId: tenant, price });
  return [
    s(1, 'subscription.created', 'trialing'),
    s(2, 'subscription.activated', 'active'),
    paddleTransactionEvent({
      id: `evt_${sub}_3`,
      sub,
      type: 'transaction.payment_failed',
      at: at(3),
      tenantId: tenant,
    }),
    s(4, 'subscription.past_due', 'past_due'),
    paddleTransactionEvent({
      id: `evt_${sub}_5`,
      sub,
      type: 'transaction.completed',
      at: at(5),
      tenantId: tenant,
    }),
    s(6, 'subscription.updated', 'active', 'pri_pro'),
    s(7, 'subscription.canceled', 'canceled', 'pri_pro'),
  ].map((b) => webhook('paddle', b));
}

async function finalState(provider: string, sub: string) {
  const { rows } = await pool.query(
    'SELECT * FROM subscriptions WHERE provider = $1 AND provider_subscription_id = $2',
    [provider, sub],
  );
  assert.equal(rows.length, 1);
  const { id: _id, updatedAt: _u, ...model } = toApiSubscription(rows[0]);
  return { ...model, access: rows[0].access as string | null };
}

for (const [provider, life, expected] of [
  ['stripe', stripeLife, { status: 'active', plan: 'pro', access: 'granted' }],
  ['paddle', paddleLife, { status: 'canceled', plan: 'pro', access: 'revoked' }],
] as const) {
  test(`a ${provider} subscription ends in one state whatever order and how often its events arrive`, async () => {
    const reference = `sub_ref_${provider}_${randomUUID().slice(0, 8)}`;
    for (const w of life(reference, tenantId)) await ingestWebhook(ctx, w);
    const want = await finalState(provider, reference);
    assert.equal(want.status, expected.status);
    assert.equal(want.plan, expected.plan);
    assert.equal(want.access, expected.access);
    assert.equal(want.tenantId, tenantId);

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 9, maxLength: 9 }),
        fc.infiniteStream(fc.nat()),
        async (copies, seeds) => {
          const sub = `sub_${provider}_${randomUUID().slice(0, 8)}`;
          const events = life(sub, tenantId).flatMap((w, i) =>
            Array.from({ length: copies[i] ?? 1 }, () => w),
          );
          // A random permutation from the stream of seeds.
          const it = seeds[Symbol.iterator]();
          for (let i = events.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [events[i], events[j]] = [events[j]!, events[i]!];
          }
          for (const w of events) await ingestWebhook(ctx, w);
          const got = await finalState(provider, sub);
          assert.deepEqual(
            {
              ...got,
              providerSubscriptionId: reference,
              lastEventId: got.lastEventId.replace(sub, reference),
            },
            want,
          );
        },
      ),
      { numRuns: 25 },
    );
  });
}

test('the same webhook ten times has one effect and nine recorded duplicates', async () => {
  const sub = `sub_dup_${randomUUID().slice(0, 8)}`;
  const w = webhook(
    'stripe',
    stripeSubscriptionEvent({
      id: `evt_dup_${sub}`,
      sub,
      type: 'customer.subscription.created',
      created: 1_760_000_000,
      status: 'active',
      tenantId,
    }),
  );
  const results = [];
  for (let i = 0; i < 10; i++) results.push((await ingestWebhook(ctx, w)).status);
  assert.deepEqual(results, ['applied', ...Array(9).fill('duplicate')]);
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM ocp_outbox WHERE payload->>'type' = 'ocp.billing.tenant_access_changed.v1'
       AND payload->'data'->>'subscriptionId' = (SELECT id::text FROM subscriptions WHERE provider_subscription_id = $1)`,
    [sub],
  );
  assert.equal(rows[0].n, 1);
});

test('a body the service cannot read is recorded as failed, and an unknown tenant as unmatched', async () => {
  const bad = makeEvent(
    'ocp.billing.webhook_received.v1',
    {
      provider: 'paddle',
      providerEventId: 'evt_bad',
      providerEventType: 'subscription.updated',
      receivedAt: new Date().toISOString(),
      body: JSON.stringify({
        event_id: 'evt_bad',
        event_type: 'subscription.updated',
        occurred_at: 'x',
        data: 7,
      }),
    },
    { source: 'ocp/gateway', id: 'paddle:evt_bad' },
  );
  assert.equal((await ingestWebhook(ctx, bad)).status, 'failed');
  const stranger = randomUUID();
  const w = webhook(
    'stripe',
    stripeSubscriptionEvent({
      id: 'evt_stranger',
      sub: 'sub_stranger',
      type: 'customer.subscription.updated',
      created: 1_760_000_000,
      status: 'active',
      tenantId: stranger,
    }),
  );
  assert.equal((await ingestWebhook(ctx, w)).status, 'unmatched');
  const { rows } = await pool.query('SELECT status, tenant_id FROM webhook_events WHERE id = $1', [
    'stripe:evt_stranger',
  ]);
  assert.deepEqual(rows[0], { status: 'unmatched', tenant_id: stranger });
});

test('past_due keeps access through its grace and the sweep revokes it after', async () => {
  const sub = `sub_grace_${randomUUID().slice(0, 8)}`;
  const ev = (n: number, status: string) =>
    webhook(
      'stripe',
      stripeSubscriptionEvent({
        id: `evt_${sub}_${n}`,
        sub,
        type: 'customer.subscription.updated',
        created: 1_760_000_000 + n,
        status,
        tenantId,
      }),
    );
  assert.equal((await ingestWebhook(ctx, ev(1, 'active'))).access, 'granted');
  assert.equal((await ingestWebhook(ctx, ev(2, 'past_due'))).access, undefined);
  assert.equal(await sweepPastDue(ctx), 0);
  const later: HandlerContext = { ...ctx, now: () => new Date(Date.now() + 3601 * 1000) };
  await pool.query(
    "UPDATE subscriptions SET revoke_after = now() - interval '1 second' WHERE provider_subscription_id = $1",
    [sub],
  );
  assert.equal(await sweepPastDue(later), 1);
  assert.equal(await sweepPastDue(later), 0);
  assert.equal((await finalState('stripe', sub)).access, 'revoked');
  assert.equal((await ingestWebhook(ctx, ev(3, 'active'))).access, 'granted');
});

test('refused webhooks are kept as rejected, and the history pages newest first with a cursor', async () => {
  const delivery = { deliveryCount: 1, traceparent: '', subject: '', working() {} };
  const rejected = makeEvent(
    'ocp.billing.webhook_rejected.v1',
    {
      provider: 'stripe',
      reason: 'signature does not match',
      receivedAt: new Date().toISOString(),
      bodyBytes: 12,
      sourceIp: '203.0.113.9',
    },
    { source: 'ocp/gateway' },
  );
  await webhookRejectedHandler(ctx)(rejected, delivery);
  await webhookRejectedHandler(ctx)(rejected, delivery);
  const list = listWebhooksHandler(ctx);
  const first = await list({ limit: 1, status: 'rejected' as never }, { traceparent: '' });
  assert.equal(first.items.length, 1);
  assert.equal(first.items[0]!.id, rejected.id);
  assert.match(first.items[0]!.detail ?? '', /signature does not match/);

  const seen: string[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await list({ limit: 3, ...(cursor ? { cursor } : {}) }, { traceparent: '' });
    seen.push(...page.items.map((i) => i.receivedAt));
    cursor = page.nextCursor;
  } while (cursor);
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_events');
  assert.equal(seen.length, rows[0]!.n, 'every webhook once across the pages');
  await assert.rejects(list({ limit: 3, cursor: 'abc' }, { traceparent: '' }), /cursor/);
});

test('a webhook that came before its tenant was known is applied once the tenant is', async () => {
  const late = randomUUID();
  const sub = `sub_late_${randomUUID().slice(0, 8)}`;
  const w = webhook(
    'stripe',
    stripeSubscriptionEvent({
      id: `evt_${sub}`,
      sub,
      type: 'customer.subscription.created',
      created: 1_760_000_000,
      status: 'canceled',
      tenantId: late,
    }),
  );
  assert.equal((await ingestWebhook(ctx, w)).status, 'unmatched');
  const created = tenantCreated(late);
  const delivery = { deliveryCount: 1, traceparent: '', subject: '', working() {} };
  await tenantProjectionHandler(ctx)(created, delivery);
  await tenantProjectionHandler(ctx)(created, delivery);
  const state = await finalState('stripe', sub);
  assert.equal(state.tenantId, late);
  assert.equal(state.access, 'revoked');
  const { rows } = await pool.query('SELECT status FROM webhook_events WHERE id = $1', [w.id]);
  assert.equal(rows[0].status, 'applied');
  const { rows: out } = await pool.query(
    `SELECT count(*)::int AS n FROM ocp_outbox WHERE payload->>'type' = 'ocp.billing.tenant_access_changed.v1' AND payload->>'subject' = $1`,
    [late],
  );
  assert.equal(out[0].n, 1);
});

test('a webhook and its tenant arriving at the same moment never leave the webhook unmatched', async () => {
  const delivery = { deliveryCount: 1, traceparent: '', subject: '', working() {} };
  const stuck: string[] = [];
  // Each round starts both at once on their own connections; without the per-tenant lock some
  // rounds pass each other (neither transaction sees the other's row) and stay unmatched.
  for (let round = 0; round < 40; round++) {
    const tenant = randomUUID();
    const sub = `sub_race_${randomUUID().slice(0, 8)}`;
    const w = webhook(
      'stripe',
      stripeSubscriptionEvent({
        id: `evt_${sub}`,
        sub,
        type: 'customer.subscription.created',
        created: 1_760_000_000,
        status: 'active',
        tenantId: tenant,
      }),
    );
    const created = tenantCreated(tenant);
    await Promise.all([ingestWebhook(ctx, w), tenantProjectionHandler(ctx)(created, delivery)]);
    const { rows } = await pool.query('SELECT status FROM webhook_events WHERE id = $1', [w.id]);
    if (rows[0].status !== 'applied') stuck.push(`${w.id}: ${rows[0].status}`);
  }
  assert.deepEqual(stuck, []);
});
