/**
 * `pnpm bench:webhooks`: signed Stripe webhooks at increasing offered rates against the gateway
 * (verify, publish to JetStream, wait for the ack, audit), and the same load against a plain
 * fastify route answering `{}` on the same machine, in the same run, as the baseline. Open loop:
 * each request is due at its time and its latency counts from then, so a slow server cannot hide
 * its queue. Afterwards every accepted event must be on the WEBHOOKS stream exactly once.
 * Loopback only; the request count and the time are bounded. It prints figures; it fails only
 * when an accepted event is missing or stored twice.
 */
import { parseArgs } from 'node:util';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { createTestDatabase, startNats, type TestNats } from '@ocp/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { positiveInt } from '../support/args.ts';

const usage = `pnpm bench:webhooks [--rates 100,250,500,1000,2000] [--seconds 3] [--max-requests 20000] [--max-in-flight 256]
  Offers each rate for --seconds to the gateway and to a baseline fastify route; at most
  --max-requests requests per target in all, and at most --max-in-flight at once (later ones are
  counted as dropped by the load generator).`;

const progress = (line: string) => process.stderr.write(`${line}\n`);
const SECRET = 'whsec_bench_0123456789abcdefghijklmnopqrstuv';

interface Step {
  target: string;
  offered: number;
  sent: number;
  ok: number;
  failed: number;
  dropped: number;
  seconds: number;
  p50: number;
  p99: number;
  acceptedIds: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let serial = 0;
/** A pretty-printed Stripe event with a fresh id, as Stripe sends it, and its signature header. */
function signedEvent(): { id: string; body: string; signature: string } {
  serial += 1;
  const id = `evt_bench_${process.pid}_${serial}`;
  const body = JSON.stringify(
    {
      id,
      object: 'event',
      api_version: '2025-09-30.clover',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `sub_bench_${serial}`,
          object: 'subscription',
          customer: 'cus_bench',
          status: 'active',
          metadata: { tenantId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b' },
        },
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'customer.subscription.updated',
    },
    null,
    2,
  );
  return { id, body, signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET }) };
}

/** Offers `rate` requests a second for `seconds` to `url`, open loop. */
async function offer(
  target: string,
  url: string,
  rate: number,
  seconds: number,
  budget: number,
  maxInFlight: number,
): Promise<Step> {
  const total = Math.min(budget, Math.round(rate * seconds));
  // Signed ahead, so the generator's own HMACs do not slow the offered rate.
  const events = Array.from({ length: total }, signedEvent);
  const latencies: number[] = [];
  const acceptedIds: string[] = [];
  let ok = 0;
  let failed = 0;
  let dropped = 0;
  let inFlight = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (const [i, e] of events.entries()) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= maxInFlight) {
      dropped += 1;
      continue;
    }
    inFlight += 1;
    // From when it was due, or sent if the timer woke early: a queue in front of the server counts.
    const from = Math.min(due, performance.now());
    pending.push(
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': e.signature },
        body: e.body,
      })
        .then(async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - from);
          if (res.status === 200) {
            ok += 1;
            acceptedIds.push(e.id);
          } else failed += 1;
        })
        .catch(() => {
          failed += 1;
        })
        .finally(() => {
          inFlight -= 1;
        }),
    );
  }
  await Promise.all(pending);
  const secondsTaken = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    target,
    offered: rate,
    sent: total - dropped,
    ok,
    failed,
    dropped,
    seconds: secondsTaken,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    acceptedIds,
  };
}

/** Every accepted event once on `webhooks.received.v1`: none missing, none twice. */
async function checkStream(natsUrl: string, accepted: string[]): Promise<string[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('WEBHOOKS', { subjects_filter: 'webhooks.received.v1' });
    const stored = info.state.subjects?.['webhooks.received.v1'] ?? 0;
    const consumer = await jetstream(nc).consumers.get('WEBHOOKS', { deliver_policy: DeliverPolicy.All });
    const counts = new Map<string, number>();
    let read = 0;
    while (read < info.state.messages) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
      let got = 0;
      for await (const m of batch) {
        got += 1;
        read += 1;
        if (m.subject !== 'webhooks.received.v1') continue;
        const id = m.headers?.get('Nats-Msg-Id') ?? '';
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      if (got === 0) break;
    }
    const problems: string[] = [];
    if (stored !== accepted.length)
      problems.push(`${stored} messages stored for ${accepted.length} accepted events`);
    const missing = accepted.filter((id) => counts.get(`stripe:${id}`) !== 1);
    if (missing.length) problems.push(`${missing.length} accepted events not stored exactly once`);
    return problems;
  } finally {
    await nc.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string' },
      seconds: { type: 'string' },
      'max-requests': { type: 'string' },
      'max-in-flight': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const rates = (values.rates ?? '100,250,500,1000,2000')
    .split(',')
    .map((r) => positiveInt('--rates', r, 0, 1, usage));
  const seconds = positiveInt('--seconds', values.seconds, 3, 1, usage);
  const maxRequests = positiveInt('--max-requests', values['max-requests'], 20_000, 1, usage);
  const maxInFlight = positiveInt('--max-in-flight', values['max-in-flight'], 256, 1, usage);

  let nats: TestNats | undefined;
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let gateway: Gateway | undefined;
  let baseline: FastifyInstance | undefined;
  const cleanup = async () => {
    for (const [what, run] of [
      ['the gateway', () => gateway?.close()],
      ['the baseline', () => baseline?.close()],
      ['the database', () => db?.drop()],
      ['nats-server', () => nats?.dispose()],
    ] as const)
      await Promise.resolve(run()).catch((e: unknown) => progress(`cleaning up ${what}: ${e}`));
  };
  try {
    nats = await startNats();
    db = await createTestDatabase('ocp_bench_webhooks_');
    const config = parseConfig({
      NATS_URL: nats.url,
      DATABASE_URL: db.url,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      BOOTSTRAP_OWNER_PASSWORD: 'bench-owner-password',
      STRIPE_WEBHOOK_SECRETS: SECRET,
    });
    gateway = await startGateway(config, createLogger('gateway', 'warn'));
    baseline = Fastify();
    baseline.post('/baseline', async () => ({}));
    const baseUrl = await baseline.listen({ host: '127.0.0.1', port: 0 });

    const steps: Step[] = [];
    let budgetGateway = maxRequests;
    let budgetBaseline = maxRequests;
    for (const rate of rates) {
      if (budgetGateway <= 0) break;
      progress(`offering ${rate}/s for ${seconds} s`);
      const b = await offer('baseline', `${baseUrl}/baseline`, rate, seconds, budgetBaseline, maxInFlight);
      budgetBaseline -= b.sent + b.dropped;
      const g = await offer(
        'gateway',
        `${gateway.url}/webhooks/stripe`,
        rate,
        seconds,
        budgetGateway,
        maxInFlight,
      );
      budgetGateway -= g.sent + g.dropped;
      steps.push(b, g);
    }

    const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');
    console.log(
      '\nrate/s  target    sent   ok  failed dropped  ok/s     p50 ms  p99 ms  gateway ok/s vs baseline',
    );
    for (let i = 0; i < steps.length; i += 2) {
      const b = steps[i]!;
      const g = steps[i + 1]!;
      for (const s of [b, g]) {
        const okPerS = s.ok / s.seconds;
        const ratio = s === g ? fmt(okPerS / (b.ok / b.seconds), 2) : '';
        console.log(
          `${String(s.offered).padStart(6)}  ${s.target.padEnd(8)} ${String(s.sent).padStart(6)} ${String(s.ok).padStart(5)} ${String(s.failed).padStart(6)} ${String(s.dropped).padStart(7)}  ${fmt(okPerS).padStart(7)}  ${fmt(s.p50).padStart(6)}  ${fmt(s.p99).padStart(6)}  ${ratio}`,
        );
      }
    }
    const accepted = steps.filter((s) => s.target === 'gateway').flatMap((s) => s.acceptedIds);
    const problems = await checkStream(nats.url, accepted);
    if (problems.length) {
      console.log(`\nstream check FAILED: ${problems.join('; ')}`);
      process.exitCode = 1;
    } else console.log(`\nstream check: all ${accepted.length} accepted events stored exactly once`);
  } finally {
    await cleanup();
  }
}

await main();
