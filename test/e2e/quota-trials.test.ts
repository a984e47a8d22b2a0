import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import { type BillingSubscription, makeEvent } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import { followQuotaEvents } from '../support/quota-event-log.ts';

const DAY = 86_400_000;
const UNLIMITED = {
  activeUsers: null,
  databaseBytes: null,
  filestoreBytes: null,
  backupBytes: null,
  backupGenerations: null,
};

describe('trials end on their date: a tenant without a subscription is suspended for `trial`', () => {
  let p: Platform;
  // The admin's bus: it creates tenants as the gateway does and injects billing's events.
  let bus: Bus;
  let events: Awaited<ReturnType<typeof followQuotaEvents>>;
  before(async () => {
    // Trials are swept often, so an end a second or two away comes without the test sleeping.
    p = await startPlatform({
      quotaEnv: { QUOTA_TRIAL_SWEEP_INTERVAL_MS: '100', QUOTA_TRIAL_NOTICE_DAYS: '7,3,1' },
    });
    bus = await p.busAs('admin');
    events = await followQuotaEvents(p.natsAs('observer'));
    const plan = await p.api.call('PUT', '/api/v1/plans/trial', {
      displayName: 'Trial',
      limits: UNLIMITED,
      trialDays: 14,
    });
    assert.ok(plan.status === 200 || plan.status === 201, JSON.stringify(plan.body));
  });
  after(async () => {
    await events?.close();
    await p?.close();
  });

  async function createTenant(slug: string): Promise<string> {
    const { tenant, operation } = await bus.request('tenant.create.v1', {
      slug,
      displayName: `Tenant ${slug}`,
      plan: 'trial',
    });
    await waitFor(`tenant ${slug} to be provisioned`, async () => {
      const { operation: op } = await bus.request('operation.get.v1', { operationId: operation.id });
      return op.state === 'succeeded' ? op : undefined;
    });
    return tenant.id;
  }
  const quotaOf = async (tenantId: string) => await p.api.call('GET', `/api/v1/tenants/${tenantId}/quota`);
  const putTrial = async (tenantId: string, endsAt: Date | string) =>
    await p.api.call('PUT', `/api/v1/tenants/${tenantId}/trial`, {
      endsAt: typeof endsAt === 'string' ? endsAt : endsAt.toISOString(),
    });
  async function waitTenant(tenantId: string, state: string, reasons: string[]) {
    return await waitFor(`tenant ${tenantId} to be ${state} [${reasons}]`, async () => {
      const { tenant } = await bus.request('tenant.get.v1', { tenantId });
      return tenant.state === state && JSON.stringify(tenant.suspensionReasons) === JSON.stringify(reasons)
        ? tenant
        : undefined;
    });
  }
  const waitEvent = async (type: string, tenantId: string, match: (d: Record<string, unknown>) => boolean) =>
    await waitFor(`${type} about ${tenantId}`, async () =>
      events.of(`ocp.quota.${type}.v1`, tenantId).find(match),
    );
  /** Billing's announcement of a subscription, injected as the billing service would publish it. */
  async function subscriptionChanged(tenantId: string, status: BillingSubscription['status']) {
    const at = new Date().toISOString();
    const subscription: BillingSubscription = {
      id: randomUUID(),
      provider: 'stripe',
      providerSubscriptionId: `sub_${tenantId.slice(0, 8)}`,
      customerId: `cus_${tenantId.slice(0, 8)}`,
      tenantId,
      plan: 'trial',
      priceId: 'price_trial',
      status,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      lastEventId: `evt_${randomUUID()}`,
      lastEventType: 'customer.subscription.updated',
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
    await waitFor(`the quota service to know ${tenantId}'s subscription is ${status}`, async () => {
      const { rows } = await adminQuery(
        'SELECT 1 FROM tenant_subscriptions WHERE tenant_id = $1 AND status = $2',
        [tenantId, status],
        p.databases.quota,
      );
      return rows.length > 0 ? true : undefined;
    });
  }

  test('a tenant created on a plan with trialDays starts a trial of that length', async () => {
    const tenantId = await createTenant('trial-start');
    const { trial } = (
      await waitFor('the trial to start', async () => {
        const r = await quotaOf(tenantId);
        return r.status === 200 && r.body.trial ? r : undefined;
      })
    ).body;
    assert.equal(trial.state, 'running');
    assert.equal(Date.parse(trial.endsAt) - Date.parse(trial.startedAt), 14 * DAY);
  });

  test('an end in the past is refused with 400 TRIAL_END_IN_PAST, and the trial is left as it was', async () => {
    const tenantId = await createTenant('trial-past');
    const before = await waitFor('the trial', async () => (await quotaOf(tenantId)).body.trial ?? undefined);
    const res = await putTrial(tenantId, new Date(Date.now() - 60_000));
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.code, 'TRIAL_END_IN_PAST');
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.deepEqual((await quotaOf(tenantId)).body.trial, before);
  });

  test('the end suspends an unpaid tenant for `trial`, notices go out once each, and an extension resumes it', async () => {
    const later = await createTenant('trial-notice');
    const unpaid = await createTenant('trial-unpaid');
    // Six and a half days left: the 7-day notice is due at once.
    const laterEnd = new Date(Date.now() + 6.5 * DAY);
    assert.equal((await putTrial(later, laterEnd)).status, 200);
    const notice = await waitEvent('trial_ending', later, () => true);
    assert.deepEqual(notice, { tenantId: later, endsAt: laterEnd.toISOString(), daysLeft: 7 });

    const end = new Date(Date.now() + 1500);
    assert.equal((await putTrial(unpaid, end)).status, 200);
    await waitEvent('trial_ended', unpaid, (d) => d.outcome === 'suspended');
    await waitTenant(unpaid, 'suspended', ['trial']);
    const revoked = events.of('ocp.quota.tenant_access_changed.v1', unpaid);
    assert.deepEqual(
      revoked.map((d) => [d.access, d.reason]),
      [['revoked', 'trial']],
    );
    assert.equal((await quotaOf(unpaid)).body.trial.state, 'ended');
    // Many sweeps ran between the first tenant's notice and the second's end: still one notice,
    // and the second was told once (the 7-, 3- and 1-day notices it passed at once).
    assert.equal(events.of('ocp.quota.trial_ending.v1', later).length, 1);
    assert.ok(events.of('ocp.quota.trial_ending.v1', unpaid).length <= 1);

    const extended = await putTrial(unpaid, new Date(Date.now() + 10 * DAY));
    assert.equal(extended.status, 200, JSON.stringify(extended.body));
    assert.equal(extended.body.trial.state, 'running');
    await waitEvent('tenant_access_changed', unpaid, (d) => d.access === 'granted' && d.reason === 'trial');
    await waitTenant(unpaid, 'active', []);
  });

  test('the end leaves a paying tenant alone: converted, and nothing else', async () => {
    const paying = await createTenant('trial-paying');
    await subscriptionChanged(paying, 'active');
    assert.equal((await putTrial(paying, new Date(Date.now() + 1500))).status, 200);
    await waitEvent('trial_ended', paying, (d) => d.outcome === 'converted');
    assert.deepEqual(events.of('ocp.quota.tenant_access_changed.v1', paying), []);
    assert.deepEqual(events.of('ocp.quota.trial_ended.v1', paying), [
      { tenantId: paying, outcome: 'converted' },
    ]);
    await waitTenant(paying, 'active', []);
    assert.equal((await quotaOf(paying)).body.trial.state, 'converted');
  });

  test('a subscription that becomes active after the end grants access back', async () => {
    const late = await createTenant('trial-late');
    await subscriptionChanged(late, 'incomplete');
    assert.equal((await putTrial(late, new Date(Date.now() + 1500))).status, 200);
    await waitTenant(late, 'suspended', ['trial']);
    await subscriptionChanged(late, 'active');
    await waitEvent('tenant_access_changed', late, (d) => d.access === 'granted');
    await waitTenant(late, 'active', []);
  });
});
