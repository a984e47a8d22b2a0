import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { nkeys } from '@nats-io/nats-core';
import { durables, messages, rpcs, streams } from '@ocp/contracts';
import {
  ADMIN,
  catalogServices,
  identities,
  natsAuthorization,
  OBSERVER,
  permissionsOf,
  renderAuthorization,
  renderServerConfig,
  StreamSetupError,
  servicePermissions,
  streamsOf,
} from '../src/index.ts';
import { startBus } from './helpers.ts';

const run = promisify(execFile);

test('the identities are the services of the catalog, the observer and the admin', () => {
  assert.deepEqual(catalogServices(), [
    'audit',
    'backup',
    'billing',
    'gateway',
    'notifier',
    'quota',
    'router',
    'tenant',
  ]);
  assert.deepEqual(identities(), [
    'audit',
    'backup',
    'billing',
    'gateway',
    'notifier',
    'quota',
    'router',
    'tenant',
    OBSERVER,
    ADMIN,
  ]);
  assert.equal(permissionsOf(ADMIN), undefined, 'the admin has no limits');
  assert.throws(() => servicePermissions('mailer'), /no service "mailer" in the contracts catalog/);
});

test('a service publishes exactly the messages it is the publisher of, and calls only the methods it is a client of', () => {
  for (const service of catalogServices()) {
    const allowed = new Set(servicePermissions(service).publish.allow);
    for (const m of Object.values(messages))
      assert.equal(allowed.has(m.subject), m.publisher === service, `${service} publishing ${m.subject}`);
    for (const r of Object.values(rpcs))
      assert.equal(
        allowed.has(r.subject),
        (r.clients as readonly string[]).includes(service),
        `${service} calling ${r.subject}`,
      );
  }
  assert.ok(servicePermissions('gateway').publish.allow.includes('audit.request.v1'));
});

test('only a method’s server listens on its subject, and each identity reads only its own inbox', () => {
  for (const identity of identities().filter((i) => i !== ADMIN)) {
    const { subscribe, allow_responses } = permissionsOf(identity)!;
    const rpcSubjects = subscribe.allow.filter((s) => s.startsWith('rpc.'));
    const served = Object.values(rpcs)
      .filter((r) => r.server === identity)
      .map((r) => r.subject);
    assert.deepEqual(rpcSubjects.sort(), served.sort(), identity);
    assert.equal(allow_responses ?? false, served.length > 0, `${identity} answers requests`);
    const inboxes = subscribe.allow.filter((s) => s.startsWith('_INBOX'));
    assert.deepEqual(inboxes, [`_INBOX_${identity}.>`], identity);
    assert.ok(
      !subscribe.allow.some((s) => s === '>' || (s.endsWith('.>') && !s.startsWith(`_INBOX_${identity}`))),
    );
  }
});

test('nobody but the admin may delete or purge a stream or a message; the JetStream API is limited to what each uses', () => {
  for (const identity of identities().filter((i) => i !== ADMIN)) {
    const { publish } = permissionsOf(identity)!;
    for (const s of ['$JS.API.STREAM.DELETE.>', '$JS.API.STREAM.PURGE.>', '$JS.API.STREAM.MSG.DELETE.>'])
      assert.ok(publish.deny.includes(s), `${identity} denied ${s}`);
    assert.ok(
      !publish.allow.some((s) => /DELETE|PURGE/.test(s) && !s.startsWith('$JS.API.CONSUMER.DELETE.EVENTS_')),
      identity,
    );
    assert.ok(!publish.allow.some((s) => s === '>' || s === '$JS.API.>' || s === '$JS.>'), identity);
  }
  // Each service creates, reads and acks only its own durables.
  for (const d of Object.values(durables)) {
    for (const service of catalogServices()) {
      const has = servicePermissions(service).publish.allow.includes(
        `$JS.API.CONSUMER.MSG.NEXT.${d.stream.name}.${d.durable}`,
      );
      assert.equal(has, d.service === service, `${service} pulling ${d.durable}`);
    }
  }
  assert.deepEqual(
    streamsOf('gateway').map((s) => s.name),
    ['EVENTS_TENANT', 'EVENTS_OPERATION', 'AUDIT', 'WEBHOOKS', 'EVENTS_BACKUP'],
  );
});

test('the notifier pulls and acks its two durables, looks tenants up, and publishes nothing but its dead letters', () => {
  const { publish, subscribe, allow_responses } = servicePermissions('notifier');
  const mine = [
    ['EVENTS_OPERATION', 'notifier-operation-events'],
    ['EVENTS_BACKUP', 'notifier-backup-events'],
  ];
  for (const [stream, durable] of mine) {
    assert.ok(publish.allow.includes(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`), durable);
    assert.ok(publish.allow.includes(`$JS.ACK.${stream}.${durable}.>`), durable);
    assert.ok(publish.allow.includes(`deadletter.${durable}`), durable);
  }
  const consumerApi = publish.allow.filter(
    (s) => s.startsWith('$JS.API.CONSUMER.') || s.startsWith('$JS.ACK.'),
  );
  assert.ok(
    consumerApi.every((s) => mine.some(([stream, durable]) => s.includes(`.${stream}.${durable}`))),
    consumerApi.join(' '),
  );
  const plain = publish.allow.filter((s) => !s.startsWith('$JS.'));
  assert.deepEqual(plain.sort(), [
    'deadletter.notifier-backup-events',
    'deadletter.notifier-operation-events',
    'rpc.tenant.get.v1',
  ]);
  assert.deepEqual(subscribe.allow, ['_INBOX_notifier.>']);
  assert.equal(allow_responses, undefined, 'it serves no method');
  assert.deepEqual(
    streamsOf('notifier').map((s) => s.name),
    ['EVENTS_OPERATION', 'EVENTS_BACKUP', 'DEAD_LETTERS'],
  );
});

test('a follower of a stream makes ordered consumers of its own there, and no durable of the catalog is within its reach', () => {
  const gateway = servicePermissions('gateway').publish;
  for (const stream of ['EVENTS_TENANT', 'EVENTS_OPERATION', 'EVENTS_BACKUP']) {
    for (const verb of ['CREATE', 'INFO', 'MSG.NEXT', 'DELETE'])
      assert.ok(
        gateway.allow.includes(`$JS.API.CONSUMER.${verb}.${stream}.*`),
        `gateway ${verb} on ${stream}`,
      );
    // No acks (ordered consumers ack nothing) and no filter subjects.
    assert.ok(!gateway.allow.some((s) => s.startsWith(`$JS.ACK.${stream}`)), `gateway acks on ${stream}`);
    assert.ok(!gateway.allow.includes(`$JS.API.CONSUMER.CREATE.${stream}.*.>`));
  }
  const followed = ['EVENTS_TENANT', 'EVENTS_OPERATION', 'EVENTS_BACKUP'];
  for (const d of Object.values(durables).filter((x) => followed.includes(x.stream.name))) {
    assert.ok(gateway.deny.includes(`$JS.API.CONSUMER.*.${d.stream.name}.${d.durable}`), d.durable);
    assert.ok(gateway.deny.includes(`$JS.API.CONSUMER.MSG.NEXT.${d.stream.name}.${d.durable}`), d.durable);
  }
  // Not a follower of the work queues, the audit stream or the billing events.
  for (const stream of ['WORK_TENANT', 'WORK_BACKUP', 'AUDIT', 'EVENTS_BILLING', 'DEAD_LETTERS'])
    assert.ok(
      !gateway.allow.some((s) => s.startsWith(`$JS.API.CONSUMER.`) && s.includes(`.${stream}.`)),
      stream,
    );
});

test('nats-server accepts the rendered configuration', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-nats-conf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // No server is started: the file is only checked, public keys and all.
  const users = identities().map((identity) => ({ identity, nkey: nkeys.createUser().getPublicKey() }));
  assert.equal(natsAuthorization(users).users.length, identities().length);
  const whole = join(dir, 'whole.conf');
  await writeFile(
    whole,
    renderServerConfig({ host: '127.0.0.1', port: 4999, storeDir: join(dir, 'js'), users }),
  );
  const block = join(dir, 'block.conf');
  await writeFile(
    block,
    `port: 4999\njetstream: { store_dir: "${join(dir, 'js')}" }\n${renderAuthorization(users)}`,
  );
  for (const file of [whole, block]) {
    const { stdout, stderr } = await run('nats-server', ['-c', file, '-t']);
    assert.match(stdout + stderr, /is valid/, file);
  }
  assert.throws(() => natsAuthorization([{ identity: 'tenant', nkey: 'SUAAAA' }]), /not a user public key/);
});

test('a service of the catalog cannot keep a durable the catalog does not give it; its own durables start', async (t) => {
  const { bus } = await startBus(t, 'billing');
  await assert.rejects(
    bus.consume(
      { durable: 'billing-extra', stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'] },
      async () => {},
    ),
    (err: unknown) =>
      err instanceof StreamSetupError &&
      /consumer billing-extra on EVENTS_TENANT is not declared for the billing service/.test(err.message),
  );
  // The audit service's durable is not billing's either.
  await assert.rejects(
    bus.consume(
      {
        durable: durables.auditTenantEvents.durable,
        stream: streams.tenantEvents,
        types: ['ocp.tenant.created.v1'],
      },
      async () => {},
    ),
    StreamSetupError,
  );
  const own = await bus.consume(
    {
      durable: durables.billingTenants.durable,
      stream: streams.tenantEvents,
      types: ['ocp.tenant.created.v1'],
    },
    async () => {},
  );
  await own.stop();
});
