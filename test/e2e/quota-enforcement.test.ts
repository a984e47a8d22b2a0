import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Bus } from '@ocp/bus';
import { type CloudEvent, makeEvent, type QuotaPlan, type Tenant } from '@ocp/contracts';
import { adminQuery, urlFor, waitFor } from '@ocp/testkit';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { dropOwnedDatabases, ended, rpcError, startDoubleRuntime } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';

const limit = { timeout: 300_000 };

/** A plan as the quota service announces it. */
function plan(name: string, over: Partial<QuotaPlan> = {}): QuotaPlan {
  const now = new Date().toISOString();
  return {
    name,
    displayName: name,
    odooVersion: '18.0',
    limits: {
      activeUsers: 2,
      databaseBytes: null,
      filestoreBytes: null,
      backupBytes: null,
      backupGenerations: null,
    },
    allowedModules: null,
    defaultModules: [],
    trialDays: null,
    atLimit: { action: 'block', graceSeconds: 0 },
    metered: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}

/** A tenant's row as the tenant service has it now. */
async function tenantNow(bus: Bus, tenantId: string): Promise<Tenant> {
  return (await bus.request('tenant.get.v1', { tenantId })).tenant;
}

/** Adds an active internal user to a tenant's database, as Odoo would store it; returns its id. */
async function addUser(database: string, login: string): Promise<number> {
  const url = urlFor(database);
  const { rows: partner } = await adminQuery<{ id: number }>(
    'INSERT INTO res_partner (name, active, create_date, write_date) VALUES ($1, true, now(), now()) RETURNING id',
    [login],
    url,
  );
  const { rows } = await adminQuery<{ id: number }>(
    `INSERT INTO res_users (login, partner_id, company_id, active, share, create_date, write_date)
     VALUES ($1, $2, 1, true, false, now(), now()) RETURNING id`,
    [login, partner[0]!.id],
    url,
  );
  return rows[0]!.id;
}

/** Every event of the quota service's stream, as another system would see them. */
async function subscribeQuotaEvents(nats: ConnectionOptions) {
  const nc = await connect({ ...nats, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const consumer = await jetstream(nc).consumers.get('EVENTS_QUOTA', { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const seen: CloudEvent[] = [];
  const loop = (async () => {
    for await (const m of messages) seen.push(m.json<CloudEvent>());
  })();
  return {
    /** A tenant's events as `type` (without `ocp.quota.` and `.v1`) and what they say. */
    of(tenantId: string): string[] {
      return seen
        .filter((e) => e.subject === tenantId)
        .map((e) => {
          const type = e.type.replace(/^ocp\.quota\.|\.v1$/g, '');
          const d = e.data as unknown as Record<string, unknown>;
          if ('metric' in d) return `${type}:${d.metric}:${d.usage}/${d.limit}`;
          if ('installsBlocked' in d) return `${type}:${d.installsBlocked}`;
          if ('access' in d) return `${type}:${d.access}:${d.reason}`;
          return type;
        });
    },
    async close() {
      await messages.close();
      await loop;
      await nc.close();
    },
  };
}

describe("the tenant service follows the quota service's plans and decisions", limit, () => {
  let p: Platform;
  let bus: Bus;
  let odoo: OdooDouble;
  let dataDir: string;
  let runtimeRole: string | undefined;
  let runtimeId: string;
  let tenant: Tenant;
  const sent: CloudEvent[] = [];

  const publish = async (e: CloudEvent) => {
    sent.push(e);
    await bus.publish(e);
  };
  const asQuota = <T extends Parameters<typeof makeEvent>[0]>(
    type: T,
    data: Parameters<typeof makeEvent<T>>[1],
    subject?: string,
  ) => makeEvent(type, data, { source: 'ocp/quota', ...(subject ? { subject } : {}) });

  const install = (module: string) =>
    p.api.call('POST', `/api/v1/tenants/${tenant.id}/modules/${module}/install`);

  before(async () => {
    p = await startPlatform();
    bus = await p.busAs('admin');
    let runtime: { id: string };
    ({ odoo, role: runtimeRole, dataDir, runtime } = await startDoubleRuntime(bus, p.prefix));
    runtimeId = runtime.id;
    // The plan is known before the tenant is made: its default module is installed after provisioning.
    await publish(
      asQuota('ocp.quota.plan_changed.v1', {
        plan: plan('small', { allowedModules: ['crm', 'sale', 'sales_team'], defaultModules: ['crm'] }),
      }),
    );
    await waitFor('the plan in the copy', async () => {
      const { rows } = await adminQuery(
        'SELECT 1 FROM quota_plans WHERE name = $1',
        ['small'],
        p.databases.tenant,
      );
      return rows.length > 0 || undefined;
    });
    const created = await bus.request('tenant.create.v1', {
      slug: 'quota-shop',
      displayName: 'Quota shop',
      plan: 'small',
      runtimeId,
    });
    assert.equal((await ended(bus, created.operation.id)).state, 'succeeded');
    tenant = created.tenant;
  });
  after(async () => {
    await odoo?.close();
    if (runtimeRole) await dropOwnedDatabases(runtimeRole);
    await p?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('a tenant provisioned on a plan with default modules gets them installed', async () => {
    const ops = await waitFor('the default module operation', async () => {
      const { items } = await bus.request('operation.list.v1', { tenantId: tenant.id, limit: 20 });
      const install = items.find((o) => o.kind === 'tenant.module_install');
      return install && (install.state === 'succeeded' || install.state === 'failed') ? install : undefined;
    });
    assert.equal(ops.state, 'succeeded', ops.error ?? '');
    const { rows: actor } = await adminQuery<{ actor: string }>(
      'SELECT actor FROM operations WHERE id = $1',
      [ops.id],
      p.databases.tenant,
    );
    assert.equal(actor[0]?.actor, 'system:quota');
    const { rows } = await adminQuery<{ state: string }>(
      "SELECT state FROM ir_module_module WHERE name = 'crm'",
      [],
      urlFor(tenant.databaseName),
    );
    assert.equal(rows[0]?.state, 'installed');
  });

  test('a module outside the plan allowed list is refused with 403 naming the plan; uninstall is not', async () => {
    const res = await install('stock');
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.code, 'QUOTA_MODULE_NOT_ALLOWED');
    assert.match(res.body.detail, /"stock" is not in plan "small"/);
    const upgrade = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/modules/stock/upgrade`);
    assert.equal(upgrade.status, 403);
    const refused = await rpcError(
      bus.request('tenant.module.v1', { tenantId: tenant.id, module: 'stock', action: 'install' }),
    );
    assert.equal(refused.code, 'QUOTA_MODULE_NOT_ALLOWED');
    const uninstall = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/modules/crm/uninstall`);
    assert.equal(uninstall.status, 202, JSON.stringify(uninstall.body));
    assert.equal((await ended(bus, uninstall.body.operation.id)).state, 'succeeded');
  });

  test('blocked installs are refused with 403 and the limit; lifted, installs go on', async () => {
    await publish(
      asQuota(
        'ocp.quota.enforcement_changed.v1',
        { tenantId: tenant.id, installsBlocked: true, reason: 'activeUsers 3 of 2' },
        tenant.id,
      ),
    );
    const blocked = await waitFor('installs to be blocked', async () => {
      const res = await install('sale');
      if (res.status === 202) await ended(bus, res.body.operation.id);
      return res.status === 403 ? res : undefined;
    });
    assert.equal(blocked.body.code, 'QUOTA_EXCEEDED');
    assert.match(blocked.body.detail, /reached a limit of plan "small"/);
    await publish(
      asQuota('ocp.quota.enforcement_changed.v1', { tenantId: tenant.id, installsBlocked: false }, tenant.id),
    );
    const allowed = await waitFor('installs to be allowed again', async () => {
      const res = await install('crm');
      return res.status === 202 ? res : undefined;
    });
    assert.equal((await ended(bus, allowed.body.operation.id)).state, 'succeeded');
  });

  test('an older version of a plan delivered late changes nothing; a newer one does', async () => {
    await publish(
      asQuota('ocp.quota.plan_changed.v1', { plan: plan('small', { version: 3, allowedModules: null }) }),
    );
    await publish(
      asQuota('ocp.quota.plan_changed.v1', { plan: plan('small', { version: 2, allowedModules: ['crm'] }) }),
    );
    await waitFor('both versions handled', async () => {
      const { rows } = await adminQuery<{ n: number }>(
        `SELECT count(*)::int AS n FROM ocp_inbox WHERE event_id = ANY($1)`,
        [sent.slice(-2).map((e) => e.id)],
        p.databases.tenant,
      );
      return rows[0]!.n === 2 || undefined;
    });
    const { rows } = await adminQuery<{ version: number; allowed_modules: string[] | null }>(
      'SELECT version, allowed_modules FROM quota_plans WHERE name = $1',
      ['small'],
      p.databases.tenant,
    );
    assert.deepEqual(rows[0], { version: 3, allowed_modules: null });
  });

  test('a quota revoke suspends for reason quota; the grant clears quota only, never manual', async () => {
    const suspendManual = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/suspend`, {
      reason: 'manual',
    });
    assert.equal(suspendManual.status, 202, JSON.stringify(suspendManual.body));
    await ended(bus, suspendManual.body.operation.id);
    const revoke = asQuota(
      'ocp.quota.tenant_access_changed.v1',
      { tenantId: tenant.id, access: 'revoked', reason: 'quota', detail: 'over activeUsers for 1 s' },
      tenant.id,
    );
    await publish(revoke);
    // The same decision delivered twice has one effect.
    await bus.publish({ ...revoke });
    const suspended = await waitFor('the quota reason', async () => {
      const t = await tenantNow(bus, tenant.id);
      return t.suspensionReasons.includes('quota') ? t : undefined;
    });
    assert.deepEqual(suspended.suspensionReasons, ['manual', 'quota']);
    assert.equal(suspended.state, 'suspended');
    await publish(
      asQuota(
        'ocp.quota.tenant_access_changed.v1',
        { tenantId: tenant.id, access: 'granted', reason: 'quota', detail: 'back under' },
        tenant.id,
      ),
    );
    const cleared = await waitFor('the quota reason cleared', async () => {
      const t = await tenantNow(bus, tenant.id);
      return t.suspensionReasons.includes('quota') ? undefined : t;
    });
    assert.deepEqual(cleared.suspensionReasons, ['manual']);
    assert.equal(cleared.state, 'suspended', 'manual still stands');
    const { rows } = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM operations WHERE tenant_id = $1 AND params->>'reason' = 'quota'`,
      [tenant.id],
      p.databases.tenant,
    );
    assert.equal(rows[0]!.n, 2, 'one suspension and one resumption for quota');
    const resumed = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/resume`, { reason: 'manual' });
    assert.equal(resumed.status, 202);
    await ended(bus, resumed.body.operation.id);
    assert.equal((await tenantNow(bus, tenant.id)).state, 'active');
  });

  test('a plan the copy does not know refuses nothing', async () => {
    const made = await bus.request('tenant.create.v1', {
      slug: 'quota-unknown',
      displayName: 'Unknown plan',
      plan: 'nobody-knows',
      runtimeId,
    });
    assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
    const res = await p.api.call('POST', `/api/v1/tenants/${made.tenant.id}/modules/stock/install`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await ended(bus, res.body.operation.id);
  });
});

describe(
  'usage against a plan: warnings, enforcement and its lifting, through the quota service',
  limit,
  () => {
    let p: Platform;
    let bus: Bus;
    let odoo: OdooDouble;
    let dataDir: string;
    let runtimeRole: string | undefined;
    let runtimeId: string;
    let quotaEvents: Awaited<ReturnType<typeof subscribeQuotaEvents>>;

    const putPlan = (name: string, over: Record<string, unknown>) =>
      bus.request('quota.plans.put.v1', {
        plan: {
          name,
          displayName: name,
          limits: {
            activeUsers: 2,
            databaseBytes: null,
            filestoreBytes: null,
            backupBytes: null,
            backupGenerations: null,
          },
          ...over,
        },
      });
    const measure = (tenantId: string) => bus.request('quota.measure.now.v1', { tenantId });
    const install = (tenantId: string, module: string) =>
      p.api.call('POST', `/api/v1/tenants/${tenantId}/modules/${module}/install`);
    /** Waits until the quota service's events about a tenant are `expected`, then a scan more. */
    const eventsAre = async (tenantId: string, expected: string[]) =>
      await waitFor(`quota events ${expected.join(', ')}`, async () => {
        const got = quotaEvents.of(tenantId);
        return got.length >= expected.length ? got : undefined;
      });

    async function tenantOn(plan: string, slug: string): Promise<Tenant> {
      const made = await bus.request('tenant.create.v1', { slug, displayName: slug, plan, runtimeId });
      assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
      // The quota service knows the tenant from its events before it can measure it.
      await waitFor('the quota service to know the tenant', async () => {
        const { rows } = await adminQuery(
          "SELECT 1 FROM known_tenants WHERE tenant_id = $1 AND state = 'active'",
          [made.tenant.id],
          p.databases.quota,
        );
        return rows.length > 0 || undefined;
      });
      return made.tenant;
    }

    before(async () => {
      p = await startPlatform({ quotaEnv: { QUOTA_ENFORCE_CHECK_MS: '200' } });
      bus = await p.busAs('gateway');
      quotaEvents = await subscribeQuotaEvents(p.natsAs('observer'));
      let runtime: { id: string };
      ({ odoo, role: runtimeRole, dataDir, runtime } = await startDoubleRuntime(bus, p.prefix));
      runtimeId = runtime.id;
    });
    after(async () => {
      await quotaEvents?.close();
      await odoo?.close();
      if (runtimeRole) await dropOwnedDatabases(runtimeRole);
      await p?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    test('a two-user plan: warned at its limit, installs refused over it once however often it is measured, lifted back under', async () => {
      await putPlan('two-users', {
        allowedModules: ['crm', 'sale', 'sales_team'],
        atLimit: { action: 'block', graceSeconds: 0 },
      });
      const t = await tenantOn('two-users', 'quota-two');
      // A fresh database has one active internal user, its administrator.
      assert.equal((await measure(t.id)).sample.activeUsers, 1);
      const refusedModule = await waitFor('the plan in the tenant service', async () => {
        const res = await install(t.id, 'stock');
        return res.status === 403 ? res : undefined;
      });
      assert.equal(refusedModule.body.code, 'QUOTA_MODULE_NOT_ALLOWED');

      await addUser(t.databaseName, 'second@example.com');
      assert.equal((await measure(t.id)).sample.activeUsers, 2);
      const third = await addUser(t.databaseName, 'third@example.com');
      for (let i = 0; i < 3; i++) assert.equal((await measure(t.id)).sample.activeUsers, 3);
      await eventsAre(t.id, ['warning', 'exceeded', 'enforcement_changed']);
      const refused = await waitFor('installs to be refused', async () => {
        const res = await install(t.id, 'crm');
        if (res.status === 202) await ended(bus, res.body.operation.id);
        return res.status === 403 ? res : undefined;
      });
      assert.equal(refused.body.code, 'QUOTA_EXCEEDED');
      assert.match(refused.body.detail, /limit of plan "two-users"/);
      const outside = await install(t.id, 'stock');
      assert.equal(
        outside.body.code,
        'QUOTA_MODULE_NOT_ALLOWED',
        'the allowed list is named first, even over quota',
      );
      const { quota } = await bus.request('quota.tenant.get.v1', { tenantId: t.id });
      assert.equal(quota.enforcement.installsBlocked, true);
      // The quota service's own answer agrees with what the tenant service decided from its copy.
      assert.deepEqual(await bus.request('quota.module.check.v1', { tenantId: t.id, module: 'crm' }), {
        allowed: false,
        reason: 'over_quota',
      });
      assert.deepEqual(await bus.request('quota.module.check.v1', { tenantId: t.id, module: 'stock' }), {
        allowed: false,
        reason: 'not_in_plan',
      });

      await adminQuery('UPDATE res_users SET active = false WHERE id = $1', [third], urlFor(t.databaseName));
      for (let i = 0; i < 2; i++) assert.equal((await measure(t.id)).sample.activeUsers, 2);
      await eventsAre(t.id, [
        'warning',
        'exceeded',
        'enforcement_changed',
        'back_under',
        'enforcement_changed',
      ]);
      const allowed = await waitFor('installs to be allowed again', async () => {
        const res = await install(t.id, 'crm');
        return res.status === 202 ? res : undefined;
      });
      assert.equal((await ended(bus, allowed.body.operation.id)).state, 'succeeded');
      assert.deepEqual(quotaEvents.of(t.id), [
        'warning:activeUsers:2/2',
        'exceeded:activeUsers:3/2',
        'enforcement_changed:true',
        'back_under:activeUsers:2/2',
        'enforcement_changed:false',
      ]);
    });

    test('a suspend plan: suspended for quota after its grace period, resumed when back under, a manual suspension kept', async () => {
      await putPlan('one-user', {
        limits: {
          activeUsers: 1,
          databaseBytes: null,
          filestoreBytes: null,
          backupBytes: null,
          backupGenerations: null,
        },
        atLimit: { action: 'suspend', graceSeconds: 1 },
      });
      const t = await tenantOn('one-user', 'quota-one');
      await addUser(t.databaseName, 'second@example.com');
      assert.equal((await measure(t.id)).sample.activeUsers, 2);
      const suspended = await waitFor(
        'the suspension for quota',
        async () => {
          const now = await tenantNow(bus, t.id);
          return now.state === 'suspended' && now.suspensionReasons.includes('quota') ? now : undefined;
        },
        { timeoutMs: 30_000 },
      );
      assert.deepEqual(suspended.suspensionReasons, ['quota']);
      const manual = await p.api.call('POST', `/api/v1/tenants/${t.id}/suspend`, { reason: 'manual' });
      assert.equal(manual.status, 202, JSON.stringify(manual.body));
      await ended(bus, manual.body.operation.id);
      // Its database refuses connections while suspended: a raised limit brings it back under.
      await bus.request('quota.overrides.put.v1', {
        tenantId: t.id,
        limits: { activeUsers: 5 },
        allowedModules: null,
      });
      const cleared = await waitFor('the quota reason cleared', async () => {
        const now = await tenantNow(bus, t.id);
        return now.suspensionReasons.includes('quota') ? undefined : now;
      });
      assert.deepEqual(cleared.suspensionReasons, ['manual']);
      assert.equal(cleared.state, 'suspended', 'the manual suspension stands');
      await eventsAre(t.id, [
        'exceeded',
        'enforcement_changed',
        'tenant_access_changed',
        'back_under',
        'enforcement_changed',
        'tenant_access_changed',
      ]);
      assert.deepEqual(quotaEvents.of(t.id), [
        'exceeded:activeUsers:2/1',
        'enforcement_changed:true',
        'tenant_access_changed:revoked:quota',
        'back_under:activeUsers:2/5',
        'enforcement_changed:false',
        'tenant_access_changed:granted:quota',
      ]);
    });
  },
);
