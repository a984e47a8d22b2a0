import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { startNats, waitFor } from '@ocp/testkit';
import pino from 'pino';
import { Registry } from 'prom-client';
import { registerConsumerLag } from '../src/consumer-lag.ts';

const limit = { timeout: 60_000 };
const enc = new TextEncoder();

/** A JetStream API call on the wire, as any client makes it. */
async function jsApi(nc: Awaited<ReturnType<typeof connect>>, subject: string, body: unknown) {
  const reply = (await nc.request(subject, enc.encode(JSON.stringify(body)), { timeout: 5000 })).json<{
    error?: unknown;
  }>();
  assert.equal(reply.error, undefined, JSON.stringify(reply));
}

const lagOf = async (registry: Registry) =>
  (await registry.getMetricsAsJSON())
    .filter((m) => m.name.startsWith('ocp_jetstream_consumer_'))
    .flatMap((m) => m.values.map((v) => ({ name: m.name, ...v.labels, value: v.value })));

test(
  'the lag of an owned durable is read from JetStream at scrape time; while NATS is away the scrape still answers, without it',
  limit,
  async (t) => {
    const nats = await startNats();
    t.after(() => nats.dispose());
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    t.after(() => nc.close());
    await jsApi(nc, '$JS.API.STREAM.CREATE.LAGTEST', { name: 'LAGTEST', subjects: ['lagtest.>'] });
    await jsApi(nc, '$JS.API.CONSUMER.CREATE.LAGTEST.lag-test', {
      stream_name: 'LAGTEST',
      config: { durable_name: 'lag-test', ack_policy: 'explicit', deliver_policy: 'all' },
    });
    for (const n of [1, 2, 3]) await jsApi(nc, `lagtest.${n}`, { n });
    // One delivered and not acknowledged.
    await nc.request('$JS.API.CONSUMER.MSG.NEXT.LAGTEST.lag-test', enc.encode(JSON.stringify({ batch: 1 })), {
      timeout: 5000,
      noMux: true,
    });

    const registry = new Registry();
    const owned = [
      { durable: 'lag-test', stream: { name: 'LAGTEST' } },
      // In the catalog but not made yet (its service has not started): left out, not an error.
      { durable: 'not-made', stream: { name: 'LAGTEST' } },
    ];
    registerConsumerLag(registry, nc, owned, pino({ level: 'silent' }), { cacheMs: 0, timeoutMs: 500 });
    assert.deepEqual(
      (await lagOf(registry)).sort((a, b) => a.name.localeCompare(b.name)),
      [
        { name: 'ocp_jetstream_consumer_ack_pending', stream: 'LAGTEST', consumer: 'lag-test', value: 1 },
        { name: 'ocp_jetstream_consumer_pending', stream: 'LAGTEST', consumer: 'lag-test', value: 2 },
      ],
    );

    await nats.stop();
    assert.deepEqual(await lagOf(registry), [], 'no figure while NATS is away, rather than an old one');
    assert.match(await registry.metrics(), /# TYPE ocp_jetstream_consumer_pending gauge/);

    await nats.start();
    await waitFor(
      'the lag is back with NATS',
      async () => ((await lagOf(registry)).length === 2 ? true : undefined),
      {
        timeoutMs: 20_000,
      },
    );
  },
);
