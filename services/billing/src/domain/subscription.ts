import type { BillingSubscription } from '@ocp/contracts';

export type Provider = BillingSubscription['provider'];
export type Status = BillingSubscription['status'];
export type Access = 'granted' | 'revoked';

/**
 * What one provider event says about a subscription. `full` events (Stripe `customer.subscription.*`,
 * Paddle `subscription.*`) carry the whole subscription; the others carry one fact about it.
 */
export type Fact =
  | {
      kind: 'full';
      status: Status;
      customerId: string | null;
      tenantId: string | null;
      priceId: string | null;
      productId: string | null;
      currentPeriodEnd: string | null;
      cancelAtPeriodEnd: boolean;
    }
  /** Stripe `invoice.payment_failed`, Paddle `transaction.payment_failed`. */
  | { kind: 'payment_failed'; customerId: string | null; tenantId: string | null }
  /** Stripe `invoice.paid`, Paddle `transaction.completed`. */
  | { kind: 'paid'; customerId: string | null; tenantId: string | null }
  /** Stripe `checkout.session.completed`: links the subscription to its tenant and customer. */
  | { kind: 'checkout'; customerId: string | null; tenantId: string | null };

/** A fact with the provider's own time and event id: what the order of application is made of. */
export interface TimedFact {
  eventId: string;
  eventType: string;
  /** The provider's time of the event, ISO 8601. */
  at: string;
  fact: Fact;
}

/** A subscription in the platform's model, as the fold of its events makes it. */
export interface SubscriptionState {
  status: Status;
  customerId: string | null;
  tenantId: string | null;
  priceId: string | null;
  productId: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  lastEventId: string;
  lastEventType: string;
  lastEventAt: string;
}

/** Provider order: the provider's time, ties broken by event id, so every replica sorts alike. */
export function compareFacts(a: TimedFact, b: TimedFact): number {
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  if (ta !== tb) return ta - tb;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/**
 * The state of a subscription from all of its events, applied in provider order whatever order they
 * were delivered in: the state depends on the set of events only, so late, reordered and repeated
 * deliveries end in the same place.
 *
 * Invoice and transaction events carry no subscription status, so they move it only relative to
 * what the newer-than-them events before them said:
 * - a failed payment makes an active or trialing subscription past_due; a subscription already
 *   canceled, unpaid or paused stays so (a later full event decides from then on);
 * - a paid invoice makes a past_due, unpaid or incomplete subscription active (the provider sends
 *   the subscription event too; this only closes the gap until it comes);
 * - a checkout links the subscription to its tenant and customer and changes no status.
 * An older invoice event that arrives after a newer subscription event is recorded and changes
 * nothing, since the replay puts it before that subscription event.
 */
export function foldSubscription(facts: readonly TimedFact[]): SubscriptionState | undefined {
  const sorted = [...facts].sort(compareFacts);
  let s: SubscriptionState | undefined;
  for (const { eventId, eventType, at, fact } of sorted) {
    const prev: SubscriptionState = s ?? {
      status: 'incomplete',
      customerId: null,
      tenantId: null,
      priceId: null,
      productId: null,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      lastEventId: eventId,
      lastEventType: eventType,
      lastEventAt: at,
    };
    const next: SubscriptionState = {
      ...prev,
      customerId: fact.customerId ?? prev.customerId,
      tenantId: fact.tenantId ?? prev.tenantId,
      lastEventId: eventId,
      lastEventType: eventType,
      lastEventAt: new Date(at).toISOString(),
    };
    switch (fact.kind) {
      case 'full':
        next.status = fact.status;
        next.priceId = fact.priceId;
        next.productId = fact.productId;
        next.currentPeriodEnd = fact.currentPeriodEnd;
        next.cancelAtPeriodEnd = fact.cancelAtPeriodEnd;
        break;
      case 'payment_failed':
        if (prev.status === 'active' || prev.status === 'trialing') next.status = 'past_due';
        break;
      case 'paid':
        if (prev.status === 'past_due' || prev.status === 'unpaid' || prev.status === 'incomplete')
          next.status = 'active';
        break;
      case 'checkout':
        break;
    }
    s = next;
  }
  return s;
}

/**
 * The access a subscription gives its tenant now. Active and trialing grant; unpaid, canceled,
 * paused and incomplete_expired revoke; past_due revokes once its grace has run out and keeps the
 * previous decision until then; incomplete (a checkout not paid yet) changes nothing.
 */
export function decideAccess(
  status: Status,
  previous: Access | null,
  revokeAfter: Date | null,
  now: Date,
): Access | null {
  switch (status) {
    case 'active':
    case 'trialing':
      return 'granted';
    case 'unpaid':
    case 'canceled':
    case 'paused':
    case 'incomplete_expired':
      return 'revoked';
    case 'past_due':
      return revokeAfter && revokeAfter.getTime() <= now.getTime() ? 'revoked' : previous;
    case 'incomplete':
      return previous;
  }
}

/** The platform plan of a price (first) or product, from `BILLING_PLAN_MAP`; null when unmapped. */
export function planOf(
  map: ReadonlyMap<string, string>,
  s: Pick<SubscriptionState, 'priceId' | 'productId'>,
): string | null {
  return (s.priceId && map.get(s.priceId)) || (s.productId && map.get(s.productId)) || null;
}
