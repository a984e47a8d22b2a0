import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminQuery, adminUrl, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { stripeSubscriptionEvent } from '../../services/billing/test/fixtures.ts';
import { subscribeTenantEvents } from '../support/events.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { deliverStripeWebhook } from '../support/stripe.ts';

const secret = 'whsec_held_decisions_secret';

let p: Platform;
let events: Awaited<ReturnType<typeof subscribeTenantEvents>>;
let blocker: pg.Client | undefined;
before(async () => {
  p = await startPlatform({
    gatewayEnv: { STRIPE_WEBHOOK_SECRETS: secret },
    billingEnv: { BILLING_PLAN_MAP: '{"price_pro":"pro"}' },
  });
  events = await subscribeTenantEvents(p.natsAs('observer'));
});
after(async () => {
  await blocker?.end().catch(() => {});
  await events?.close();
  await p?.close();
});

const deliver = (event: Record<string, unknown>) => deliverStripeWebhook(p.gateway.url, secret, event);

const tenantDb = <R extends pg.QueryResultRow>(sql: string, values: unknown[]) =>
  adminQuery<R>(sql, values, p.tenantEnv.DATABASE_URL);

test('a subscription that is unpaid before the tenant is active suspends it for billing on the new plan once provisioned', async () => {
  // Hold a lock on the template in an open transaction (COMMENT takes SHARE UPDATE EXCLUSIVE on
  // the database, which the clone's SHARE lock waits for): provisioning waits in its clone, so the
  // tenant is surely not active while billing's decisions reach the tenant service.
  const template = p.tenantEnv.TENANT_TEMPLATE_DB!;
  blocker = new pg.Client({ connectionString: adminUrl() });
  await blocker.connect();
  const { rows: comment } = await blocker.query<{ c: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1",
    [template],
  );
  await blocker.query('BEGIN');
  await blocker.query(
    `COMMENT ON DATABASE ${pg.escapeIdentifier(template)} IS ${comment[0]?.c == null ? 'NULL' : pg.escapeLiteral(comment[0].c)}`,
  );

  const created = await p.api.call('POST', '/api/v1/tenants', { slug: 'early', displayName: 'Early' });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const tenantId: string = created.body.tenant.id;
  assert.equal(created.body.tenant.plan, 'starter');

  const status = await deliver(
    stripeSubscriptionEvent({
      id: 'evt_held_1',
      sub: 'sub_held',
      type: 'customer.subscription.created',
      created: 1_790_000_000,
      status: 'unpaid',
      tenantId,
      price: 'price_pro',
    }),
  );
  assert.equal(status, 200);
  // Billing decides a revoke and the plan; the tenant service has handled both (its inbox).
  await waitFor(
    "the tenant service to handle billing's two decisions",
    async () => {
      const { rows } = await tenantDb<{ n: number }>(
        "SELECT count(*)::int AS n FROM ocp_inbox WHERE consumer = 'tenant-billing'",
        [],
      );
      return rows[0]!.n >= 2 ? true : undefined;
    },
    { timeoutMs: 30_000 },
  );
  await waitFor('the clone to wait on the template', async () => {
    const { rows } = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE DATABASE%' AND strpos(query, $1) > 0`,
      [template],
    );
    return rows[0]!.n > 0 ? true : undefined;
  });
  const meanwhile = (await p.api.call('GET', `/api/v1/tenants/${tenantId}`)).body;
  assert.ok(
    meanwhile.state === 'pending' || meanwhile.state === 'provisioning',
    `the decisions arrived before activation (state ${meanwhile.state})`,
  );

  await blocker.query('ROLLBACK');
  await blocker.end();
  blocker = undefined;
  const op = await p.api.waitOperation(created.body.operation.id, 30_000);
  assert.equal(op.state, 'succeeded', JSON.stringify(op));
  // Whatever activation queued runs to its end.
  await waitFor('no open operation of the tenant', async () => {
    const { rows } = await tenantDb<{ n: number }>(
      "SELECT count(*)::int AS n FROM operations WHERE tenant_id = $1 AND state IN ('queued', 'running')",
      [tenantId],
    );
    return rows[0]!.n === 0 ? true : undefined;
  });
  const tenant = (await p.api.call('GET', `/api/v1/tenants/${tenantId}`)).body;
  assert.equal(tenant.state, 'suspended', JSON.stringify(tenant));
  assert.deepEqual(tenant.suspensionReasons, ['billing']);
  assert.equal(tenant.plan, 'pro');
  const subs = await p.api.call('GET', `/api/v1/tenants/${tenantId}/subscriptions`);
  assert.equal(subs.body.items[0]?.status, 'unpaid');

  const types = await waitFor('the suspension event', async () => {
    const seen = events.typesFor(tenantId);
    return seen.includes('ocp.tenant.suspended.v1') ? seen : undefined;
  });
  assert.deepEqual(types, [
    'ocp.tenant.created.v1',
    'ocp.tenant.provisioning.v1',
    'ocp.tenant.activated.v1',
    'ocp.tenant.plan_changed.v1',
    'ocp.tenant.suspended.v1',
  ]);
  const { rows: held } = await tenantDb('SELECT 1 FROM held_billing_decisions WHERE tenant_id = $1', [
    tenantId,
  ]);
  assert.equal(held.length, 0, 'held decisions apply once');
});
