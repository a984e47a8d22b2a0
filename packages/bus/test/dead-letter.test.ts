import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messages, streams } from '@ocp/contracts';
import { uniqueName, waitFor } from '@ocp/testkit';
import { type HandledOutcome, PermanentError } from '../src/index.ts';
import { deadLetters, settled, startBus, tenantCreated } from './helpers.ts';

const enc = new TextEncoder();
const limit = { timeout: 30_000 };
const events = streams.tenantEvents.name;

/** Outcomes reported for each consumer, in order. */
function outcomeLog() {
  const seen = new Map<string, Array<{ type: string; outcome: HandledOutcome }>>();
  return {
    hooks: {
      onHandled(durable: string, type: string, outcome: HandledOutcome) {
        seen.set(durable, [...(seen.get(durable) ?? []), { type, outcome }]);
      },
    },
    of: (durable: string) => seen.get(durable) ?? [],
  };
}

test(
  'a message whose dead letter cannot be stored is not terminated: it comes back, and is terminated once its record is stored',
  limit,
  async (t) => {
    const outcomes = outcomeLog();
    const { bus, jsm } = await startBus(t, 'test', { hooks: outcomes.hooks });
    // Without the stream, a dead-letter publish has nowhere to go.
    await jsm.streams.delete(streams.deadLetters.name);
    const durable = uniqueName('c');
    const attempts: number[] = [];
    await bus.consume(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'], retryDelaysMs: [50] },
      async (_event, ctx) => {
        attempts.push(ctx.deliveryCount);
        throw new PermanentError('the tenant no longer exists');
      },
    );
    const event = tenantCreated();
    await bus.publishRaw(
      messages['ocp.tenant.created.v1'].subject,
      enc.encode('{not json'),
      uniqueName('raw'),
    );
    await bus.publish(event);

    await waitFor('both messages delivered three times', async () => {
      const bad = outcomes.of(durable).filter((o) => o.type === 'unknown');
      return attempts.length >= 3 && bad.length >= 3 ? true : undefined;
    });
    const held = await jsm.consumers.info(events, durable);
    assert.equal(held.ack_floor.stream_seq, 0, 'neither message was terminated');
    assert.ok(
      outcomes.of(durable).every((o) => o.outcome === 'retry'),
      'every failed dead letter is reported as a retry',
    );

    await bus.ensureStreams([streams.deadLetters]);

    await settled(jsm, events, durable, 2);
    const letters = await deadLetters(jsm, durable);
    assert.deepEqual(
      letters.map((l) => l.streamSequence),
      [1, 2],
      'one record for each message, stored before it was terminated',
    );
    assert.match(letters[0]?.reason ?? '', /failed its schema/);
    assert.equal(letters[1]?.reason, 'the tenant no longer exists');
    assert.equal(JSON.parse(letters[1]?.payload ?? '').id, event.id);
    assert.equal(outcomes.of(durable).filter((o) => o.outcome === 'dead_letter').length, 2);
  },
);

test(
  'a message whose last allowed delivery cannot be dead-lettered keeps coming back, skipping its handler, until its record is stored',
  limit,
  async (t) => {
    const outcomes = outcomeLog();
    const { bus, jsm } = await startBus(t, 'test', { hooks: outcomes.hooks });
    await jsm.streams.delete(streams.deadLetters.name);
    const durable = uniqueName('c');
    const attempts: number[] = [];
    await bus.consume(
      {
        durable,
        stream: streams.tenantEvents,
        types: ['ocp.tenant.created.v1'],
        maxDeliver: 2,
        retryDelaysMs: [50],
      },
      async (_event, ctx) => {
        attempts.push(ctx.deliveryCount);
        throw new Error('the database is down');
      },
    );

    await bus.publish(tenantCreated());

    // JetStream stops at max_deliver: only a consumer that leaves the count to the bus gets these.
    await waitFor('deliveries past the limit', async () =>
      outcomes.of(durable).length >= 4 ? true : undefined,
    );
    assert.equal((await jsm.consumers.info(events, durable)).ack_floor.stream_seq, 0, 'not terminated');

    await bus.ensureStreams([streams.deadLetters]);

    await settled(jsm, events, durable, 1);
    const [letter, ...more] = await deadLetters(jsm, durable);
    assert.deepEqual(more, []);
    assert.match(letter?.reason ?? '', /past the limit of 2/);
    assert.deepEqual(attempts, [1, 2], 'the handler ran only within the limit');
  },
);
