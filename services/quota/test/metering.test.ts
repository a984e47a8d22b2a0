import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPool, migrate, type Pool } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import { pino } from 'pino';
import { type PaddleDouble, startPaddleDouble } from '../../../test/support/paddle-double.ts';
import { type StripeDouble, startStripeDouble } from '../../../test/support/stripe-double.ts';
import { noMeteringMetrics } from '../src/metering/metrics.ts';
import { createPaddleUsageReporter } from '../src/metering/paddle-reporter.ts';
import { type MeteringContext, reportMeteredUsage } from '../src/metering/report-usage.ts';
import { createStripeUsageReporter } from '../src/metering/stripe-reporter.ts';

const DAY = 86_400_000;
const migrations = fileURLToPath(new URL('../src/db/migrations', import.meta.url));
const logger = pino({ level: 'silent' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let stripe: StripeDouble;
let paddle: PaddleDouble;
// The clock the metering reads: a test moves it to the next period instead of waiting.
let clock = new Date('2026-12-01T09:00:00Z');
let ctx: MeteringContext;

before(async () => {
  db = await createTestDatabase('ocp_test_quota_metering_');
  await migrate({ databaseUrl: db.url, dir: migrations, logger });
  pool = createPool({ url: db.url, name: 'quota-metering-test', max: 4, logger });
  stripe = await startStripeDouble();
  paddle = await startPaddleDouble();
  ctx = {
    pool,
    logger,
    metrics: noMeteringMetrics,
    intervalMs: DAY,
    stripe: createStripeUsageReporter({ apiKey: stripe.apiKey, apiBase: stripe.url }),
    paddle: createPaddleUsageReporter({ apiKey: paddle.apiKey, apiBase: paddle.url }),
    now: () => clock,
  };
  for (const [name, metered] of [
    ['metered-stripe', { provider: 'stripe', meterEventName: 'active_users' }],
    ['metered-paddle', { provider: 'paddle', priceId: 'pri_users' }],
    ['flat', null],
  ] as const) {
    await pool.query(
      `INSERT INTO plans (name, display_name, at_limit_action, grace_seconds, metered, version)
       VALUES ($1, $1, 'block', 0, $2, 1)`,
      [name, metered === null ? null : JSON.stringify(metered)],
    );
  }
});
after(async () => {
  await pool?.end();
  await db?.drop();
  await stripe?.close();
  await paddle?.close();
});

async function tenantOn(plan: string, activeUsers: number): Promise<string> {
  const tenantId = randomUUID();
  await pool.query(
    `INSERT INTO known_tenants (tenant_id, slug, plan, state, database_name, event_time)
     VALUES ($1, $2, $3, 'active', $2, now())`,
    [tenantId, `t${tenantId.slice(0, 8)}`, plan],
  );
  await measured(tenantId, activeUsers);
  return tenantId;
}
async function measured(tenantId: string, activeUsers: number) {
  await pool.query('INSERT INTO usage_samples (tenant_id, measured_at, active_users) VALUES ($1, $2, $3)', [
    tenantId,
    clock,
    activeUsers,
  ]);
}
async function subscribed(tenantId: string, provider: 'stripe' | 'paddle', sub: string, customer: string) {
  await pool.query(
    `INSERT INTO tenant_subscriptions (provider, provider_subscription_id, tenant_id, customer_id, status, last_event_at)
     VALUES ($1, $2, $3, $4, 'active', now())`,
    [provider, sub, tenantId, customer],
  );
}
async function reported(tenantId: string) {
  const { rows } = await pool.query<{ period: string; provider: string; quantity: number }>(
    'SELECT period, provider, quantity FROM usage_reports WHERE tenant_id = $1 ORDER BY period',
    [tenantId],
  );
  const { rows: events } = await pool.query<{ data: Record<string, unknown> }>(
    `SELECT payload->'data' AS data FROM ocp_outbox
      WHERE payload->>'type' = 'ocp.quota.usage_reported.v1' AND payload->>'subject' = $1 ORDER BY id`,
    [tenantId],
  );
  return { rows, events: events.map((e) => e.data) };
}

describe('metered usage', () => {
  test('Stripe: one meter event per tenant and period, with the latest active-user count', async () => {
    const tenantId = await tenantOn('metered-stripe', 3);
    await subscribed(tenantId, 'stripe', 'sub_s1', 'cus_s1');
    const flat = await tenantOn('flat', 9);
    await measured(tenantId, 4);
    await reportMeteredUsage(ctx);
    await reportMeteredUsage(ctx);
    const mine = () => stripe.accepted.filter((e) => e.identifier.startsWith(tenantId));
    assert.deepEqual(mine(), [
      {
        eventName: 'active_users',
        identifier: `${tenantId}:2026-12-01`,
        payload: { stripe_customer_id: 'cus_s1', value: '4' },
        idempotencyKey: `${tenantId}:2026-12-01`,
      },
    ]);
    assert.equal(stripe.accepted.filter((e) => e.identifier.startsWith(flat)).length, 0);
    clock = new Date(clock.getTime() + DAY);
    await measured(tenantId, 5);
    await reportMeteredUsage(ctx);
    await reportMeteredUsage(ctx);
    assert.deepEqual(
      mine().map((e) => [e.identifier.split(':')[1], e.payload.value]),
      [
        ['2026-12-01', '4'],
        ['2026-12-02', '5'],
      ],
    );
    const { rows, events } = await reported(tenantId);
    assert.deepEqual(rows, [
      { period: '2026-12-01', provider: 'stripe', quantity: 4 },
      { period: '2026-12-02', provider: 'stripe', quantity: 5 },
    ]);
    assert.deepEqual(events, [
      { tenantId, provider: 'stripe', period: '2026-12-01', quantity: 4 },
      { tenantId, provider: 'stripe', period: '2026-12-02', quantity: 5 },
    ]);
  });

  test('Paddle: the usage price quantity is set on the subscription, the other items kept', async () => {
    const tenantId = await tenantOn('metered-paddle', 6);
    paddle.addSubscription('sub_p1', 'ctm_p1', [
      { priceId: 'pri_base', quantity: 1 },
      { priceId: 'pri_users', quantity: 2 },
    ]);
    await subscribed(tenantId, 'paddle', 'sub_p1', 'ctm_p1');
    await reportMeteredUsage(ctx);
    await reportMeteredUsage(ctx);
    assert.deepEqual(paddle.itemsOf('sub_p1'), [
      { priceId: 'pri_base', quantity: 1 },
      { priceId: 'pri_users', quantity: 6 },
    ]);
    const updates = paddle.updates().filter((u) => u.subscriptionId === 'sub_p1');
    assert.deepEqual(updates, [
      {
        subscriptionId: 'sub_p1',
        body: {
          items: [
            { price_id: 'pri_base', quantity: 1 },
            { price_id: 'pri_users', quantity: 6 },
          ],
          proration_billing_mode: 'prorated_next_billing_period',
        },
      },
    ]);
    const { rows } = await reported(tenantId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.quantity, 6);
  });

  test('a refused report is not recorded and is sent again by a later run', async () => {
    const tenantId = await tenantOn('metered-stripe', 2);
    await subscribed(tenantId, 'stripe', 'sub_s2', 'cus_s2');
    stripe.refuseNext(1);
    await reportMeteredUsage(ctx);
    assert.deepEqual((await reported(tenantId)).rows, []);
    const refused = stripe.requests.filter((r) => r.status === 500);
    assert.equal(refused.length, 1);
    await reportMeteredUsage(ctx);
    await reportMeteredUsage(ctx);
    assert.equal(stripe.accepted.filter((e) => e.identifier.startsWith(tenantId)).length, 1);
    assert.equal((await reported(tenantId)).rows.length, 1);
  });

  test('a report lost after the provider accepted it is not counted twice by the provider', async () => {
    const tenantId = await tenantOn('metered-stripe', 7);
    await subscribed(tenantId, 'stripe', 'sub_s3', 'cus_s3');
    await reportMeteredUsage(ctx);
    // As if the service had died before recording the period: it is due again.
    await pool.query('DELETE FROM usage_reports WHERE tenant_id = $1', [tenantId]);
    await reportMeteredUsage(ctx);
    assert.equal(stripe.accepted.filter((e) => e.identifier.startsWith(tenantId)).length, 1);
    assert.equal((await reported(tenantId)).rows.length, 1);
  });

  test("the double answers Stripe's 400 for a missing field and refuses a wrong key", async () => {
    const form = new URLSearchParams({ 'payload[value]': '1', 'payload[stripe_customer_id]': 'cus_x' });
    const res = await fetch(`${stripe.url}/v1/billing/meter_events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stripe.apiKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form,
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { type: string; code: string; param: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.code, 'parameter_missing');
    assert.equal(body.error.param, 'event_name');
    const wrongKey = createStripeUsageReporter({ apiKey: 'sk_test_wrong', apiBase: stripe.url });
    await assert.rejects(
      wrongKey.report({
        meterEventName: 'active_users',
        customerId: 'cus_x',
        quantity: 1,
        identifier: 'x:1',
      }),
      (e: unknown) => (e as { permanent?: boolean }).permanent === true,
    );
  });
});
