import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminQuery, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { subscribeTenantEvents } from '../support/events.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

const limit = { timeout: 60_000 };
const cleanupLimit = { timeout: 30_000 };
const lifecycle = ['ocp.tenant.created.v1', 'ocp.tenant.provisioning.v1', 'ocp.tenant.activated.v1'];

interface Readiness {
  status: number;
  failing: string[];
}

async function readiness(baseUrl: string): Promise<Readiness> {
  const res = await fetch(`${baseUrl}/readyz`);
  const body = (await res.json()) as { failing?: string[] };
  return { status: res.status, failing: body.failing ?? [] };
}

/** The ops base URLs of both services: the gateway's API server, the tenant service's ops server. */
const opsUrls = (p: Platform) => ({ gateway: p.gateway.url, tenant: `http://127.0.0.1:${p.tenant.port}` });

/** Waits until `/readyz` answers 503 naming `dependency`; returns what it named. */
async function notReadyFor(baseUrl: string, dependency: string): Promise<string[]> {
  const r = await waitFor(`${baseUrl}/readyz to answer 503 naming ${dependency}`, async () => {
    const r = await readiness(baseUrl);
    return r.status === 503 && r.failing.includes(dependency) ? r : undefined;
  });
  return r.failing;
}

async function ready(baseUrl: string): Promise<void> {
  await waitFor(
    `${baseUrl}/readyz to answer 200`,
    async () => ((await readiness(baseUrl)).status === 200 ? true : undefined),
    { timeoutMs: 30_000 },
  );
}

/** Creates a tenant through the API and waits until its provisioning ends; returns the tenant. */
async function createActive(p: Platform, slug: string) {
  const res = await p.api.call('POST', '/api/v1/tenants', { slug, displayName: `Tenant ${slug}` });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  const op = await p.api.waitOperation(res.body.operation.id, 30_000);
  assert.equal(op.state, 'succeeded', JSON.stringify(op));
  const tenant = (await p.api.call('GET', `/api/v1/tenants/${res.body.tenant.id}`)).body;
  assert.equal(tenant.state, 'active');
  return tenant;
}

type Events = Awaited<ReturnType<typeof subscribeTenantEvents>>;

/** Waits for a tenant's activation event, then checks its lifecycle events arrived once each, in order. */
async function assertLifecycleEvents(events: Events, tenantId: string): Promise<void> {
  await waitFor(`the activation event of ${tenantId}`, async () =>
    events.typesFor(tenantId).includes('ocp.tenant.activated.v1') ? true : undefined,
  );
  assert.deepEqual(events.typesFor(tenantId), lifecycle);
}

test(
  'services reconnect to a restarted NATS by themselves, and say not-ready and answer 503 while it is down',
  limit,
  async (t) => {
    let natsDown = false;
    let p: Platform | undefined;
    let events: Events | undefined;
    t.after(async () => {
      // Closing a connection or draining a bus needs a server to talk to.
      if (natsDown) await p?.nats.start();
      await events?.close();
      await p?.close();
    }, cleanupLimit);
    p = await startPlatform();
    const urls = opsUrls(p);
    events = await subscribeTenantEvents(p.natsAs('observer'));
    assert.equal((await readiness(urls.gateway)).status, 200);
    assert.equal((await readiness(urls.tenant)).status, 200);
    const before = await createActive(p, 'before');
    await assertLifecycleEvents(events, before.id);

    natsDown = true;
    await p.nats.stop();
    assert.deepEqual(await notReadyFor(urls.gateway, 'nats'), ['nats']);
    const tenantFailing = await notReadyFor(urls.tenant, 'nats');
    assert.ok(
      tenantFailing.every((name) => name === 'nats' || name === 'outbox'),
      `the tenant service names only NATS and the outbox it cannot publish: ${tenantFailing}`,
    );

    // A read, so that nothing changes if the request, buffered by the client, reaches the service
    // after the reconnect. The abort only catches a hang: the gateway's RPC timeout is 3 s.
    const res = await fetch(`${p.gateway.url}/api/v1/tenants`, {
      headers: { authorization: `Bearer ${p.api.token}` },
      signal: AbortSignal.timeout(Number(p.gatewayEnv.RPC_TIMEOUT_MS) + 10_000),
    });
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; code: string; detail: string };
    assert.equal(problem.status, 503);
    assert.equal(problem.code, 'SERVICE_UNAVAILABLE');
    assert.match(problem.detail, /try again/);

    await p.nats.start();
    natsDown = false;
    await ready(urls.gateway);
    await ready(urls.tenant);

    // The lifecycle events of a new tenant leave through the outbox: their arrival shows publishing resumed.
    const after = await createActive(p, 'after');
    await assertLifecycleEvents(events, after.id);
  },
);

test(
  'services reconnect to a restarted PostgreSQL by themselves, say not-ready while it is down, and finish the operation it interrupted',
  limit,
  async (t) => {
    let server: TestPostgres | undefined;
    let pgDown = false;
    let p: Platform | undefined;
    let events: Events | undefined;
    let blocker: pg.Client | undefined;
    t.after(async () => {
      await blocker?.end().catch(() => {});
      if (pgDown) await server?.start();
      await events?.close();
      await p?.close();
      await server?.dispose();
    }, cleanupLimit);
    // The services' databases and the tenant databases all live on this server.
    server = await startTestPostgres();
    p = await startPlatform({ serverUrl: server.url });
    const urls = opsUrls(p);
    events = await subscribeTenantEvents(p.natsAs('observer'));
    assert.equal((await readiness(urls.gateway)).status, 200);
    assert.equal((await readiness(urls.tenant)).status, 200);
    const before = await createActive(p, 'before');
    await assertLifecycleEvents(events, before.id);

    // Hold the template in an open transaction (a COMMENT locks it): the next tenant's clone waits
    // on it, so the restart surely interrupts provisioning under way.
    const template = p.tenantEnv.TENANT_TEMPLATE_DB!;
    blocker = new pg.Client({ connectionString: server.url });
    blocker.on('error', () => {});
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(template)} IS 'held by the test'`);
    const held = await p.api.call('POST', '/api/v1/tenants', { slug: 'held', displayName: 'Held' });
    assert.equal(held.status, 202, JSON.stringify(held.body));
    await waitFor('the clone to be waiting on the lock', async () => {
      const { rows } = await adminQuery(
        "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'CREATE DATABASE%' AND query LIKE $1",
        [`%${template}%`],
        server.url,
      );
      return rows.length > 0 ? true : undefined;
    });
    // The start is recorded beside the clone, not before it: wait for it too.
    const mid = await waitFor('the operation to be running', async () => {
      const r = await p.api.call('GET', `/api/v1/operations/${held.body.operation.id}`);
      return r.body.state === 'queued' ? undefined : r;
    });
    assert.equal(mid.body.state, 'running');

    pgDown = true;
    await server.stop();
    await blocker.end().catch(() => {});
    blocker = undefined;
    // Both services have an outbox in their database: it may be named beside PostgreSQL, never NATS.
    for (const url of [urls.gateway, urls.tenant]) {
      const failing = await notReadyFor(url, 'postgres');
      assert.ok(
        failing.every((name) => name === 'postgres' || name === 'outbox'),
        `only PostgreSQL and the outbox that lives in it are named: ${failing}`,
      );
    }

    await server.start();
    pgDown = false;
    await ready(urls.gateway);
    await ready(urls.tenant);
    // The relay has a connection again that listens for commits (its last statement is the
    // LISTEN), and holds its lease; without them the relay would only poll, or not publish.
    const serviceDb = new URL(p.tenantEnv.DATABASE_URL ?? '').pathname.slice(1);
    await waitFor('the outbox relay to hold its lease and listen again', async () => {
      const { rows } = await adminQuery(
        `SELECT 1 FROM pg_stat_activity a WHERE a.datname = $1 AND a.query = 'LISTEN ocp_outbox'`,
        [serviceDb],
        server.url,
      );
      const lease = await adminQuery(
        "SELECT 1 FROM ocp_lease WHERE name = 'outbox-relay' AND expires_at > now()",
        [],
        p.tenantEnv.DATABASE_URL,
      );
      return rows.length > 0 && lease.rows.length > 0 ? true : undefined;
    });

    const op = await p.api.waitOperation(held.body.operation.id, 30_000);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    assert.ok(op.attempts >= 2, `the operation ran again after the restart (attempts ${op.attempts})`);
    assert.equal((await p.api.call('GET', `/api/v1/tenants/${held.body.tenant.id}`)).body.state, 'active');
    await assertLifecycleEvents(events, held.body.tenant.id);

    const after = await createActive(p, 'after');
    await assertLifecycleEvents(events, after.id);
  },
);
