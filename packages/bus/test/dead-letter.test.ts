import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { messages, streams } from '@ocp/contracts';
import { createTestDatabase, uniqueName, waitFor } from '@ocp/testkit';
import { classifyDbFailure, createPool } from '../../db/src/index.ts';
import { MAX_RECORDED_PAYLOAD } from '../src/dead-letter.ts';
import { UNKNOWN_FAILURE_LIMIT } from '../src/delivery.ts';
import { type HandledOutcome, PermanentError } from '../src/index.ts';
import { deadLetters, settled, startBus, tenantCreated, testLogger } from './helpers.ts';

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
    // The two come back independently, so their records may be stored in either order.
    const letters = (await deadLetters(jsm, durable)).sort((a, b) => a.streamSequence - b.streamSequence);
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

/** A bus whose consumers read failures with the database's classifier, as every service's do. */
async function startClassifyingBus(t: TestContext) {
  const rig = await startBus(t, 'test', { classifyFailure: classifyDbFailure });
  const db = await createTestDatabase('ocp_bus_dl_');
  const pool = createPool({ url: db.url, name: 'bus-dl-test', max: 2, logger: testLogger() });
  rig.defer(() => db.drop());
  rig.defer(() => pool.end());
  await pool.query('CREATE TABLE seen (doc jsonb NOT NULL)');
  return { ...rig, pool };
}

/** A tenant event whose display name PostgreSQL refuses in jsonb: a lone UTF-16 surrogate. */
function unstorableTenantCreated() {
  const event = tenantCreated();
  event.data.tenant.displayName = 'Acme \ud800';
  return event;
}

test(
  'under maxDeliver -1, a value the database refuses is dead-lettered at its first delivery, with the database error as reason, and the consumer goes on',
  limit,
  async (t) => {
    const { bus, jsm, pool } = await startClassifyingBus(t);
    const durable = uniqueName('c');
    const attempts: string[] = [];
    await bus.consume(
      {
        durable,
        stream: streams.tenantEvents,
        types: ['ocp.tenant.created.v1'],
        maxDeliver: -1,
        retryDelaysMs: [20],
      },
      async (event) => {
        attempts.push(event.id);
        await pool.query('INSERT INTO seen (doc) VALUES ($1)', [JSON.stringify(event.data)]);
      },
    );
    const poison = unstorableTenantCreated();
    const good = tenantCreated();
    await bus.publish(poison);
    await bus.publish(good);

    await settled(jsm, events, durable, 2);
    const [letter, ...more] = await deadLetters(jsm, durable);
    assert.deepEqual(more, []);
    assert.equal(JSON.parse(letter?.payload ?? '{}').id, poison.id);
    assert.match(letter?.reason ?? '', /data exception \(SQLSTATE 22P02\)/);
    assert.equal(letter?.deliveryCount, 1, 'not redelivered before it was dead-lettered');
    assert.deepEqual(attempts, [poison.id, good.id]);
    const { rows } = await pool.query<{ id: string }>("SELECT doc->'tenant'->>'id' AS id FROM seen");
    assert.deepEqual(
      rows.map((r) => r.id),
      [good.data.tenant.id],
    );
  },
);

test(
  'under maxDeliver -1, a transient failure is retried past any bound, and a failure of unknown kind is dead-lettered after the bound',
  limit,
  async (t) => {
    const { bus, jsm } = await startClassifyingBus(t);
    const durable = uniqueName('c');
    const unknownAttempts: number[] = [];
    const transientAttempts: number[] = [];
    const beyond = UNKNOWN_FAILURE_LIMIT + 5;
    const transient = tenantCreated({ slug: 'transient' });
    await bus.consume(
      {
        durable,
        stream: streams.tenantEvents,
        types: ['ocp.tenant.created.v1'],
        maxDeliver: -1,
        retryDelaysMs: [5],
      },
      async (event, ctx) => {
        if (event.id === transient.id) {
          transientAttempts.push(ctx.deliveryCount);
          // A connection lost, as node-postgres reports it: it passes once the server is back.
          if (ctx.deliveryCount < beyond) throw new Error('Connection terminated unexpectedly');
          return;
        }
        unknownAttempts.push(ctx.deliveryCount);
        throw new Error('a bug in the handler');
      },
    );
    const unknown = tenantCreated({ slug: 'unknown' });
    await bus.publish(unknown);
    await bus.publish(transient);

    await settled(jsm, events, durable, 2);
    assert.equal(unknownAttempts.length, UNKNOWN_FAILURE_LIMIT);
    assert.equal(
      transientAttempts.length,
      beyond,
      'retried until it passed, past the bound of unknown failures',
    );
    const letters = await deadLetters(jsm, durable);
    assert.deepEqual(
      letters.map((l) => JSON.parse(l.payload).id),
      [unknown.id],
    );
    assert.match(
      letters[0]?.reason ?? '',
      new RegExp(`a bug in the handler .*${UNKNOWN_FAILURE_LIMIT} times`),
    );
  },
);

test(
  'a batch that fails for good is handled again one event at a time: only the event the database refuses is dead-lettered',
  limit,
  async (t) => {
    const { bus, jsm, pool } = await startClassifyingBus(t);
    const durable = uniqueName('b');
    const batch = [tenantCreated(), unstorableTenantCreated(), tenantCreated()];
    for (const e of batch) await bus.publish(e);
    const sizes: number[] = [];
    await bus.consumeBatch(
      {
        durable,
        stream: streams.tenantEvents,
        types: ['ocp.tenant.created.v1'],
        maxDeliver: -1,
        maxWaitMs: 200,
      },
      async (events) => {
        sizes.push(events.length);
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          for (const e of events)
            await client.query('INSERT INTO seen (doc) VALUES ($1)', [JSON.stringify(e.data)]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        } finally {
          client.release();
        }
      },
    );

    await settled(jsm, events, durable, 3);
    assert.deepEqual(sizes, [3, 1, 1, 1]);
    const letters = await deadLetters(jsm, durable);
    assert.deepEqual(
      letters.map((l) => JSON.parse(l.payload).id),
      [batch[1]?.id],
    );
    const { rows } = await pool.query<{ id: string }>(
      "SELECT doc->'tenant'->>'id' AS id FROM seen ORDER BY 1",
    );
    assert.deepEqual(
      rows.map((r) => r.id),
      [batch[0]?.data.tenant.id, batch[2]?.data.tenant.id].sort(),
    );
  },
);

test(
  'a message near the largest NATS payload is dead-lettered with its first 64 KB, so its record fits and it does not come back',
  limit,
  async (t) => {
    const { bus, jsm } = await startBus(t);
    const durable = uniqueName('c');
    await bus.consume(
      { durable, stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'], retryDelaysMs: [20] },
      async () => {},
    );
    // Not JSON; escaped as JSON text each quote takes two bytes, twice the server's limit in all.
    const huge = enc.encode('"'.repeat(1000 * 1000));
    await bus.publishRaw(messages['ocp.tenant.created.v1'].subject, huge, uniqueName('raw'));
    await bus.publish(tenantCreated());

    await settled(jsm, events, durable, 2);
    const [letter, ...more] = await deadLetters(jsm, durable);
    assert.deepEqual(more, []);
    assert.equal(letter?.payloadBytes, huge.length);
    assert.equal(letter?.payloadTruncated, true);
    assert.equal(letter?.payload.length, MAX_RECORDED_PAYLOAD);
    assert.equal(letter?.deliveryCount, 1);
  },
);
