import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@ocp/testkit';
import fc from 'fast-check';
import pg from 'pg';
import Stripe from 'stripe';
import { type Platform, startPlatform } from '../support/platform.ts';
import { deliverStripeWebhook } from '../support/stripe.ts';
import { type NatsWatch, natsWatch } from './nats-watch.ts';
import { fcParams, jsonFragment, TIMEOUT_MS } from './support.ts';

const STRIPE = `whsec_${randomBytes(24).toString('base64url')}`;
const PADDLE = `pdl_ntfset_${randomBytes(16).toString('hex')}_${randomBytes(24).toString('base64url')}`;

type Provider = 'stripe' | 'paddle';

/** A provider's event with its fields as placeholders, so any of them can be JSON text of any kind. */
function template(provider: Provider, id: string): Record<string, unknown> {
  return provider === 'stripe'
    ? {
        id,
        object: 'event',
        created: '@created',
        type: '@type',
        data: {
          object: {
            id: '@subscription',
            object: 'subscription',
            customer: '@customer',
            status: '@status',
            cancel_at_period_end: '@cancel',
            current_period_end: '@periodEnd',
            metadata: { tenantId: '@tenant', '@extraKey': '@extra' },
            items: { data: [{ price: { id: '@price', lookup_key: '@lookup' } }] },
          },
        },
      }
    : {
        event_id: id,
        event_type: '@type',
        occurred_at: '@created',
        data: {
          id: '@subscription',
          status: '@status',
          customer_id: '@customer',
          custom_data: { tenantId: '@tenant', '@extraKey': '@extra' },
          items: [{ price: { id: '@price', name: '@lookup' } }],
          current_billing_period: { starts_at: '@created', ends_at: '@periodEnd' },
          scheduled_change: '@cancel',
        },
      };
}

/** Plausible values of the placeholders, so one hostile field is not hidden by another. */
const plausible: Record<string, string> = {
  '@created': String(Math.floor(Date.now() / 1000)),
  '@type': '"customer.subscription.updated"',
  '@subscription': '"sub_hostile"',
  '@customer': '"cus_hostile"',
  '@status': '"active"',
  '@cancel': 'false',
  '@periodEnd': String(Math.floor(Date.now() / 1000) + 86400),
  '@tenant': `"${randomUUID()}"`,
  '@extra': '"x"',
  '@price': '"price_pro"',
  '@lookup': '"pro"',
};

/** A signed body: the provider's shape with some fields hostile, or no such shape at all. */
const hostileBody = (provider: Provider): fc.Arbitrary<{ id: string; body: string }> =>
  fc
    .tuple(
      fc.dictionary(fc.constantFrom(...Object.keys(plausible)), jsonFragment, { maxKeys: 4 }),
      fc.constantFrom(
        '',
        '\u0000',
        '\ud800',
        "'; DROP TABLE webhook_events; --",
        '__proto__',
        'x'.repeat(150),
      ),
      fc.constantFrom('__proto__', 'constructor', 'note', '\u0000'),
      fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: jsonFragment }),
    )
    .map(([hostile, idTail, extraKey, whole]) => {
      // A fresh id each time, so JetStream's deduplication does not hide a delivery.
      const id = `evt_${randomBytes(6).toString('hex')}${idTail}`;
      if (whole !== null) return { id, body: whole };
      let body = JSON.stringify(template(provider, id)).replace('"@extraKey"', JSON.stringify(extraKey));
      for (const [key, value] of Object.entries(plausible))
        body = body.replaceAll(`"${key}"`, hostile[key] ?? value);
      return { id, body };
    });

/** Posts a body signed as the provider signs it. */
async function deliver(url: string, provider: Provider, body: string) {
  const signature =
    provider === 'stripe'
      ? { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE }) }
      : (() => {
          const ts = Math.floor(Date.now() / 1000);
          const h1 = createHmac('sha256', PADDLE).update(`${ts}:${body}`).digest('hex');
          return { 'paddle-signature': `ts=${ts};h1=${h1}` };
        })();
  const res = await fetch(`${url}/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signature },
    body: Buffer.from(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('validly signed hostile webhooks', () => {
  let p: Platform;
  let watch: NatsWatch;
  let billingDb: pg.Client;
  const answered = { accepted: 0, refused: 0 };

  before(async () => {
    p = await startPlatform({
      gatewayEnv: {
        STRIPE_WEBHOOK_SECRETS: STRIPE,
        PADDLE_WEBHOOK_SECRETS: PADDLE,
        RATE_LIMIT_MAX: '1000000',
        WEBHOOK_RATE_LIMIT_MAX: '1000000',
      },
    });
    watch = await natsWatch(await p.connectNats('admin'));
    billingDb = new pg.Client({ connectionString: p.databases.billing });
    await billingDb.connect();
  });
  after(async () => {
    await billingDb?.end();
    await p?.close();
  });

  for (const provider of ['stripe', 'paddle'] as const)
    test(`${provider}: each is answered 200 or a 4xx problem, never a 5xx`, {
      timeout: TIMEOUT_MS,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(hostileBody(provider), async ({ body }) => {
          const res = await deliver(p.gateway.url, provider, body);
          const what = `${body.slice(0, 300)} answered ${res.status} ${res.text.slice(0, 300)}`;
          assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), what);
          if (res.status === 200) answered.accepted++;
          else {
            answered.refused++;
            assert.match(res.contentType, /^application\/problem\+json/, what);
            assert.ok(JSON.parse(res.text).detail, what);
          }
        }),
        fcParams(),
      );
    });

  test('billing records every accepted one, none is redelivered or dead-lettered, and a webhook after them is applied as usual', {
    timeout: 120_000,
  }, async () => {
    await watch.settled();
    const { rows } = await billingDb.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM webhook_events WHERE status <> 'rejected' GROUP BY status",
    );
    const recorded = rows.reduce((sum, r) => sum + r.n, 0);
    assert.equal(
      recorded,
      answered.accepted,
      `recorded ${JSON.stringify(rows)}; accepted ${answered.accepted}`,
    );
    assert.ok(
      rows.every((r) => ['applied', 'failed', 'ignored', 'unmatched', 'duplicate'].includes(r.status)),
      JSON.stringify(rows),
    );
    assert.deepEqual(
      (await watch.deadLetters()).map((l) => `${l.consumer}: ${l.reason}`),
      [],
    );

    // Still serving: a plain event for an unknown tenant is recorded as unmatched.
    const id = `evt_${randomBytes(8).toString('hex')}`;
    const body = JSON.parse(
      Object.entries(plausible).reduce(
        (text, [key, value]) => text.replaceAll(`"${key}"`, value),
        JSON.stringify(template('stripe', id)).replace('"@extraKey"', '"note"'),
      ),
    );
    assert.equal(await deliverStripeWebhook(p.gateway.url, STRIPE, body), 200);
    await waitFor('the webhook after the hostile ones to be recorded', async () => {
      const r = await billingDb.query('SELECT status FROM webhook_events WHERE provider_event_id = $1', [id]);
      return r.rows[0]?.status === 'unmatched' ? true : undefined;
    });
  });
});
