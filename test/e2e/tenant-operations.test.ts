import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { adminQuery, adminUrl, freePort, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { subscribeTenantEvents } from '../support/events.ts';
import { Api, type PlatformEnv, preparePlatform, startPlatform } from '../support/platform.ts';
import { type ServiceProcess, spawnService } from '../support/process.ts';

const limit = { timeout: 120_000 };
const lifecycle = ['ocp.tenant.created.v1', 'ocp.tenant.provisioning.v1', 'ocp.tenant.activated.v1'];

interface OperationLease {
  state: string;
  attempts: number;
  error: string | null;
  leased_by: string | null;
}

/** The operation's row as the workers see it: its lease and its attempts. */
async function leaseOf(env: PlatformEnv, operationId: string): Promise<OperationLease> {
  const { rows } = await adminQuery<OperationLease>(
    'SELECT state, attempts, error, leased_by FROM operations WHERE id = $1',
    [operationId],
    env.tenantEnv.DATABASE_URL,
  );
  return rows[0]!;
}

/**
 * The tenant service as a process of its own (so a test can kill it), a gateway in this process,
 * and a transaction that holds the template (a COMMENT on it), so the service's clone waits on it
 * and provisioning is surely under way when the test acts.
 */
async function startWithHeldRole(
  t: { after(fn: () => Promise<void>): void },
  tenantEnv: Record<string, string>,
) {
  const env = await preparePlatform({ tenantEnv });
  const port = await freePort();
  const serviceEnv = { ...env.tenantEnv, HTTP_PORT: String(port) };
  const state: {
    svc: ServiceProcess | undefined;
    gateway: Gateway | undefined;
    blocker: pg.Client | undefined;
    events: Awaited<ReturnType<typeof subscribeTenantEvents>> | undefined;
  } = { svc: undefined, gateway: undefined, blocker: undefined, events: undefined };
  t.after(async () => {
    await state.blocker?.end().catch(() => {});
    await state.events?.close();
    await state.gateway?.close();
    await state.svc?.kill('SIGKILL');
    await env.dispose();
  });
  const ready = async () =>
    (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ? true : undefined;
  const start = async () => {
    state.svc = spawnService('tenant', serviceEnv);
    await waitFor('the tenant service to be ready', ready, { timeoutMs: 30_000 }).catch((e) => {
      throw new Error(`${e.message}\n${state.svc?.output()}`);
    });
    return state.svc;
  };
  await start();
  state.events = await subscribeTenantEvents(env.natsAs('observer'));
  const gcfg = gatewayConfig(env.gatewayEnv);
  state.gateway = await startGateway(gcfg, createLogger('gateway', gcfg.LOG_LEVEL));
  const api = await Api.login(state.gateway.url, 'owner@example.com', env.ownerPassword);

  const slug = 'held';
  // A COMMENT on the template locks it until the transaction ends: the clone waits on it.
  const template = env.tenantEnv.TENANT_TEMPLATE_DB!;
  state.blocker = new pg.Client({ connectionString: adminUrl() });
  state.blocker.on('error', () => {});
  await state.blocker.connect();
  await state.blocker.query('BEGIN');
  await state.blocker.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(template)} IS 'held by the test'`);

  const created = await api.call('POST', '/api/v1/tenants', { slug, displayName: 'Held' });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  await waitFor('the clone to be waiting on the lock', async () => {
    const { rows } = await adminQuery(
      "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE DATABASE%' AND query LIKE $1",
      [`%${template}%`],
    );
    return rows.length > 0 ? true : undefined;
  });
  const operationId: string = created.body.operation.id;
  const tenantId: string = created.body.tenant.id;
  await waitFor('the operation to be running', async () => {
    const r = await api.call('GET', `/api/v1/operations/${operationId}`);
    return r.body.state === 'running' ? true : undefined;
  });
  return {
    env,
    api,
    operationId,
    tenantId,
    state,
    start,
    /** Lets the held clone go on. */
    async release() {
      await state.blocker?.query('ROLLBACK');
      await state.blocker?.end();
      state.blocker = undefined;
    },
  };
}

test(
  'a worker killed in the middle of an operation: the next start resumes it when its lease runs out, with the work command acked long ago',
  limit,
  async (t) => {
    // Ten minutes: were the operation waiting on the command's redelivery, it would not end here.
    const s = await startWithHeldRole(t, { WORK_ACK_WAIT_MS: '600000' });
    const before = await leaseOf(s.env, s.operationId);
    assert.ok(before.leased_by, 'the running operation is leased');
    assert.equal(before.attempts, 1);

    await s.state.svc?.kill('SIGKILL');
    await s.release();
    await s.start();

    const op = await s.api.waitOperation(s.operationId, 30_000);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    assert.equal(op.attempts, 2, 'resumed once, by the new worker');
    const after = await leaseOf(s.env, s.operationId);
    assert.equal(after.leased_by, null, 'the lease was given back at the end');
    assert.equal((await s.api.call('GET', `/api/v1/tenants/${s.tenantId}`)).body.state, 'active');
    await waitFor('the activation event', async () =>
      s.state.events?.typesFor(s.tenantId).includes('ocp.tenant.activated.v1') ? true : undefined,
    );
    assert.deepEqual(s.state.events?.typesFor(s.tenantId), lifecycle);
  },
);

test(
  'a graceful stop during a long step does not fail the operation; the next start resumes it and it succeeds',
  limit,
  async (t) => {
    // Info logs: the test waits for the worker to say it has asked its runners to stop.
    const s = await startWithHeldRole(t, { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '20000' });
    const svc = s.state.svc!;
    const exited = new Promise((resolve) => svc.proc.once('exit', resolve));
    svc.proc.kill('SIGTERM');
    await waitFor('the worker to ask its running operation to stop', async () =>
      svc.output().includes('asking running operations to stop at a safe point') ? true : undefined,
    );
    // The step goes on now, during the stop, with the pools still open: its runner reaches its
    // next safe point and stops there.
    await s.release();
    await exited;

    const stopped = await leaseOf(s.env, s.operationId);
    assert.notEqual(stopped.state, 'failed', JSON.stringify(stopped));
    assert.equal(stopped.error, null);
    const { rows } = await adminQuery<{ state: string }>(
      'SELECT state FROM tenants WHERE id = $1',
      [s.tenantId],
      s.env.tenantEnv.DATABASE_URL,
    );
    assert.equal(rows[0]?.state, 'provisioning', 'the stop did not fail the tenant');
    assert.equal(stopped.leased_by, null, 'the stop gave the lease back');
    assert.match(svc.output(), /operation interrupted by the stop; it resumes on the next start/);

    await s.start();
    const op = await s.api.waitOperation(s.operationId, 30_000);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    assert.equal(op.attempts, 2, 'the next start resumed it');
    assert.equal((await s.api.call('GET', `/api/v1/tenants/${s.tenantId}`)).body.state, 'active');
    await waitFor('the activation event', async () =>
      s.state.events?.typesFor(s.tenantId).includes('ocp.tenant.activated.v1') ? true : undefined,
    );
    assert.deepEqual(s.state.events?.typesFor(s.tenantId), lifecycle);
  },
);

test(
  'the reconciler repairs a tenant whose database refuses connections while its row says active (and the reverse), after which suspend and resume work',
  limit,
  async (t) => {
    const p = await startPlatform({ tenantEnv: { RECONCILE_INTERVAL_MS: '1000' } });
    t.after(() => p.close());
    const res = await p.api.call('POST', '/api/v1/tenants', { slug: 'halfdone', displayName: 'Half done' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal((await p.api.waitOperation(res.body.operation.id)).state, 'succeeded');
    const tenantId: string = res.body.tenant.id;
    const db = `${p.prefix}halfdone`;
    const allows = async () =>
      (
        await adminQuery<{ datallowconn: boolean }>(
          'SELECT datallowconn FROM pg_database WHERE datname = $1',
          [db],
        )
      ).rows[0]?.datallowconn;

    // The first half of a suspension, without the second: connections refused, the row active.
    await adminQuery(`ALTER DATABASE ${pg.escapeIdentifier(db)} ALLOW_CONNECTIONS false`);
    await waitFor('the reconciler to allow connections again', async () =>
      (await allows()) ? true : undefined,
    );
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${tenantId}`)).body.state, 'active');

    const s = await p.api.call('POST', `/api/v1/tenants/${tenantId}/suspend`, { reason: 'manual' });
    assert.equal(s.status, 202, JSON.stringify(s.body));
    assert.equal((await p.api.waitOperation(s.body.operation.id)).state, 'succeeded');
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${tenantId}`)).body.state, 'suspended');
    assert.equal(await allows(), false);

    // The reverse: a suspended tenant whose database accepts connections again.
    await adminQuery(`ALTER DATABASE ${pg.escapeIdentifier(db)} ALLOW_CONNECTIONS true`);
    await waitFor('the reconciler to refuse connections again', async () =>
      (await allows()) === false ? true : undefined,
    );
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${tenantId}`)).body.state, 'suspended');

    const r = await p.api.call('POST', `/api/v1/tenants/${tenantId}/resume`, { reason: 'manual' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal((await p.api.waitOperation(r.body.operation.id)).state, 'succeeded');
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${tenantId}`)).body.state, 'active');
    assert.equal(await allows(), true);
  },
);
