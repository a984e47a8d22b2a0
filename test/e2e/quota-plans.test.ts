import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import { makeEvent, type QuotaPlanChangedV1 } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import { subscribeStreamEvents } from '../support/events.ts';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { dropOwnedDatabases, startDoubleRuntime } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { invite, login, type Session } from '../support/rbac.ts';

const limit = { timeout: 300_000 };

const limits = (activeUsers: number | null, databaseBytes: number | null = null) => ({
  activeUsers,
  databaseBytes,
  filestoreBytes: null,
  backupBytes: null,
  backupGenerations: 30,
});

describe('the plan catalog and tenant quotas through the admin API', limit, () => {
  let p: Platform;
  let owner: Session;
  let bus: Bus;
  let events: Awaited<ReturnType<typeof subscribeStreamEvents>>;
  let odoo: OdooDouble | undefined;
  let runtimeRole: string | undefined;
  let dataDir: string | undefined;

  /** The plan_changed events about one plan, in stream order. */
  const changesOf = (name: string) =>
    events
      .ofType('ocp.quota.plan_changed.v1')
      .map((e) => e.data as QuotaPlanChangedV1)
      .filter((d) => d.plan.name === name);

  /** A tenant on `plan`, once the quota service knows it. */
  async function tenantOn(slug: string, plan: string): Promise<string> {
    const res = await owner.call('POST', '/api/v1/tenants', { slug, displayName: slug, plan });
    assert.equal(res.status, 202, res.text);
    await p.api.waitOperation(res.body.operation.id);
    const id: string = res.body.tenant.id;
    await waitFor(`the quota service to know ${slug}`, async () => {
      const q = await owner.call('GET', `/api/v1/tenants/${id}/quota`);
      return q.status === 200 ? q : undefined;
    });
    return id;
  }

  /** A measurement as the scan stores it, straight into the quota service's database. */
  async function sample(tenantId: string, activeUsers: number, databaseBytes: number, at: Date) {
    await adminQuery(
      `INSERT INTO usage_samples (tenant_id, measured_at, active_users, database_bytes, filestore_bytes,
         backup_bytes, backup_generations)
       VALUES ($1, $2, $3, $4, 0, 0, 0)`,
      [tenantId, at, activeUsers, databaseBytes],
      p.databases.quota,
    );
  }

  before(async () => {
    p = await startPlatform();
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    bus = await p.busAs('gateway');
    events = await subscribeStreamEvents(p.natsAs('observer'), 'EVENTS_QUOTA');
  });
  after(async () => {
    await events?.close();
    await odoo?.close();
    if (runtimeRole) await dropOwnedDatabases(runtimeRole);
    await p?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('an operator defines, reads, lists, changes and deletes a plan; each change is announced with a higher version', async () => {
    const created = await owner.call('PUT', '/api/v1/plans/pro', {
      displayName: 'Pro',
      limits: limits(2, 1073741824),
      allowedModules: null,
      defaultModules: ['crm'],
      trialDays: 14,
      atLimit: { action: 'suspend', graceSeconds: 86400 },
      metered: { provider: 'stripe', meterEventName: 'active_users' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.created, true);
    assert.equal(created.body.plan.name, 'pro');
    assert.equal(created.body.plan.version, 1);
    assert.deepEqual(created.body.plan.limits, limits(2, 1073741824));
    assert.deepEqual(created.body.plan.atLimit, { action: 'suspend', graceSeconds: 86400 });

    const read = await owner.call('GET', '/api/v1/plans/pro');
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, created.body.plan);

    const replaced = await owner.call('PUT', '/api/v1/plans/pro', { displayName: 'Pro+', limits: limits(3) });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.created, false);
    assert.equal(replaced.body.plan.version, 2);
    assert.equal(replaced.body.plan.createdAt, created.body.plan.createdAt);
    // What the body leaves out takes its default: any module, no trial, block at the limit.
    assert.equal(replaced.body.plan.allowedModules, null);
    assert.deepEqual(replaced.body.plan.defaultModules, []);
    assert.equal(replaced.body.plan.trialDays, null);
    assert.deepEqual(replaced.body.plan.atLimit, { action: 'block', graceSeconds: 0 });

    assert.equal(
      (await owner.call('PUT', '/api/v1/plans/basic', { displayName: 'Basic', limits: limits(1) })).status,
      201,
    );
    const page1 = await owner.call('GET', '/api/v1/plans?limit=1');
    assert.equal(page1.status, 200);
    assert.deepEqual(
      page1.body.items.map((x: { name: string }) => x.name),
      ['basic'],
    );
    const page2 = await owner.call('GET', `/api/v1/plans?limit=1&after=${page1.body.next}`);
    assert.deepEqual(
      page2.body.items.map((x: { name: string }) => x.name),
      ['pro'],
    );
    assert.equal(page2.body.next, undefined, 'the last page has no next');

    const deleted = await owner.call('DELETE', '/api/v1/plans/basic');
    assert.equal(deleted.status, 204, deleted.text);
    const gone = await owner.call('GET', '/api/v1/plans/basic');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'PLAN_NOT_FOUND');
    assert.equal((await owner.call('DELETE', '/api/v1/plans/basic')).status, 404);
    // Made again, its version carries on: a follower that kept the deletion takes it.
    const again = await owner.call('PUT', '/api/v1/plans/basic', { displayName: 'Basic', limits: limits(1) });
    assert.equal(again.status, 201);
    assert.equal(again.body.plan.version, 3);

    await waitFor('the plan changes on EVENTS_QUOTA', async () =>
      changesOf('basic').length === 3 && changesOf('pro').length === 2 ? true : undefined,
    );
    assert.deepEqual(
      changesOf('pro').map((d) => [d.plan.version, d.plan.displayName]),
      [
        [1, 'Pro'],
        [2, 'Pro+'],
      ],
    );
    assert.deepEqual(
      changesOf('basic').map((d) => [d.plan.version, d.deleted ?? false]),
      [
        [1, false],
        [2, true],
        [3, false],
      ],
    );
    const ev = events.ofType('ocp.quota.plan_changed.v1')[0]!;
    assert.equal(ev.source, 'ocp/quota');
  });

  test('bad plans are refused with a 400 naming the field, and nothing changes', async () => {
    const before = (await owner.call('GET', '/api/v1/plans/pro')).body;
    const refuse = async (body: unknown, field: RegExp, code = 'VALIDATION_FAILED') => {
      const res = await owner.call('PUT', '/api/v1/plans/pro', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(res.body.code, code, res.text);
      assert.match(res.body.field ?? '', field, res.text);
      assert.ok(res.body.detail, 'the problem says what was wrong');
    };
    await refuse({ displayName: 'Pro', limits: limits(-1) }, /limits\/activeUsers/);
    await refuse({ displayName: 'Pro', limits: limits(2.5) }, /limits\/activeUsers/);
    await refuse(
      { displayName: 'Pro', limits: { ...limits(2), databaseBytes: '1e309' } },
      /limits\/databaseBytes/,
    );
    await refuse(
      { displayName: 'Pro', limits: { ...limits(2), databaseBytes: 'Infinity' } },
      /databaseBytes/,
    );
    // JSON reads 1e309 as Infinity: a number, but not an integer within bounds.
    await refuse(
      '{"displayName":"Pro","limits":{"activeUsers":2,"databaseBytes":1e309,"filestoreBytes":null,"backupBytes":null,"backupGenerations":30}}',
      /limits\/databaseBytes/,
    );
    await refuse({ displayName: 'Pro', limits: { activeUsers: 2 } }, /limits/);
    await refuse(
      { displayName: 'Pro', limits: limits(2), allowedModules: ['Not A Module'] },
      /allowedModules/,
    );
    await refuse({ displayName: 'Pro', limits: limits(2), colour: 'red' }, /colour/);
    await refuse(
      { displayName: 'Pro', limits: limits(2), allowedModules: ['sale'], defaultModules: ['crm'] },
      /body\/defaultModules/,
      'PLAN_INVALID',
    );
    await refuse(
      { displayName: 'Pro', limits: limits(2), atLimit: { action: 'explode', graceSeconds: 0 } },
      /atLimit\/action/,
    );
    const bad = await owner.call('PUT', '/api/v1/plans/Not_A_Plan', { displayName: 'X', limits: limits(1) });
    assert.equal(bad.status, 400);
    assert.equal((await owner.call('GET', '/api/v1/plans/pro')).body.version, before.version);
  });

  test("a limit below a tenant's current usage is refused unless forced; a plan tenants are on cannot be deleted", async () => {
    assert.equal(
      (await owner.call('PUT', '/api/v1/plans/team', { displayName: 'Team', limits: limits(10) })).status,
      201,
    );
    const tenantId = await tenantOn('team-one', 'team');
    await sample(tenantId, 4, 5000, new Date(Date.now() - 60_000));
    await sample(tenantId, 6, 6000, new Date());

    const below = await owner.call('PUT', '/api/v1/plans/team', { displayName: 'Team', limits: limits(5) });
    assert.equal(below.status, 409, below.text);
    assert.equal(below.body.code, 'PLAN_LIMIT_BELOW_USAGE');
    assert.match(below.body.detail, /team-one/);
    assert.match(below.body.detail, /activeUsers/);
    assert.match(below.body.detail, /force/);
    assert.equal((await owner.call('GET', '/api/v1/plans/team')).body.limits.activeUsers, 10);
    // At the usage is not below it.
    assert.equal(
      (await owner.call('PUT', '/api/v1/plans/team', { displayName: 'Team', limits: limits(6) })).status,
      200,
    );
    const forced = await owner.call('PUT', '/api/v1/plans/team', {
      displayName: 'Team',
      limits: limits(5),
      force: true,
    });
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.body.plan.limits.activeUsers, 5);

    const inUse = await owner.call('DELETE', '/api/v1/plans/team');
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.code, 'PLAN_IN_USE');
    assert.match(inUse.body.detail, /1 tenant is on plan "team"/);
    assert.equal((await owner.call('GET', '/api/v1/plans/team')).status, 200);
  });

  test("a tenant's quota: the plan's limits, the override on top, levels of the latest sample, and its history", async () => {
    await owner.call('PUT', '/api/v1/plans/small', { displayName: 'Small', limits: limits(2, 10_000) });
    const tenantId = await tenantOn('small-one', 'small');
    const empty = await owner.call('GET', '/api/v1/tenants/small-one/quota');
    assert.equal(empty.status, 200, empty.text);
    assert.equal(empty.body.tenantId, tenantId);
    assert.equal(empty.body.plan, 'small');
    assert.equal(empty.body.usage, null);
    assert.equal(empty.body.levels.activeUsers, 'unknown');
    assert.equal(empty.body.levels.filestoreBytes, 'unlimited');
    assert.deepEqual(empty.body.enforcement, { installsBlocked: false, suspended: false });
    assert.equal(empty.body.trial, null);

    const t0 = Date.now() - 3_600_000;
    for (let i = 0; i < 5; i++) await sample(tenantId, 1, 1000 * (i + 1), new Date(t0 + i * 60_000));
    await sample(tenantId, 3, 8_000, new Date());
    const q = (await owner.call('GET', `/api/v1/tenants/${tenantId}/quota`)).body;
    assert.equal(q.usage.activeUsers, 3);
    assert.equal(q.levels.activeUsers, 'exceeded');
    assert.equal(q.levels.databaseBytes, 'warning', '8000 of 10000 is 80 %');
    assert.equal(q.levels.backupGenerations, 'ok');

    const set = await owner.call('PUT', `/api/v1/tenants/${tenantId}/quota/override`, {
      limits: { activeUsers: 5, databaseBytes: null },
      allowedModules: ['crm'],
    });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body.limits, { ...limits(5), databaseBytes: null });
    assert.deepEqual(set.body.allowedModules, ['crm']);
    assert.equal(set.body.levels.activeUsers, 'ok');
    assert.equal(set.body.levels.databaseBytes, 'unlimited');
    assert.deepEqual(set.body.override.limits, { activeUsers: 5, databaseBytes: null });
    // Without allowedModules the override follows the plan's list again.
    const limitsOnly = await owner.call('PUT', `/api/v1/tenants/${tenantId}/quota/override`, {
      limits: { activeUsers: 5, databaseBytes: null },
    });
    assert.equal(limitsOnly.status, 200, limitsOnly.text);
    assert.equal(limitsOnly.body.override.allowedModules, undefined);
    assert.equal(limitsOnly.body.limits.activeUsers, 5);
    const negative = await owner.call('PUT', `/api/v1/tenants/${tenantId}/quota/override`, {
      limits: { activeUsers: -2 },
    });
    assert.equal(negative.status, 400);
    assert.match(negative.body.field, /limits\/activeUsers/);

    const cleared = await owner.call('DELETE', `/api/v1/tenants/${tenantId}/quota/override`);
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.override, null);
    assert.equal(cleared.body.limits.activeUsers, 2);
    assert.equal(cleared.body.allowedModules, null);

    const seen: number[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const res = await owner.call(
        'GET',
        `/api/v1/tenants/${tenantId}/usage?limit=4${after ? `&after=${after}` : ''}`,
      );
      assert.equal(res.status, 200, res.text);
      seen.push(...res.body.items.map((s: { databaseBytes: number }) => s.databaseBytes));
      after = res.body.next;
      if (!after) break;
    }
    assert.deepEqual(seen, [8000, 5000, 4000, 3000, 2000, 1000], 'newest first, each once');
    const since = await owner.call(
      'GET',
      `/api/v1/tenants/${tenantId}/usage?since=${encodeURIComponent(new Date(t0 + 150_000).toISOString())}`,
    );
    assert.deepEqual(
      since.body.items.map((s: { databaseBytes: number }) => s.databaseBytes),
      [8000, 5000, 4000],
    );
    const badCursor = await owner.call('GET', `/api/v1/tenants/${tenantId}/usage?after=bm90LWEtY3Vyc29y`);
    assert.equal(badCursor.status, 400);
    assert.equal((await owner.call('GET', '/api/v1/tenants/no-such-tenant/quota')).status, 404);
    const pastTrial = await owner.call('PUT', `/api/v1/tenants/${tenantId}/trial`, {
      endsAt: '2020-01-01T00:00:00Z',
    });
    assert.equal(pastTrial.status, 400);
    assert.equal(pastTrial.body.code, 'TRIAL_END_IN_PAST');
  });

  test("a plan change from billing changes the tenant's limits at once", async () => {
    for (const [name, users] of [
      ['seats-two', 2],
      ['seats-ten', 10],
    ] as const) {
      const made = await owner.call('PUT', `/api/v1/plans/${name}`, {
        displayName: name,
        limits: limits(users),
        allowedModules: null,
        defaultModules: [],
        trialDays: null,
        atLimit: { action: 'block', graceSeconds: 0 },
        metered: null,
      });
      assert.equal(made.status, 201, made.text);
    }
    const tenantId = await tenantOn('billed-one', 'seats-two');
    await sample(tenantId, 3, 1000, new Date());
    const over = await owner.call('GET', `/api/v1/tenants/${tenantId}/quota`);
    assert.equal(over.body.levels.activeUsers, 'exceeded', '3 users on a two-user plan');

    // Billing's decision, as the billing service publishes it after a subscription's price changed.
    const billing = await p.busAs('billing');
    await billing.publish(
      makeEvent(
        'ocp.billing.tenant_plan_changed.v1',
        { tenantId, plan: 'seats-ten', provider: 'stripe', subscriptionId: randomUUID() },
        { source: 'ocp/billing', subject: tenantId },
      ),
    );
    const moved = await waitFor('the quota service to apply the new plan', async () => {
      const q = await owner.call('GET', `/api/v1/tenants/${tenantId}/quota`);
      return q.body.plan === 'seats-ten' ? q : undefined;
    });
    assert.equal(moved.body.limits.activeUsers, 10);
    assert.equal(moved.body.levels.activeUsers, 'ok', 'the same 3 users are within the new plan');
  });

  test('plans are read by every role and changed by owners and admins; overrides by operators too', async () => {
    const viewer = await invite(owner, 'quota-viewer@example.com', 'viewer');
    const operator = await invite(owner, 'quota-operator@example.com', 'operator');
    const billing = await invite(owner, 'quota-billing@example.com', 'billing');
    for (const who of [viewer, operator, billing]) {
      assert.equal((await who.call('GET', '/api/v1/plans')).status, 200);
      const put = await who.call('PUT', '/api/v1/plans/pro', { displayName: 'Mine', limits: limits(99) });
      assert.equal(put.status, 403);
      assert.equal(put.body.permission, 'plans:write');
    }
    const byOperator = await operator.call('PUT', '/api/v1/tenants/small-one/quota/override', {
      limits: { activeUsers: 4 },
    });
    assert.equal(byOperator.status, 200, byOperator.text);
    const byBilling = await billing.call('PUT', '/api/v1/tenants/small-one/quota/override', {
      limits: { activeUsers: 40 },
    });
    assert.equal(byBilling.status, 403);
    assert.equal(byBilling.body.permission, 'quotas:write');
    assert.equal((await billing.call('GET', '/api/v1/tenants/small-one/quota')).body.limits.activeUsers, 4);
    assert.equal((await owner.call('GET', '/api/v1/plans/pro')).body.displayName, 'Pro+');
  });

  test("module names are checked against what the plan's Odoo version offers", async () => {
    const noRuntime = await owner.call('PUT', '/api/v1/plans/erp', {
      displayName: 'ERP',
      odooVersion: '18.0',
      limits: limits(5),
      allowedModules: ['crm'],
    });
    assert.equal(noRuntime.status, 400, noRuntime.text);
    assert.equal(noRuntime.body.code, 'PLAN_INVALID');
    assert.equal(noRuntime.body.field, 'body/odooVersion');

    ({ odoo, role: runtimeRole, dataDir } = await startDoubleRuntime(bus, p.prefix));
    const unknown = await owner.call('PUT', '/api/v1/plans/erp', {
      displayName: 'ERP',
      odooVersion: '18.0',
      limits: limits(5),
      allowedModules: ['crm', 'sale', 'warp_drive'],
      defaultModules: ['crm', 'warp_drive'],
    });
    assert.equal(unknown.status, 400, unknown.text);
    assert.equal(unknown.body.code, 'PLAN_MODULE_UNKNOWN');
    // Only the unknown one is named (crm and sale are Odoo 18's).
    assert.match(unknown.body.detail, /^Odoo 18\.0 has no module named "warp_drive";/);
    const known = await owner.call('PUT', '/api/v1/plans/erp', {
      displayName: 'ERP',
      odooVersion: '18.0',
      limits: limits(5),
      allowedModules: ['crm', 'sale'],
      defaultModules: ['crm'],
    });
    assert.equal(known.status, 201, known.text);
    assert.equal(known.body.plan.odooVersion, '18.0');
    const otherVersion = await owner.call('PUT', '/api/v1/plans/erp', {
      displayName: 'ERP',
      odooVersion: '16.0',
      limits: limits(5),
      allowedModules: ['crm'],
    });
    assert.equal(otherVersion.status, 400);
    assert.equal(otherVersion.body.field, 'body/odooVersion');
  });

  test('the quota service down: plan reads answer 503, and the catalog is there again when it is back', async () => {
    await p.stopQuota();
    const down = await owner.call('GET', '/api/v1/plans/pro');
    assert.equal(down.status, 503, down.text);
    assert.equal(down.body.code, 'SERVICE_UNAVAILABLE');
    await p.startQuota();
    const back = await waitFor('the quota service to answer', async () => {
      const r = await owner.call('GET', '/api/v1/plans/pro');
      return r.status === 200 ? r : undefined;
    });
    assert.equal(back.body.displayName, 'Pro+');
  });
});
