import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JetStreamApiError, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { streams } from '@ocp/contracts';
import { startNats, uniqueName } from '@ocp/testkit';
import { createBus, StreamSetupError } from '../src/index.ts';
import { ApiCode, isApiError } from '../src/jetstream-errors.ts';
import { cleanups, connectForever, startBus, testLogger } from './helpers.ts';

const limit = { timeout: 20_000 };

test('every stream the bus makes has the replicas of streamReplicas', limit, async (t) => {
  const { jsm } = await startBus(t, 'test', { streamReplicas: 1 });

  for (const def of Object.values(streams)) {
    const { config } = await jsm.streams.info(def.name);
    assert.equal(config.num_replicas, 1, def.name);
  }
});

test(
  'streamReplicas 3 on a single nats-server is refused with an error naming the stream and the replicas',
  limit,
  async (t) => {
    const defer = cleanups(t);
    const nats = await startNats();
    defer(() => nats.dispose());
    const nc = await connectForever(nats.url);
    defer(() => nc.close());
    const bus = await createBus({ nc, logger: testLogger(), service: 'test', streamReplicas: 3 });
    defer(() => bus.close());

    await assert.rejects(bus.ensureStreams([streams.tenantEvents]), (e: unknown) => {
      assert.ok(e instanceof StreamSetupError, `got ${String(e)}`);
      assert.match(e.message, /create stream EVENTS_TENANT with 3 replicas/);
      assert.match(e.message, /streamReplicas/);
      assert.ok(isApiError(e.cause, ApiCode.ReplicasNotSupported), `cause ${String(e.cause)}`);
      return true;
    });
    const jsm = await jetstreamManager(nc);
    assert.deepEqual(await jsm.streams.names().next(), [], 'no stream was made');
  },
);

test(
  'JetStream API errors are told by their err_code: a real "stream not found" is one, an Error reading the same is not',
  limit,
  async (t) => {
    const { jsm } = await startBus(t);
    const missing = await jsm.streams.info(uniqueName('NONE')).catch((e: unknown) => e);
    const missingConsumer = await jsm.consumers
      .info(streams.tenantEvents.name, uniqueName('c'))
      .catch((e: unknown) => e);

    assert.ok(missing instanceof JetStreamApiError);
    assert.ok(isApiError(missing, ApiCode.StreamNotFound));
    assert.ok(!isApiError(missing, ApiCode.ConsumerNotFound));
    assert.ok(isApiError(missingConsumer, ApiCode.ConsumerNotFound));
    assert.ok(!isApiError(new Error('stream not found'), ApiCode.StreamNotFound), 'text alone is not a code');
    assert.ok(
      !isApiError(new Error('stream name already in use'), ApiCode.StreamNameInUse),
      'text alone is not a code',
    );
  },
);

test(
  'ensureStreams brings a stream made elsewhere with other settings to the catalog settings, keeping its messages',
  limit,
  async (t) => {
    const defer = cleanups(t);
    const nats = await startNats();
    defer(() => nats.dispose());
    const nc = await connectForever(nats.url);
    defer(() => nc.close());
    const jsm = await jetstreamManager(nc);
    const def = streams.tenantEvents;
    await jsm.streams.add({ name: def.name, subjects: ['events.tenant.created.v1'], max_age: 0 });
    await nc.publish('events.tenant.created.v1', new Uint8Array([1]));
    await nc.flush();
    const bus = await createBus({ nc, logger: testLogger(), service: 'test' });
    defer(() => bus.close());

    await bus.ensureStreams([def]);

    const { config, state } = await jsm.streams.info(def.name);
    assert.deepEqual(config.subjects, def.subjects);
    assert.equal(config.retention, RetentionPolicy.Limits);
    assert.ok(config.max_age > 0, 'the catalog max age applies');
    assert.equal(config.num_replicas, 1);
    assert.equal(state.messages, 1);
  },
);
