import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { adminQuery, adminUrl, freePort, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { subscribeTenantEvents } from '../support/events.ts';
import { Api, preparePlatform } from '../support/platform.ts';
import { type ServiceProcess, spawnService } from '../support/process.ts';

test('the tenant service killed in the middle of provisioning finishes the operation after a restart, with one database and every event once', async (t) => {
  // No short ack wait: the operation's lease, not the work command's redelivery, frees it.
  const env = await preparePlatform();
  const port = await freePort();
  const tenantEnv = { ...env.tenantEnv, HTTP_PORT: String(port) };
  let svc: ServiceProcess | undefined = spawnService('tenant', tenantEnv);
  let gateway: Gateway | undefined;
  let blocker: pg.Client | undefined;
  let events: Awaited<ReturnType<typeof subscribeTenantEvents>> | undefined;
  after(async () => {
    await blocker?.end().catch(() => {});
    await events?.close();
    await gateway?.close();
    await svc?.kill('SIGTERM');
    await env.dispose();
  });

  const ready = (p: number) => async () =>
    (await fetch(`http://127.0.0.1:${p}/readyz`).catch(() => undefined))?.ok ? true : undefined;
  await waitFor('the tenant service to be ready', ready(port), { timeoutMs: 30_000 }).catch((e) => {
    throw new Error(`${e.message}\n${svc?.output()}`);
  });
  events = await subscribeTenantEvents(env.natsAs('observer'));
  const gcfg = gatewayConfig(env.gatewayEnv);
  gateway = await startGateway(gcfg, createLogger('gateway', gcfg.LOG_LEVEL));
  const api = await Api.login(gateway.url, 'owner@example.com', env.ownerPassword);

  // Hold the template in an open transaction (a COMMENT locks it): the service's clone waits on
  // it, so the process can be killed while provisioning is surely under way.
  const template = env.tenantEnv.TENANT_TEMPLATE_DB!;
  blocker = new pg.Client({ connectionString: adminUrl() });
  await blocker.connect();
  await blocker.query('BEGIN');
  await blocker.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(template)} IS 'held by the test'`);

  const created = await api.call('POST', '/api/v1/tenants', { slug: 'crashy', displayName: 'Crashy' });
  assert.equal(created.status, 202);
  const tenantId: string = created.body.tenant.id;
  await waitFor('the clone to be waiting on the lock', async () => {
    const { rows } = await adminQuery(
      "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE DATABASE%' AND query LIKE $1",
      [`%${template}%`],
    );
    return rows.length > 0 ? true : undefined;
  });
  // The start is recorded beside the clone, not before it: wait for it too.
  const mid = await waitFor('the operation to be running', async () => {
    const r = await api.call('GET', `/api/v1/operations/${created.body.operation.id}`);
    return r.body.state === 'queued' ? undefined : r;
  });
  assert.equal(mid.body.state, 'running');
  const state = await api.call('GET', `/api/v1/tenants/${tenantId}`);
  assert.equal(state.body.state, 'provisioning');

  await svc.kill('SIGKILL');
  await blocker.query('ROLLBACK');
  await blocker.end();
  blocker = undefined;
  svc = spawnService('tenant', tenantEnv);
  await waitFor('the restarted tenant service to be ready', ready(port), { timeoutMs: 30_000 });

  const op = await api.waitOperation(created.body.operation.id, 30_000);
  assert.equal(op.state, 'succeeded', JSON.stringify(op));
  assert.ok(op.attempts >= 2, `the operation ran again after the crash (attempts ${op.attempts})`);
  const tenant = (await api.call('GET', `/api/v1/tenants/${tenantId}`)).body;
  assert.equal(tenant.state, 'active');
  const dbs = await adminQuery(
    'SELECT datname FROM pg_database WHERE datname LIKE $1 AND NOT datistemplate',
    [`${env.prefix.replaceAll('_', '\\_')}%`],
  );
  assert.deepEqual(
    dbs.rows.map((r) => r.datname),
    [`${env.prefix}crashy`],
  );

  const expected = ['ocp.tenant.created.v1', 'ocp.tenant.provisioning.v1', 'ocp.tenant.activated.v1'];
  await waitFor('the activation event', async () =>
    events?.typesFor(tenantId).includes('ocp.tenant.activated.v1') ? true : undefined,
  );
  // Anything published twice would show up within the dedup window; give a late duplicate a moment.
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(events.typesFor(tenantId), expected);
  t.diagnostic(`operation attempts: ${op.attempts}`);
});
