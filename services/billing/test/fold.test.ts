import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseProviderEvent } from '../src/domain/parse.ts';
import { foldSubscription, type TimedFact } from '../src/domain/subscription.ts';
import {
  paddleSubscriptionEvent,
  paddleTransactionEvent,
  stripeCheckoutEvent,
  stripeInvoiceEvent,
  stripeSubscriptionEvent,
} from './fixtures.ts';

const tenantId = '6f1c3a52-2d7e-4b0e-9a51-0d1f4c1e7a10';

function facts(provider: 'stripe' | 'paddle', bodies: Array<Record<string, unknown>>): TimedFact[] {
  return bodies.map((b) => {
    const parsed = parseProviderEvent(provider, JSON.stringify(b));
    assert.equal(parsed.outcome, 'fact', JSON.stringify(parsed));
    if (parsed.outcome !== 'fact') throw new Error('unreachable');
    const id = String(b.id ?? b.event_id);
    return { eventId: id, eventType: String(b.type ?? b.event_type), at: parsed.at, fact: parsed.fact };
  });
}

const t = 1_760_000_000;
const sub = 'sub_fold';
const s = (n: number, type: string, status: string, price = 'price_basic') =>
  stripeSubscriptionEvent({ id: `evt_${n}`, sub, type, created: t + n, status, tenantId, price });
const stripeLife = facts('stripe', [
  stripeCheckoutEvent({ id: 'evt_0', sub, created: t, tenantId }),
  s(1, 'customer.subscription.created', 'trialing'),
  s(2, 'customer.subscription.updated', 'active'),
  stripeInvoiceEvent({ id: 'evt_3', sub, type: 'invoice.payment_failed', created: t + 3, tenantId }),
  s(4, 'customer.subscription.updated', 'past_due'),
  stripeInvoiceEvent({ id: 'evt_5', sub, type: 'invoice.paid', created: t + 5, tenantId }),
  // Same second as the next one: the event id breaks the tie.
  s(6, 'customer.subscription.updated', 'active', 'price_pro'),
  { ...s(6, 'customer.subscription.deleted', 'canceled', 'price_pro'), id: 'evt_6b' },
]);
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 10, n)).toISOString();
const p = (n: number, type: string, status: string) =>
  paddleSubscriptionEvent({ id: `evt_${n}`, sub, type, at: at(n), status, tenantId });
const paddleLife = facts('paddle', [
  p(1, 'subscription.created', 'active'),
  paddleTransactionEvent({ id: 'evt_2', sub, type: 'transaction.payment_failed', at: at(2), tenantId }),
  paddleTransactionEvent({ id: 'evt_3', sub, type: 'transaction.completed', at: at(3), tenantId }),
  p(4, 'subscription.paused', 'paused'),
  p(5, 'subscription.resumed', 'active'),
]);

for (const [name, life, status, lastEventId] of [
  ['stripe', stripeLife, 'canceled', 'evt_6b'],
  ['paddle', paddleLife, 'active', 'evt_5'],
] as const) {
  test(`a ${name} subscription's state does not depend on the order or repetition of its events`, () => {
    const want = foldSubscription(life);
    assert.equal(want?.status, status);
    assert.equal(want?.lastEventId, lastEventId);
    assert.equal(want?.tenantId, tenantId);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(life, { minLength: life.length, maxLength: life.length }),
        fc.array(fc.nat({ max: life.length - 1 }), { maxLength: 10 }),
        (order, repeats) => {
          const delivered = [...order, ...repeats.map((i) => life[i]!)];
          assert.deepEqual(foldSubscription(delivered), want);
        },
      ),
      { numRuns: 500 },
    );
  });
}

test('a failed payment older than the last subscription event changes nothing', () => {
  const [created, , active] = [stripeLife[1]!, stripeLife[0]!, stripeLife[2]!];
  const failedBefore = { ...stripeLife[3]!, at: new Date((t + 1.5) * 1000).toISOString() };
  assert.equal(foldSubscription([active, failedBefore, created])?.status, 'active');
  assert.equal(foldSubscription([created, failedBefore])?.status, 'past_due');
});

test('bodies the service cannot read become failed results, never exceptions', () => {
  for (const body of [
    '',
    'not json',
    '[]',
    '{"type":7}',
    '{"type":"customer.subscription.updated","created":1}',
  ]) {
    assert.equal(parseProviderEvent('stripe', body).outcome, 'failed', body);
  }
  const bad = {
    ...stripeSubscriptionEvent({
      id: 'e',
      sub,
      type: 'customer.subscription.updated',
      created: t,
      status: 'weird',
      tenantId,
    }),
  };
  assert.equal(parseProviderEvent('stripe', JSON.stringify(bad)).outcome, 'failed');
  assert.equal(
    parseProviderEvent('paddle', '{"event_type":"subscription.updated","occurred_at":"x","data":{}}').outcome,
    'failed',
  );
  assert.equal(
    parseProviderEvent(
      'paddle',
      '{"event_type":"customer.created","occurred_at":"2026-01-01T00:00:00Z","data":{}}',
    ).outcome,
    'ignored',
  );
});
