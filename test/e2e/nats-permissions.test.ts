import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, PermissionViolationError } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { streams } from '@ocp/contracts';
import { type NatsIdentity, type Platform, startPlatform } from '../support/platform.ts';

/**
 * What NATS lets each identity do, on a platform whose services run with their own credentials:
 * the permissions are made from the contracts catalog, so these hostile moves must all be refused
 * while the platform itself keeps working.
 */

const enc = new TextEncoder();

/** Resolves with the first permission violation the server reports for `subject` on `nc`. */
function violationOn(
  nc: NatsConnection,
  subject: string,
  timeoutMs = 3000,
): Promise<PermissionViolationError | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    void (async () => {
      for await (const s of nc.status()) {
        if (
          s.type === 'error' &&
          s.error instanceof PermissionViolationError &&
          s.error.subject === subject
        ) {
          clearTimeout(timer);
          resolve(s.error);
          return;
        }
      }
    })();
  });
}

/** Publishes on `subject` and answers whether the server refused it. */
async function publishRefused(nc: NatsConnection, subject: string, data = '{}'): Promise<boolean> {
  const refused = violationOn(nc, subject);
  nc.publish(subject, enc.encode(data));
  await nc.flush();
  return (await refused)?.operation === 'publish';
}

/** Subscribes to `subject` and answers whether the server refused it. */
async function subscribeRefused(nc: NatsConnection, subject: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      resolve(false);
    }, 3000);
    const sub = nc.subscribe(subject, {
      callback: (err) => {
        if (err instanceof PermissionViolationError) {
          clearTimeout(timer);
          resolve(true);
        }
      },
    });
    void nc.flush();
  });
}

const messagesIn = async (p: Platform, stream: string) => {
  const nc = await p.connectNats('admin');
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
};

describe('NATS identities and permissions', () => {
  let p: Platform;
  let tenantId: string;
  const open: NatsConnection[] = [];
  const as = async (who: NatsIdentity) => {
    const nc = await p.connectNats(who, { reconnect: false });
    open.push(nc);
    return nc;
  };

  before(async () => {
    p = await startPlatform();
    const res = await p.api.call('POST', '/api/v1/tenants', { slug: 'perm-one', displayName: 'Permissions' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const op = await p.api.waitOperation(res.body.operation.id);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    tenantId = res.body.tenant.id;
  });
  after(async () => {
    for (const nc of open) await nc.close().catch(() => {});
    await p?.close();
  });

  test('every service does its work with its own credentials, and the server refuses none of it', async () => {
    // The tenant was made through gateway -> tenant -> JetStream -> audit and billing, all signed in.
    const log = await p.nats.log();
    assert.match(log, /Server is ready/);
    assert.doesNotMatch(log, /Violation/i, 'a service was refused something it does');
    const audit = await p.api.call('GET', '/api/v1/audit?limit=5');
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
  });

  test('a connection without credentials is refused', async () => {
    await assert.rejects(connect({ servers: p.nats.url, reconnect: false }), /Authorization Violation/i);
  });

  test("billing's credentials cannot forge an audit entry: audit.request.v1 is the gateway's alone", async () => {
    const before = await messagesIn(p, 'AUDIT');
    const billing = await as('billing');
    assert.equal(await publishRefused(billing, 'audit.request.v1'), true);
    assert.equal(await messagesIn(p, 'AUDIT'), before, 'the forged entry reached the AUDIT stream');
  });

  test("the gateway's credentials cannot publish a tenant event", async () => {
    const gateway = await as('gateway');
    assert.equal(await publishRefused(gateway, 'events.tenant.deleted.v1'), true);
  });

  test('only the gateway calls request/reply methods: billing and the observer cannot delete a tenant nor read the audit log', async () => {
    for (const who of ['billing', 'observer', 'audit'] as const) {
      const nc = await as(who);
      const refused = violationOn(nc, 'rpc.tenant.delete.v1');
      await assert.rejects(
        nc.request('rpc.tenant.delete.v1', enc.encode(JSON.stringify({ tenantId, actor: who })), {
          timeout: 1500,
        }),
        `${who} got an answer from rpc.tenant.delete.v1`,
      );
      assert.ok(await refused, `${who} was not refused rpc.tenant.delete.v1`);
      assert.equal(
        await publishRefused(nc, 'rpc.audit.query.v1'),
        true,
        `${who} may call rpc.audit.query.v1`,
      );
    }
    const t = await p.api.call('GET', `/api/v1/tenants/${tenantId}`);
    assert.equal(t.body.state, 'active', 'the tenant was deleted by a caller other than the gateway');
  });

  test("the notifier's credentials look a tenant up, but cannot delete one, publish an event or take another's durable", async () => {
    const notifier = await as('notifier');
    const reply = await notifier.request('rpc.tenant.get.v1', enc.encode(JSON.stringify({ tenantId })), {
      timeout: 5000,
    });
    assert.equal(reply.json<{ tenant: { slug: string } }>().tenant.slug, 'perm-one');
    const refused = violationOn(notifier, 'rpc.tenant.delete.v1');
    await assert.rejects(
      notifier.request('rpc.tenant.delete.v1', enc.encode(JSON.stringify({ tenantId, actor: 'notifier' })), {
        timeout: 1500,
      }),
    );
    assert.ok(await refused, 'the notifier was not refused rpc.tenant.delete.v1');
    assert.equal(await publishRefused(notifier, 'events.backup.failed.v1'), true);
    assert.equal(await publishRefused(notifier, 'events.operation.updated.v1'), true);
    assert.equal(
      await publishRefused(notifier, '$JS.API.CONSUMER.MSG.NEXT.EVENTS_OPERATION.audit-operation-events'),
      true,
    );
    const t = await p.api.call('GET', `/api/v1/tenants/${tenantId}`);
    assert.equal(t.body.state, 'active');
  });

  test("the quota service's credentials ask where a tenant is, but cannot delete one, publish a tenant event or take the tenant's durable of quota decisions", async () => {
    const quota = await as('quota');
    const reply = await quota.request(
      'rpc.tenant.backup.source.v1',
      enc.encode(JSON.stringify({ tenantId })),
      {
        timeout: 5000,
      },
    );
    assert.equal(reply.json<{ tenant: { id: string } }>().tenant.id, tenantId);
    const refused = violationOn(quota, 'rpc.tenant.delete.v1');
    await assert.rejects(
      quota.request('rpc.tenant.delete.v1', enc.encode(JSON.stringify({ tenantId, actor: 'quota' })), {
        timeout: 1500,
      }),
    );
    assert.ok(await refused, 'the quota service was not refused rpc.tenant.delete.v1');
    assert.equal(await publishRefused(quota, 'events.tenant.suspended.v1'), true);
    assert.equal(await publishRefused(quota, '$JS.API.CONSUMER.MSG.NEXT.EVENTS_QUOTA.tenant-quota'), true);
    // Nobody but the quota service announces quota decisions.
    for (const who of ['tenant', 'billing', 'gateway'] as const)
      assert.equal(
        await publishRefused(await as(who), 'events.quota.tenant_access_changed.v1'),
        true,
        `${who} may publish a quota decision`,
      );
    const t = await p.api.call('GET', `/api/v1/tenants/${tenantId}`);
    assert.equal(t.body.state, 'active');
  });

  test("nobody reads another identity's replies, nor listens on the request subjects", async () => {
    for (const who of ['billing', 'observer', 'tenant', 'audit'] as const) {
      const nc = await as(who);
      assert.equal(
        await subscribeRefused(nc, '_INBOX_gateway.>'),
        true,
        `${who} may read the gateway's replies`,
      );
      assert.equal(await subscribeRefused(nc, '_INBOX.>'), true, `${who} may read the default inbox`);
      assert.equal(await subscribeRefused(nc, 'rpc.>'), true, `${who} may listen on every request subject`);
    }
    const billing = await as('billing');
    assert.equal(
      await subscribeRefused(billing, 'rpc.tenant.delete.v1'),
      true,
      'billing may serve a tenant method',
    );
  });

  test('nobody but the admin deletes or purges a stream, or a message in it', async () => {
    const before = await messagesIn(p, 'EVENTS_TENANT');
    assert.ok(before > 0);
    for (const who of ['tenant', 'audit', 'billing', 'gateway', 'observer'] as const) {
      const nc = await as(who);
      const jsm = await jetstreamManager(nc, { timeout: 1500 });
      await assert.rejects(jsm.streams.purge('EVENTS_TENANT'), `${who} purged EVENTS_TENANT`);
      await assert.rejects(jsm.streams.deleteMessage('EVENTS_TENANT', 1), `${who} deleted a message`);
      await assert.rejects(jsm.streams.delete('EVENTS_TENANT'), `${who} deleted EVENTS_TENANT`);
    }
    assert.equal(await messagesIn(p, 'EVENTS_TENANT'), before);
    // The admin may (break-glass): the refusals above are permissions, not a broken API.
    const admin = await as('admin');
    const jsm = await jetstreamManager(admin);
    assert.equal(await jsm.streams.deleteMessage('EVENTS_TENANT', 1), true);
  });

  test("the gateway follows the event streams with consumers of its own, but cannot take or remove a service's durable there", async () => {
    const gateway = await as('gateway');
    const jsm = await jetstreamManager(gateway, { timeout: 1500 });
    for (const [stream, durable] of [
      ['EVENTS_TENANT', 'billing-tenants'],
      ['EVENTS_TENANT', 'audit-tenant-events'],
      ['EVENTS_OPERATION', 'audit-operation-events'],
      ['EVENTS_BACKUP', 'audit-backup-events'],
    ] as const) {
      await assert.rejects(jsm.consumers.info(stream, durable), `gateway read ${durable}`);
      await assert.rejects(jsm.consumers.delete(stream, durable), `gateway deleted ${durable}`);
      assert.equal(
        await publishRefused(gateway, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`),
        true,
        `gateway may pull from ${durable}`,
      );
    }
    // Not a follower of the audit stream or the work queues.
    await assert.rejects(jsm.consumers.info('WORK_TENANT', 'tenant-worker'));
    assert.equal(await publishRefused(gateway, '$JS.API.CONSUMER.CREATE.AUDIT.x'), true);
  });

  test("the observer cannot take a service's durable consumer, nor read the streams it does not follow", async () => {
    const observer = await as('observer');
    const jsm = await jetstreamManager(observer, { timeout: 1500 });
    await assert.rejects(
      jsm.consumers.info('EVENTS_TENANT', 'billing-tenants'),
      'observer read billing-tenants',
    );
    assert.equal(
      await publishRefused(observer, '$JS.API.CONSUMER.MSG.NEXT.EVENTS_TENANT.billing-tenants'),
      true,
      'observer may pull from billing-tenants',
    );
    await assert.rejects(jsm.streams.info('AUDIT'), 'observer read the AUDIT stream');
    // Its own consumer on an event stream works.
    const info = await jsm.streams.info('EVENTS_TENANT');
    assert.ok(info.state.messages > 0);
  });

  test('the router asks for routes and follows EVENTS_TENANT, and may do nothing else', async () => {
    // What it does, as the router service does it: a route, and a reading of the stream of its own.
    const bus = await p.busAs('router');
    const { route } = await bus.request('tenant.routes.get.v1', { tenantId }, { timeoutMs: 5000 });
    assert.equal(route?.tenantId, tenantId);
    const { last } = await bus.streamBounds(streams.tenantEvents);
    const reading = new AbortController();
    let seen = 0;
    await bus.follow(
      streams.tenantEvents,
      { afterSeq: Math.max(0, last - 1), signal: reading.signal, name: 'permissions-test' },
      () => {
        seen++;
        return false;
      },
    );
    assert.equal(seen, 1);

    const router = await as('router');
    for (const subject of [
      'rpc.tenant.delete.v1',
      'rpc.tenant.suspend.v1',
      'rpc.audit.query.v1',
      'events.tenant.deleted.v1',
      'audit.request.v1',
      '$JS.API.CONSUMER.MSG.NEXT.EVENTS_TENANT.billing-tenants',
      '$JS.API.CONSUMER.CREATE.EVENTS_OPERATION.x',
      '$JS.API.CONSUMER.CREATE.WORK_TENANT.x',
    ])
      assert.equal(await publishRefused(router, subject), true, `the router may publish ${subject}`);
    assert.equal(
      await subscribeRefused(router, 'rpc.tenant.routes.get.v1'),
      true,
      'the router may serve routes',
    );
    const jsm = await jetstreamManager(router, { timeout: 1500 });
    await assert.rejects(jsm.consumers.info('EVENTS_TENANT', 'audit-tenant-events'), 'router read a durable');
    await assert.rejects(jsm.streams.info('AUDIT'), 'router read the AUDIT stream');
  });
});
