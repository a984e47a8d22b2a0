import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { CloudEvent } from '@ocp/contracts';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { waitFor } from '@ocp/testkit';
import Stripe from 'stripe';
import { type PlatformEnv, preparePlatform } from '../support/platform.ts';
import { type AuditSubscriber, subscribeAudit } from '../support/rbac.ts';

const STRIPE_OLD = `whsec_${randomBytes(24).toString('base64url')}`;
const STRIPE_NEW = `whsec_${randomBytes(24).toString('base64url')}`;
const PADDLE_OLD = `pdl_ntfset_${randomBytes(16).toString('hex')}_${randomBytes(24).toString('base64url')}`;
const PADDLE_NEW = `pdl_ntfset_${randomBytes(16).toString('hex')}_${randomBytes(24).toString('base64url')}`;
const BODY_LIMIT = 8192;
const TENANT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

/** A Stripe event as Stripe sends it: pretty-printed JSON, `id` evt_..., the object in data.object. */
function stripeEvent(id = `evt_${randomBytes(12).toString('hex')}`, pad = 0): { id: string; body: string } {
  const event = {
    id,
    object: 'event',
    api_version: '2025-09-30.clover',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `sub_${randomBytes(8).toString('hex')}`,
        object: 'subscription',
        customer: `cus_${randomBytes(7).toString('hex')}`,
        status: 'active',
        cancel_at_period_end: false,
        metadata: { tenantId: TENANT, note: `naïve “quotes” ✓ ${'x'.repeat(pad)}` },
        items: { object: 'list', data: [{ id: 'si_1', price: { id: 'price_pro', lookup_key: 'pro' } }] },
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'customer.subscription.updated',
  };
  return { id, body: JSON.stringify(event, null, 2) };
}

/** A Paddle Billing notification: compact JSON, `event_id` evt_..., `custom_data` on the entity. */
function paddleEvent(id = `evt_01${randomBytes(12).toString('hex')}`): { id: string; body: string } {
  const event = {
    event_id: id,
    event_type: 'subscription.activated',
    occurred_at: new Date().toISOString(),
    notification_id: `ntf_01${randomBytes(12).toString('hex')}`,
    data: {
      id: `sub_01${randomBytes(12).toString('hex')}`,
      status: 'active',
      customer_id: `ctm_01${randomBytes(12).toString('hex')}`,
      custom_data: { tenantId: TENANT },
      items: [{ price: { id: 'pri_01pro', name: 'Pro' }, quantity: 1 }],
      current_billing_period: { starts_at: '2026-11-01T00:00:00Z', ends_at: '2026-12-01T00:00:00Z' },
      scheduled_change: null,
    },
  };
  return { id, body: JSON.stringify(event) };
}

const stripeHeader = (body: string, secret: string, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(timestamp !== undefined ? { timestamp } : {}),
  });

/** Paddle's `ts=<unix>;h1=<HMAC-SHA256 of "<ts>:<body>">`, as Paddle signs a notification. */
function paddleHeader(body: string, secret: string, ts = Math.floor(Date.now() / 1000)): string {
  const h1 = createHmac('sha256', secret).update(`${ts}:${body}`).digest('hex');
  return `ts=${ts};h1=${h1}`;
}

interface Delivery {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely and asserted on.
  body: any;
  text: string;
  requestId: string;
}

async function deliver(
  url: string,
  provider: 'stripe' | 'paddle',
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<Delivery> {
  const res = await fetch(`${url}/webhooks/${provider}`, {
    method: 'POST',
    // An empty value leaves the header out.
    headers: Object.fromEntries(
      Object.entries({ 'content-type': 'application/json', ...headers }).filter(([, v]) => v !== ''),
    ),
    body: typeof body === 'string' ? Buffer.from(body) : body,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith('{') ? JSON.parse(text) : undefined,
    text,
    requestId: res.headers.get('x-request-id') ?? '',
  };
}

/**
 * An independent reader of the WEBHOOKS stream: every message, its subject, id and raw bytes. Only
 * billing reads that stream, so this reader is the admin.
 */
async function subscribeWebhooks(nats: ConnectionOptions) {
  const nc = await connect({ ...nats, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const seen: Array<{ subject: string; msgId: string | undefined; event: CloudEvent; seq: number }> = [];
  const consumer = await js.consumers.get('WEBHOOKS', { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages)
      seen.push({
        subject: m.subject,
        msgId: m.headers?.get('Nats-Msg-Id'),
        event: m.json<CloudEvent>(),
        seq: m.seq,
      });
  })();
  return {
    seen,
    /** Messages stored on `webhooks.received.v1` now, from the server (no delivery delay). */
    async storedReceived(): Promise<number> {
      const info = await jsm.streams.info('WEBHOOKS', { subjects_filter: 'webhooks.received.v1' });
      return info.state.subjects?.['webhooks.received.v1'] ?? 0;
    },
    received: (msgId: string) =>
      seen.filter((s) => s.subject === 'webhooks.received.v1' && s.msgId === msgId),
    rejected: () => seen.filter((s) => s.subject === 'webhooks.rejected.v1'),
    async close() {
      await messages.close();
      await loop;
      await nc.close();
    },
  };
}

describe('webhook ingress of the gateway', () => {
  let env: PlatformEnv;
  let gateway: Gateway;
  let stream: Awaited<ReturnType<typeof subscribeWebhooks>>;
  let audit: AuditSubscriber;
  let gatewayEnv: Record<string, string>;

  before(async () => {
    env = await preparePlatform();
    gatewayEnv = {
      ...env.gatewayEnv,
      OUTBOX_POLL_MS: '100',
      STRIPE_WEBHOOK_SECRETS: `${STRIPE_OLD}, ${STRIPE_NEW}`,
      PADDLE_WEBHOOK_SECRETS: `${PADDLE_OLD},${PADDLE_NEW}`,
      WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    };
    const cfg = gatewayConfig(gatewayEnv);
    gateway = await startGateway(cfg, createLogger('gateway', cfg.LOG_LEVEL));
    stream = await subscribeWebhooks(env.natsAs('admin'));
    audit = await subscribeAudit(env.natsAs('admin'));
  });
  after(async () => {
    await stream?.close();
    await audit?.close();
    await gateway?.close();
    await env?.dispose();
  });

  /** One verified delivery: 200, then exactly one stored message with the body byte for byte. */
  async function assertStoredOnce(provider: 'stripe' | 'paddle', id: string, body: string, res: Delivery) {
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { received: true });
    const msgId = `${provider}:${id}`;
    const [m] = await waitFor(`${msgId} on the stream`, async () => {
      const found = stream.received(msgId);
      return found.length ? found : undefined;
    });
    assert.equal(stream.received(msgId).length, 1);
    assert.equal(m!.event.type, 'ocp.billing.webhook_received.v1');
    assert.equal(m!.event.id, msgId);
    const data = m!.event.data as unknown as Record<string, unknown>;
    assert.equal(data.provider, provider);
    assert.equal(data.providerEventId, id);
    assert.ok(Buffer.from(data.body as string, 'utf8').equals(Buffer.from(body, 'utf8')), 'byte-identical');
  }

  test('a Stripe webhook signed with the SDK is published once with its event id and its exact body, then answered 200', async () => {
    const { id, body } = stripeEvent();
    const res = await deliver(gateway.url, 'stripe', body, {
      'stripe-signature': stripeHeader(body, STRIPE_OLD),
    });
    await assertStoredOnce('stripe', id, body, res);
    assert.equal(
      (stream.received(`stripe:${id}`)[0]!.event.data as { providerEventType: string }).providerEventType,
      'customer.subscription.updated',
    );
    const [entry] = await audit.waitFor([res.requestId]);
    assert.equal(entry!.data.actor, 'provider:stripe');
    assert.equal(entry!.data.action, 'webhook.receive');
    assert.equal(entry!.data.outcome, 'success');
  });

  test('a Paddle notification signed ts:body is published once with its event id and its exact body', async () => {
    const { id, body } = paddleEvent();
    const res = await deliver(gateway.url, 'paddle', body, {
      'paddle-signature': paddleHeader(body, PADDLE_OLD),
    });
    await assertStoredOnce('paddle', id, body, res);
  });

  test('during a rotation the second configured secret is accepted too, for both providers', async () => {
    const s = stripeEvent();
    const sRes = await deliver(gateway.url, 'stripe', s.body, {
      'stripe-signature': stripeHeader(s.body, STRIPE_NEW),
    });
    await assertStoredOnce('stripe', s.id, s.body, sRes);
    const p = paddleEvent();
    const pRes = await deliver(gateway.url, 'paddle', p.body, {
      'paddle-signature': paddleHeader(p.body, PADDLE_NEW),
    });
    await assertStoredOnce('paddle', p.id, p.body, pRes);
  });

  test('refused deliveries answer 400 (413 for a body over the limit) with the reason, store nothing on webhooks.received.v1, and are audited as denied', async () => {
    const other = `whsec_${randomBytes(24).toString('base64url')}`;
    const s = stripeEvent();
    const p = paddleEvent();
    const big = stripeEvent(undefined, BODY_LIMIT);
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, 'stripe' | 'paddle', string, Record<string, string>, string, RegExp]> = [
      [
        'forged Stripe signature',
        'stripe',
        s.body,
        { 'stripe-signature': `t=${now},v1=${'ab'.repeat(32)}` },
        'rejected_signature',
        /matches none of the configured/,
      ],
      [
        'Stripe signature of another secret',
        'stripe',
        s.body,
        { 'stripe-signature': stripeHeader(s.body, other) },
        'rejected_signature',
        /matches none/,
      ],
      [
        'Stripe body changed by one byte after signing',
        'stripe',
        s.body.replace('"active"', '"activf"'),
        { 'stripe-signature': stripeHeader(s.body, STRIPE_OLD) },
        'rejected_signature',
        /exactly as Stripe sent it/,
      ],
      [
        'Stripe timestamp outside the 300 s tolerance',
        'stripe',
        s.body,
        { 'stripe-signature': stripeHeader(s.body, STRIPE_OLD, now - 301) },
        'rejected_stale',
        /more than 300 s old/,
      ],
      ['missing Stripe-Signature', 'stripe', s.body, {}, 'rejected_signature', /header is missing/],
      [
        'malformed Stripe-Signature',
        'stripe',
        s.body,
        { 'stripe-signature': 'garbage' },
        'rejected_signature',
        /not of the form/,
      ],
      [
        'wrong content type',
        'stripe',
        s.body,
        { 'stripe-signature': stripeHeader(s.body, STRIPE_OLD), 'content-type': 'text/plain' },
        'wrong_content_type',
        /wrong content type/,
      ],
      [
        'no content type',
        'stripe',
        s.body,
        { 'stripe-signature': stripeHeader(s.body, STRIPE_OLD), 'content-type': '' },
        'wrong_content_type',
        /wrong content type \(none\)/,
      ],
      [
        'form-encoded body',
        'stripe',
        s.body,
        {
          'stripe-signature': stripeHeader(s.body, STRIPE_OLD),
          'content-type': 'application/x-www-form-urlencoded',
        },
        'wrong_content_type',
        /wrong content type/,
      ],
      [
        'body over the limit',
        'stripe',
        big.body,
        { 'stripe-signature': stripeHeader(big.body, STRIPE_OLD) },
        'too_large',
        new RegExp(`larger than ${BODY_LIMIT} bytes`),
      ],
      [
        'forged Paddle signature',
        'paddle',
        p.body,
        { 'paddle-signature': `ts=${now};h1=${'cd'.repeat(32)}` },
        'rejected_signature',
        /matches none/,
      ],
      [
        'Paddle signature of another secret',
        'paddle',
        p.body,
        { 'paddle-signature': paddleHeader(p.body, 'pdl_ntfset_other') },
        'rejected_signature',
        /matches none/,
      ],
      [
        'Paddle body changed by one byte after signing',
        'paddle',
        p.body.replace('"active"', '"activf"'),
        { 'paddle-signature': paddleHeader(p.body, PADDLE_OLD) },
        'rejected_signature',
        /exactly as Paddle sent it/,
      ],
      [
        'Paddle timestamp outside the 5 s tolerance',
        'paddle',
        p.body,
        { 'paddle-signature': paddleHeader(p.body, PADDLE_OLD, now - 30) },
        'rejected_stale',
        /beyond Paddle's 5 s tolerance/,
      ],
      ['missing Paddle-Signature', 'paddle', p.body, {}, 'rejected_signature', /header is missing/],
      [
        'Paddle body signed but not JSON',
        'paddle',
        'not json at all',
        { 'paddle-signature': paddleHeader('not json at all', PADDLE_OLD) },
        'not_json',
        /not valid JSON/,
      ],
      [
        'Stripe body signed but without an id',
        'stripe',
        '{"type":"invoice.paid"}',
        { 'stripe-signature': stripeHeader('{"type":"invoice.paid"}', STRIPE_OLD) },
        'not_json',
        /no "id"/,
      ],
    ];
    const storedBefore = await stream.storedReceived();
    const requestIds: string[] = [];
    /** A body over the limit is answered with the status that says so; the rest are refusals. */
    const statusOf = (reason: string) => (reason === 'too_large' ? 413 : 400);
    for (const [name, provider, body, headers, reason, detail] of cases) {
      const res = await deliver(gateway.url, provider, body, headers);
      assert.equal(res.status, statusOf(reason), `${name}: ${res.text}`);
      assert.equal(res.body.code, reason === 'too_large' ? 'PAYLOAD_TOO_LARGE' : 'WEBHOOK_REJECTED', name);
      assert.equal(res.body.reason, reason, name);
      assert.match(res.body.detail, detail, name);
      for (const secret of [STRIPE_OLD, STRIPE_NEW, PADDLE_OLD, PADDLE_NEW])
        assert.ok(!res.text.includes(secret), `${name}: no secret in the answer`);
      if (headers['stripe-signature']) assert.ok(!res.text.includes(headers['stripe-signature']), name);
      requestIds.push(res.requestId);
    }
    // Each answer came after its publish would have been acknowledged: the count is final now.
    assert.equal(await stream.storedReceived(), storedBefore, 'nothing refused reached webhooks.received.v1');
    assert.equal(stream.received(`stripe:${s.id}`).length + stream.received(`paddle:${p.id}`).length, 0);

    const entries = await audit.waitFor(requestIds);
    for (const [i, e] of entries.entries()) {
      assert.equal(e.data.outcome, 'denied', cases[i]![0]);
      assert.equal(e.data.action, 'webhook.receive');
      assert.equal(e.data.actor, `provider:${cases[i]![1]}`);
      assert.equal(e.data.status, statusOf(cases[i]![4]), cases[i]![0]);
    }
    const rejected = await waitFor('the refusals on webhooks.rejected.v1', async () => {
      const r = stream.rejected();
      return r.length >= cases.length ? r : undefined;
    });
    const reasons = rejected.map((r) => (r.event.data as { reason: string }).reason);
    assert.ok(reasons.some((r) => /more than 300 s old/.test(r)));
    assert.ok(reasons.some((r) => /larger than/.test(r)));
    const all = JSON.stringify(rejected) + JSON.stringify(entries.map((e) => e.raw));
    for (const secret of [STRIPE_OLD, STRIPE_NEW, PADDLE_OLD, PADDLE_NEW])
      assert.ok(!all.includes(secret), 'no secret in events');
    assert.ok(!all.includes('v1=abab'), 'no signature in events');

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /ocp_webhooks_total\{provider="stripe",outcome="rejected_stale"[^}]*\} [1-9]/);
    assert.match(metrics, /ocp_webhooks_total\{provider="stripe",outcome="too_large"[^}]*\} [1-9]/);
    assert.match(metrics, /ocp_webhooks_total\{provider="paddle",outcome="not_json"[^}]*\} [1-9]/);
  });

  test('the same event delivered 10 times at once is answered 200 each time and stored once', async () => {
    const { id, body } = stripeEvent();
    const before = await stream.storedReceived();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        deliver(gateway.url, 'stripe', body, { 'stripe-signature': stripeHeader(body, STRIPE_OLD) }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(10).fill(200),
    );
    assert.equal(await stream.storedReceived(), before + 1);
    await assertStoredOnce('stripe', id, body, answers[0]!);
  });

  test('the webhooks need no login, session or CSRF token, and the admin API still does', async () => {
    const { id, body } = paddleEvent();
    const res = await deliver(gateway.url, 'paddle', body, {
      'paddle-signature': paddleHeader(body, PADDLE_OLD),
      cookie: 'ocp_session=nonsense',
    });
    await assertStoredOnce('paddle', id, body, res);
    const api = await fetch(`${gateway.url}/api/v1/tenants`);
    assert.equal(api.status, 401);
  });

  test('a provider without a configured secret answers 503 saying so, and nothing is stored', async () => {
    const cfg = gatewayConfig({ ...gatewayEnv, PADDLE_WEBHOOK_SECRETS: '' });
    const second = await startGateway(cfg, createLogger('gateway', cfg.LOG_LEVEL));
    try {
      const before = await stream.storedReceived();
      const { body } = paddleEvent();
      const res = await deliver(second.url, 'paddle', body, {
        'paddle-signature': paddleHeader(body, PADDLE_OLD),
      });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, 'WEBHOOK_NOT_CONFIGURED');
      assert.match(res.body.detail, /no paddle webhook secret is configured \(PADDLE_WEBHOOK_SECRETS\)/);
      assert.equal(await stream.storedReceived(), before);
    } finally {
      await second.close();
    }
  });

  test('with NATS down a verified webhook answers 503, so the provider retries; after it returns, 200', async () => {
    const { id, body } = stripeEvent();
    await env.nats.stop();
    try {
      const res = await deliver(gateway.url, 'stripe', body, {
        'stripe-signature': stripeHeader(body, STRIPE_OLD),
      });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, 'SERVICE_UNAVAILABLE');
      assert.match(res.body.detail, /stripe will deliver it again/);
    } finally {
      await env.nats.start();
    }
    const again = await waitFor(
      'the gateway publishing again',
      async () => {
        const r = await deliver(gateway.url, 'stripe', body, {
          'stripe-signature': stripeHeader(body, STRIPE_OLD),
        });
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    await assertStoredOnce('stripe', id, body, again);
  });
});
