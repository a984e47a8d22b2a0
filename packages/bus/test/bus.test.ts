import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { type CloudEvent, messages, streams } from '@ocp/contracts';
import { startNats, uniqueName, waitFor } from '@ocp/testkit';
import {
  childTraceparent,
  createBus,
  type DeliveryContext,
  PermanentError,
  RpcError,
  RpcUnavailableError,
  TransientError,
  traceIdOf,
} from '../src/index.ts';
import {
  cleanups,
  connectForever,
  deadLetters,
  settled,
  signal,
  startBus,
  storedMessages,
  tenantCreated,
  testLogger,
} from './helpers.ts';

const enc = new TextEncoder();
const created = messages['ocp.tenant.created.v1'];
const limit = { timeout: 20_000 };

const catalogStreamNames = Object.values(streams)
  .map((s) => s.name)
  .sort();

test('ensureStreams run again keeps the streams, their settings and what they hold', limit, async (t) => {
  const { bus, jsm } = await startBus(t);
  await bus.publish(tenantCreated());

  await bus.ensureStreams();
  await bus.ensureStreams();

  assert.deepEqual((await jsm.streams.names().next()).sort(), catalogStreamNames);
  for (const def of Object.values(streams)) {
    const { config } = await jsm.streams.info(def.name);
    assert.deepEqual(config.subjects, def.subjects, `${def.name} subjects`);
    assert.equal(config.retention, def.retention, `${def.name} retention`);
  }
  assert.equal((await jsm.streams.info(streams.tenantEvents.name)).state.messages, 1);
});

test(
  'two buses making the streams at once on a fresh server both succeed, and again on a made one',
  limit,
  async (t) => {
    const defer = cleanups(t);
    const nats = await startNats();
    defer(() => nats.dispose());
    const conns = await Promise.all([connectForever(nats.url), connectForever(nats.url)]);
    for (const c of conns) defer(() => c.close());
    const buses = await Promise.all(
      conns.map((nc) => createBus({ nc, logger: testLogger(), service: 'race' })),
    );
    for (const b of buses) defer(() => b.close());

    await Promise.all(buses.map((b) => b.ensureStreams()));
    await Promise.all(buses.map((b) => b.ensureStreams()));

    const jsm = await jetstreamManager(conns[0]!);
    assert.deepEqual((await jsm.streams.names().next()).sort(), catalogStreamNames);
  },
);

test(
  'publishing the same event id twice stores one message, with the event id as Nats-Msg-Id',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const event = tenantCreated();

    await bus.publish(event);
    await bus.publish(event);
    await bus.publish(tenantCreated());

    const stored = await storedMessages(jsm, streams.tenantEvents.name);
    assert.equal(stored.length, 2, 'the repeat was dropped and the other event kept');
    assert.equal(stored[0]?.header.get('Nats-Msg-Id'), event.id);
    assert.equal(stored[0]?.json<CloudEvent>().id, event.id);
  },
);

test(
  'publishing an event that fails its schema is refused before it reaches the stream',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const event = tenantCreated();
    const bad = { ...event, data: { ...event.data, tenant: { ...event.data.tenant, state: 'sleeping' } } };

    await assert.rejects(bus.publish(bad as unknown as typeof event), (e: unknown) => {
      assert.ok(e instanceof PermanentError);
      assert.match(e.message, /\/data\/tenant\/state/);
      return true;
    });
    assert.equal((await jsm.streams.info(streams.tenantEvents.name)).state.messages, 0);
  },
);

test(
  "a consumer hands a valid event to its handler with typed data and a traceparent in the publisher's trace",
  limit,
  async (t) => {
    const { bus } = await startBus(t);
    const got = signal<{ slug: string; event: CloudEvent<'ocp.tenant.created.v1'>; ctx: DeliveryContext }>();
    await bus.consume(
      { durable: uniqueName('c'), stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'] },
      async (event, ctx) => {
        // Typed: `data.tenant.slug` is a string here without a cast.
        const slug: string = event.data.tenant.slug;
        got.resolve({ slug, event, ctx });
      },
    );
    const publisherTrace = childTraceparent();
    const event = tenantCreated({ slug: 'globex' });

    await bus.publish(event, publisherTrace);
    const { slug, event: received, ctx } = await got.promise;

    assert.equal(slug, 'globex');
    assert.deepEqual(received, event);
    assert.equal(ctx.deliveryCount, 1);
    assert.equal(ctx.subject, created.subject);
    assert.equal(traceIdOf(ctx.traceparent), traceIdOf(publisherTrace), 'same trace id');
    assert.notEqual(ctx.traceparent, publisherTrace, 'a span of its own');
  },
);

test('a consumer acks and skips an event type it does not handle', limit, async (t) => {
  const { bus, jsm } = await startBus(t);
  const durable = uniqueName('c');
  const seen: string[] = [];
  await bus.consume(
    { durable, stream: streams.tenantEvents, types: ['ocp.tenant.deleted.v1'] },
    async (event) => {
      seen.push(event.type);
    },
  );

  await bus.publish(tenantCreated());

  await settled(jsm, streams.tenantEvents.name, durable, 1);
  assert.deepEqual(seen, []);
  assert.deepEqual(await deadLetters(jsm, durable), []);
});

test(
  'a message that fails its schema is terminated, never reaches the handler, and is dead-lettered with the reason',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('c');
    const handled: string[] = [];
    const good = tenantCreated();
    const gotGood = signal();
    // A short ack wait: a bad message left unacked would come back within the test.
    await bus.consume(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'], ackWaitMs: 1000 },
      async (event) => {
        handled.push(event.id);
        if (event.id === good.id) gotGood.resolve();
      },
    );
    const wrong = tenantCreated();
    const wrongState = {
      ...wrong,
      data: { ...wrong.data, tenant: { ...wrong.data.tenant, state: 'sleeping' } },
    };

    await bus.publishRaw(created.subject, enc.encode(JSON.stringify(wrongState)), wrong.id);
    await bus.publishRaw(created.subject, enc.encode('{not json'), uniqueName('raw'));
    await bus.publish(good);
    await gotGood.promise;

    const info = await settled(jsm, streams.tenantEvents.name, durable, 3);
    assert.deepEqual(handled, [good.id], 'only the valid event reached the handler');
    assert.equal(info.num_redelivered, 0, 'the bad messages were not redelivered');
    const letters = await waitFor('two dead letters', async () => {
      const l = await deadLetters(jsm, durable);
      return l.length === 2 ? l : undefined;
    });
    const [first, second] = letters;
    assert.equal(first?.consumer, durable);
    assert.equal(first?.subject, created.subject);
    assert.equal(first?.streamSequence, 1);
    assert.match(first?.reason ?? '', /failed its schema.*\/data\/tenant\/state/);
    assert.equal(JSON.parse(first?.payload ?? '').id, wrong.id, 'the record keeps the payload');
    assert.equal(first?.headers['Nats-Msg-Id'], wrong.id);
    assert.equal(second?.streamSequence, 2);
    assert.match(second?.reason ?? '', /failed its schema/);
    assert.equal(second?.payload, '{not json');
  },
);

test(
  'a handler that throws TransientError gets the message again after the delay, and it is then acked',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('c');
    const retryAfterMs = 600;
    const attempts: Array<{ count: number; at: number }> = [];
    const done = signal();
    await bus.consume(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'] },
      async (_event, ctx) => {
        attempts.push({ count: ctx.deliveryCount, at: Date.now() });
        if (ctx.deliveryCount === 1) throw new TransientError('the database is busy', retryAfterMs);
        done.resolve();
      },
    );

    await bus.publish(tenantCreated());
    await done.promise;

    const info = await settled(jsm, streams.tenantEvents.name, durable, 1);
    assert.deepEqual(
      attempts.map((a) => a.count),
      [1, 2],
    );
    const gap = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
    // A lower bound only: the server must not redeliver before the delay the handler asked for.
    assert.ok(gap >= retryAfterMs - 100, `redelivered after ${gap} ms, asked for ${retryAfterMs} ms`);
    assert.equal(info.num_redelivered, 0, 'nothing waits for another delivery');
    assert.deepEqual(await deadLetters(jsm, durable), []);
  },
);

test(
  'a handler that throws PermanentError dead-letters the message at once, without a retry',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('c');
    const counts: number[] = [];
    await bus.consume(
      {
        durable,
        stream: streams.tenantEvents,
        types: ['ocp.tenant.created.v1'],
        ackWaitMs: 1000,
        retryDelaysMs: [50],
      },
      async (_event, ctx) => {
        counts.push(ctx.deliveryCount);
        throw new PermanentError('the tenant no longer exists');
      },
    );
    const event = tenantCreated();

    await bus.publish(event);

    const [letter] = await waitFor('a dead letter', async () => {
      const l = await deadLetters(jsm, durable);
      return l.length > 0 ? l : undefined;
    });
    const info = await settled(jsm, streams.tenantEvents.name, durable, 1);
    assert.equal(letter?.reason, 'the tenant no longer exists');
    assert.equal(letter?.deliveryCount, 1);
    assert.equal(JSON.parse(letter?.payload ?? '').id, event.id);
    assert.deepEqual(counts, [1]);
    assert.equal(info.delivered.stream_seq, 1);
    assert.equal(info.num_redelivered, 0);
  },
);

test(
  'a consumer without a delivery limit keeps retrying a transient failure and never dead-letters it',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('c');
    const counts: number[] = [];
    const done = signal();
    await bus.consume(
      {
        durable,
        stream: streams.tenantEvents,
        types: ['ocp.tenant.created.v1'],
        maxDeliver: -1,
        retryDelaysMs: [50],
      },
      async (_event, ctx) => {
        counts.push(ctx.deliveryCount);
        if (ctx.deliveryCount < 4) throw new TransientError('not yet');
        done.resolve();
      },
    );

    await bus.publish(tenantCreated());
    await done.promise;

    await settled(jsm, streams.tenantEvents.name, durable, 1);
    assert.deepEqual(counts, [1, 2, 3, 4]);
    assert.deepEqual(await deadLetters(jsm, durable), []);
  },
);

test('stopping a consumer right after it starts returns and no handler runs afterwards', limit, async (t) => {
  const { bus } = await startBus(t);
  const seen: string[] = [];
  const consumption = await bus.consume(
    { durable: uniqueName('c'), stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'] },
    async (event) => {
      seen.push(event.id);
    },
  );

  await consumption.stop();
  await bus.publish(tenantCreated());

  // The handler would run within a few milliseconds of the publish if the consumer were still pulling.
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(seen, []);
});

test('request and serve make a round trip, and the server sees the caller trace id', limit, async (t) => {
  const { bus } = await startBus(t);
  const event = tenantCreated({ slug: 'initech' });
  const calls: Array<{ slug?: string; traceparent: string }> = [];
  bus.serve('tenant.get.v1', async (req, ctx) => {
    calls.push({ ...(req.slug ? { slug: req.slug } : {}), traceparent: ctx.traceparent });
    return { tenant: event.data.tenant };
  });
  const caller = childTraceparent();

  const reply = await bus.request('tenant.get.v1', { slug: 'initech' }, { traceparent: caller });

  assert.deepEqual(reply, { tenant: event.data.tenant });
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.slug, 'initech');
  assert.equal(traceIdOf(calls[0]?.traceparent), traceIdOf(caller));
});

test(
  'a request that fails the request schema is answered VALIDATION_FAILED without calling the handler',
  limit,
  async (t) => {
    const { bus } = await startBus(t);
    let called = 0;
    bus.serve('tenant.create.v1', async () => {
      called++;
      throw new Error('must not be called');
    });

    await assert.rejects(
      bus.request('tenant.create.v1', { slug: 'Bad Slug!', displayName: 'X', plan: 'starter' }),
      (e: unknown) => {
        assert.ok(e instanceof RpcError, `got ${String(e)}`);
        assert.equal(e.code, 'VALIDATION_FAILED');
        assert.equal(e.field, '/slug');
        assert.match(e.message, /\/slug/);
        return true;
      },
    );
    assert.equal(called, 0);
  },
);

test(
  'an RpcError thrown by the handler reaches the caller with its code, message and field',
  limit,
  async (t) => {
    const { bus } = await startBus(t);
    bus.serve('tenant.get.v1', async () => {
      throw new RpcError('TENANT_NOT_FOUND', 'no tenant has the slug acme', '/slug');
    });

    await assert.rejects(bus.request('tenant.get.v1', { slug: 'acme' }), (e: unknown) => {
      assert.ok(e instanceof RpcError, `got ${String(e)}`);
      assert.equal(e.code, 'TENANT_NOT_FOUND');
      assert.equal(e.message, 'no tenant has the slug acme');
      assert.equal(e.field, '/slug');
      return true;
    });
  },
);

test('an unexpected handler error reaches the caller as INTERNAL without its details', limit, async (t) => {
  const { bus } = await startBus(t);
  bus.serve('tenant.get.v1', async () => {
    throw new Error('password authentication failed for user "tenant_admin"');
  });

  await assert.rejects(bus.request('tenant.get.v1', { slug: 'acme' }), (e: unknown) => {
    assert.ok(e instanceof RpcError, `got ${String(e)}`);
    assert.equal(e.code, 'INTERNAL');
    assert.doesNotMatch(e.message, /password|tenant_admin/);
    return true;
  });
});

test('a request nobody serves fails with RpcUnavailableError', limit, async (t) => {
  const { bus } = await startBus(t);

  await assert.rejects(
    bus.request('operation.get.v1', { operationId: crypto.randomUUID() }, { timeoutMs: 1000 }),
    (e: unknown) => {
      assert.ok(e instanceof RpcUnavailableError, `got ${String(e)}`);
      assert.match(e.message, /rpc\.operation\.get\.v1/);
      return true;
    },
  );
});

test('a consumer keeps receiving events across a nats-server restart', limit, async (t) => {
  const { nats, nc, bus } = await startBus(t);
  const received: string[] = [];
  const arrivals = new Map<string, () => void>();
  await bus.consume(
    { durable: uniqueName('c'), stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'] },
    async (event) => {
      received.push(event.id);
      arrivals.get(event.id)?.();
    },
  );
  const arrival = (id: string) => new Promise<void>((r) => arrivals.set(id, r));
  const before = tenantCreated();
  const after = tenantCreated();

  const gotBefore = arrival(before.id);
  await bus.publish(before);
  await gotBefore;

  const reconnected = (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') return;
  })();
  await nats.stop();
  await nats.start();
  await reconnected;

  const gotAfter = arrival(after.id);
  // The stream may still be recovering right after the reconnect; a retried publish is safe because
  // the event id deduplicates it.
  await waitFor('a publish after the restart', async () => {
    await bus.publish(after);
    return true;
  });
  await gotAfter;
  assert.deepEqual(received, [before.id, after.id]);
});

test(
  'a batch consumer hands its handler the waiting events in batches of at most batchSize, in stream order, and acks them all',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('b');
    const published: string[] = [];
    for (let i = 0; i < 25; i++) {
      const event = tenantCreated();
      published.push(event.id);
      await bus.publish(event);
    }
    const batches: string[][] = [];
    await bus.consumeBatch(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'], batchSize: 10 },
      async (events, ctx) => {
        assert.equal(ctx.deliveries.length, events.length);
        // Typed: the data of a created event, without a cast.
        const slugs: string[] = events.map((e) => e.data.tenant.slug);
        assert.equal(slugs.length, events.length);
        batches.push(events.map((e) => e.id));
      },
    );

    const info = await settled(jsm, streams.tenantEvents.name, durable, 25);
    assert.deepEqual(batches.flat(), published);
    assert.ok(
      batches.every((b) => b.length <= 10),
      `batch sizes ${batches.map((b) => b.length)}`,
    );
    assert.ok(batches.length <= 5, `25 waiting events came in ${batches.length} batches`);
    assert.equal(info.num_redelivered, 0);
  },
);

test('a batch that does not fill is handed over all the same', limit, async (t) => {
  const { bus } = await startBus(t);
  const got = signal<string[]>();
  await bus.consumeBatch(
    {
      durable: uniqueName('b'),
      stream: streams.tenantEvents,
      types: ['ocp.tenant.created.v1'],
      batchSize: 500,
      maxWaitMs: 50,
    },
    async (events) => got.resolve(events.map((e) => e.id)),
  );
  const event = tenantCreated();

  await bus.publish(event);

  assert.deepEqual(await got.promise, [event.id]);
});

test(
  'in a batch, messages that fail their schema are dead-lettered and the valid ones still reach the handler',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('b');
    const good = [tenantCreated(), tenantCreated()];
    const wrong = tenantCreated();
    const wrongState = {
      ...wrong,
      data: { ...wrong.data, tenant: { ...wrong.data.tenant, state: 'sleeping' } },
    };
    await bus.publish(good[0]!);
    await bus.publishRaw(created.subject, enc.encode(JSON.stringify(wrongState)), wrong.id);
    await bus.publishRaw(created.subject, enc.encode('{not json'), uniqueName('raw'));
    await bus.publish(good[1]!);
    const handled: string[] = [];
    await bus.consumeBatch(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'], ackWaitMs: 1000 },
      async (events) => {
        handled.push(...events.map((e) => e.id));
      },
    );

    const info = await settled(jsm, streams.tenantEvents.name, durable, 4);
    assert.deepEqual(
      handled,
      good.map((e) => e.id),
    );
    assert.equal(info.num_redelivered, 0, 'nothing was redelivered');
    const letters = await waitFor('two dead letters', async () => {
      const l = await deadLetters(jsm, durable);
      return l.length === 2 ? l : undefined;
    });
    assert.deepEqual(
      letters.map((l) => l.streamSequence),
      [2, 3],
    );
    assert.match(letters[0]?.reason ?? '', /failed its schema.*\/data\/tenant\/state/);
  },
);

test(
  'a batch handler that throws gets the whole batch again after the retry delay, and it is then acked',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('b');
    const events = [tenantCreated(), tenantCreated(), tenantCreated()];
    for (const e of events) await bus.publish(e);
    const calls: Array<{ ids: string[]; counts: number[] }> = [];
    await bus.consumeBatch(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'], maxDeliver: -1 },
      async (batch, ctx) => {
        calls.push({ ids: batch.map((e) => e.id), counts: ctx.deliveries.map((d) => d.deliveryCount) });
        if (calls.length === 1) throw new TransientError('the database is busy', 200);
      },
    );

    const info = await settled(jsm, streams.tenantEvents.name, durable, 3);
    const ids = events.map((e) => e.id);
    assert.deepEqual(calls, [
      { ids, counts: [1, 1, 1] },
      { ids, counts: [2, 2, 2] },
    ]);
    assert.equal(info.num_redelivered, 0);
    assert.deepEqual(await deadLetters(jsm, durable), []);
  },
);

test(
  'a batch handler that throws PermanentError for each of its events dead-letters every one',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('b');
    const events = [tenantCreated(), tenantCreated()];
    for (const e of events) await bus.publish(e);
    let calls = 0;
    await bus.consumeBatch(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'], retryDelaysMs: [50] },
      async () => {
        calls++;
        throw new PermanentError('these can never be stored');
      },
    );

    const letters = await waitFor('two dead letters', async () => {
      const l = await deadLetters(jsm, durable);
      return l.length === 2 ? l : undefined;
    });
    await settled(jsm, streams.tenantEvents.name, durable, 2);
    assert.equal(calls, 3, 'the batch once, then each event alone');
    assert.deepEqual(
      letters.map((l) => JSON.parse(l.payload).id),
      events.map((e) => e.id),
    );
    assert.equal(letters[0]?.reason, 'these can never be stored');
  },
);

test(
  'a stopped batch consumer finishes its batch and hands back what it had pulled, so a new one gets it at once',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('b');
    const published: string[] = [];
    for (let i = 0; i < 8; i++) {
      const event = tenantCreated();
      published.push(event.id);
      await bus.publish(event);
    }
    // The ack wait is longer than the test may run: only a handed-back message can come again in time.
    const spec = {
      durable,
      stream: streams.tenantEvents,
      types: ['ocp.tenant.created.v1'] as const,
      batchSize: 5,
      ackWaitMs: 60_000,
    };
    const handled: string[] = [];
    const inBatch = signal();
    const release = signal();
    const first = await bus.consumeBatch(spec, async (events) => {
      inBatch.resolve();
      await release.promise;
      handled.push(...events.map((e) => e.id));
    });
    await inBatch.promise;
    // The server answers on the bus's own connection after the messages it sent before: once it says
    // all 8 were delivered, the 3 past the first batch wait in the consumer's buffer, not in flight.
    await waitFor('all 8 delivered', async () => {
      const info = await jsm.consumers.info(streams.tenantEvents.name, durable);
      return info.delivered.stream_seq === 8 ? true : undefined;
    });

    const stopping = first.stop();
    release.resolve();
    await stopping;
    assert.deepEqual(
      handled,
      published.slice(0, 5),
      'the batch in hand was finished before the stop returned',
    );

    await bus.consumeBatch(spec, async (events) => {
      handled.push(...events.map((e) => e.id));
    });
    await settled(jsm, streams.tenantEvents.name, durable, 8);
    assert.deepEqual(handled, published, 'every event handled once, in order');
  },
);
