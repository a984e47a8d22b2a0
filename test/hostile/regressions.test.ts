import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@ocp/testkit';
import pg from 'pg';
import Stripe from 'stripe';
import { type Platform, startPlatform } from '../support/platform.ts';

const STRIPE = `whsec_${randomBytes(24).toString('base64url')}`;

/** The hostile inputs found once, each kept as a plain example beside the generated suite. */
describe('hostile inputs found before', () => {
  let p: Platform;
  let billingDb: pg.Client;

  before(async () => {
    p = await startPlatform({ gatewayEnv: { STRIPE_WEBHOOK_SECRETS: STRIPE } });
    billingDb = new pg.Client({ connectionString: p.databases.billing });
    await billingDb.connect();
  });
  after(async () => {
    await billingDb?.end();
    await p?.close();
  });

  test('a number in the query string is a plain decimal integer, or a 400 naming querystring/<name>', async () => {
    for (const url of [
      '/api/v1/operators?limit=1e309',
      '/api/v1/tokens?limit=Infinity',
      '/api/v1/tenants?limit=0x10',
      '/api/v1/tenants?limit=1e2',
      '/api/v1/tenants?limit=%205',
      '/api/v1/audit?limit=-Infinity',
    ]) {
      const res = await p.api.call('GET', url);
      assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(res.body.field, 'querystring/limit', url);
      assert.match(res.body.detail, /plain decimal integer/, url);
    }
    assert.equal((await p.api.call('GET', '/api/v1/tenants?limit=5')).status, 200);
    assert.equal((await p.api.call('GET', '/api/v1/tenants?limit=201')).status, 400);
  });

  test('a JSON body is not coerced: a string where a number is declared is a 400 naming the field', async () => {
    for (const expiresInDays of ['Infinity', '30', '0x10']) {
      const res = await p.api.call('POST', '/api/v1/tokens', {
        name: 'ci',
        scopes: ['tenants:read'],
        expiresInDays,
      });
      assert.equal(res.status, 400, `${expiresInDays}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.field, 'body/expiresInDays');
    }
    const raw = await p.api.call(
      'POST',
      '/api/v1/tokens',
      '{"name":"ci","scopes":["tenants:read"],"expiresInDays":1e309}',
    );
    assert.equal(raw.status, 400, JSON.stringify(raw.body));
    assert.equal((await p.api.call('GET', '/api/v1/tokens')).body.items.length, 0, 'no token was made');
  });

  test('a lone surrogate is refused like a NUL, instead of being stored as U+FFFD', async () => {
    const res = await p.api.call(
      'POST',
      '/api/v1/tenants',
      '{"slug":"lone-surrogate","displayName":"A \\ud800 B"}',
    );
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.detail, /well-formed Unicode/);
    const key = await p.api.call(
      'POST',
      '/api/v1/operators',
      '{"email":"a@b.c","role":"viewer","\\udc00":1}',
    );
    assert.equal(key.status, 400, JSON.stringify(key.body));
    assert.equal((await p.api.call('GET', '/api/v1/tenants')).body.items.length, 0);
  });

  test('what the router or Node refuses before a route runs is a problem too', async () => {
    const nested = await p.api.call(
      'POST',
      '/api/v1/audit/verify',
      `{"fromSeq":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
    );
    assert.equal(nested.status, 400, JSON.stringify(nested.body));
    assert.match(nested.body.detail, /deeper than/);
    const longParam = await p.api.call('GET', `/api/v1/operations/${'x'.repeat(500)}`);
    assert.equal(longParam.status, 414);
    assert.equal(longParam.body.code, 'BAD_REQUEST');
    assert.doesNotMatch(JSON.stringify(longParam.body), /xxxxxxxxxx/, 'the path is not echoed');
    const longUrl = await fetch(`${p.gateway.url}/api/v1/tenants?slugPrefix=${'x'.repeat(20_000)}`);
    assert.equal(longUrl.status, 431);
    assert.match(longUrl.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match(((await longUrl.json()) as { detail: string }).detail, /16 KB/);
  });

  test('a signed webhook whose fields PostgreSQL cannot store is recorded as failed with why, and the next one is processed', async () => {
    const deliver = async (body: string) => {
      const res = await fetch(`${p.gateway.url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE }),
        },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    };
    const event = (id: string, status: string, tenant: string, customer = 'cus_1') =>
      `{"id":"${id}","object":"event","type":"customer.subscription.updated","created":${Math.floor(Date.now() / 1000)},"data":{"object":{"id":"sub_${id}","object":"subscription","customer":"${customer}","status":"${status}","metadata":{"tenantId":"${tenant}"},"items":{"data":[{"price":{"id":"price_pro","lookup_key":"pro"}}]}}}}`;
    const nul = `evt_nul_${randomBytes(4).toString('hex')}`;
    const surrogate = `evt_sur_${randomBytes(4).toString('hex')}`;
    const after = `evt_after_${randomBytes(4).toString('hex')}`;
    assert.equal(await deliver(event(nul, 'active\\u0000', `${randomUUID()}\\u0000`)), 200);
    assert.equal(await deliver(event(surrogate, 'active', randomUUID(), 'cus_\\ud800')), 200);
    assert.equal(await deliver(event(after, 'active', randomUUID())), 200);
    const rows = await waitFor('the three webhooks to be recorded', async () => {
      const r = await billingDb.query<{ provider_event_id: string; status: string; detail: string | null }>(
        'SELECT provider_event_id, status, detail FROM webhook_events WHERE provider_event_id = ANY($1)',
        [[nul, surrogate, after]],
      );
      return r.rows.length === 3
        ? Object.fromEntries(r.rows.map((row) => [row.provider_event_id, row]))
        : undefined;
    });
    assert.equal(rows[nul]?.status, 'failed');
    assert.match(
      rows[nul]?.detail ?? '',
      /cannot be stored as it is: data exception \(SQLSTATE 22(021|P05)\)/,
    );
    assert.equal(rows[surrogate]?.status, 'failed');
    assert.match(rows[surrogate]?.detail ?? '', /SQLSTATE 22P02/);
    assert.equal(rows[after]?.status, 'unmatched', 'processed as usual after them');
  });
});
