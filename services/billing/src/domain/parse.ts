import type Stripe from 'stripe';
import type { Fact, Provider, Status } from './subscription.ts';

/** A provider event read into what the platform uses of it. */
export type Parsed =
  | {
      outcome: 'fact';
      providerSubscriptionId: string;
      /** The provider's own time of the event, ISO 8601. */
      at: string;
      fact: Fact;
    }
  | { outcome: 'ignored'; detail: string }
  | { outcome: 'failed'; detail: string };

/** A body that is not the shape the provider documents: recorded as `failed`. */
class ShapeError extends Error {
  override name = 'ShapeError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new ShapeError(`${path} is not an object`);
  return v;
}
function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new ShapeError(`${path} is not a string`);
  return v;
}
const optStr = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** An id given as a string or as an expanded object with an `id`. */
const idOf = (v: unknown): string | null => optStr(v) ?? (isObj(v) ? optStr(v.id) : null);
const metaTenant = (v: unknown): string | null => (isObj(v) ? optStr(v.tenant_id) : null);

const STRIPE_STATUSES: readonly Status[] = [
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'paused',
  'incomplete',
  'incomplete_expired',
];

/** Reads a provider event body. Never throws: a shape it cannot read is a `failed` result. */
export function parseProviderEvent(provider: Provider, body: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { outcome: 'failed', detail: 'the body is not JSON' };
  }
  try {
    return provider === 'stripe' ? parseStripe(obj(json, 'the body')) : parsePaddle(obj(json, 'the body'));
  } catch (e) {
    if (e instanceof ShapeError) return { outcome: 'failed', detail: e.message };
    return { outcome: 'failed', detail: `could not read the event: ${String(e)}` };
  }
}

function stripeTime(created: unknown): string {
  if (typeof created !== 'number' || !Number.isFinite(created))
    throw new ShapeError('created is not a number');
  return new Date(created * 1000).toISOString();
}

function parseStripe(event: Obj): Parsed {
  const type = str(event.type, 'type');
  const object = obj(obj(event.data, 'data').object, 'data.object');
  const at = stripeTime(event.created);
  switch (type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'customer.subscription.paused':
    case 'customer.subscription.resumed': {
      const sub = object as unknown as Stripe.Subscription;
      const status = str(sub.status, 'data.object.status') as Status;
      if (!STRIPE_STATUSES.includes(status)) throw new ShapeError(`unknown subscription status ${status}`);
      const item = isObj(sub.items) && Array.isArray(sub.items.data) ? sub.items.data[0] : undefined;
      const price = item && isObj(item.price) ? item.price : undefined;
      // Since API version 2025-03-31 the period is on the items; before, on the subscription.
      const periodEnd =
        (item as { current_period_end?: unknown } | undefined)?.current_period_end ??
        (sub as unknown as { current_period_end?: unknown }).current_period_end;
      return {
        outcome: 'fact',
        providerSubscriptionId: str(sub.id, 'data.object.id'),
        at,
        fact: {
          kind: 'full',
          status,
          customerId: idOf(sub.customer),
          tenantId: metaTenant(sub.metadata),
          priceId: price ? optStr(price.id) : null,
          productId: price ? idOf(price.product) : null,
          currentPeriodEnd: typeof periodEnd === 'number' ? new Date(periodEnd * 1000).toISOString() : null,
          cancelAtPeriodEnd: sub.cancel_at_period_end === true,
        },
      };
    }
    case 'checkout.session.completed': {
      const session = object as unknown as Stripe.Checkout.Session;
      const subscriptionId = idOf(session.subscription);
      if (!subscriptionId) return { outcome: 'ignored', detail: 'a checkout without a subscription' };
      const expanded = isObj(session.subscription) ? session.subscription : undefined;
      return {
        outcome: 'fact',
        providerSubscriptionId: subscriptionId,
        at,
        fact: {
          kind: 'checkout',
          customerId: idOf(session.customer),
          tenantId: metaTenant(session.metadata) ?? metaTenant(expanded?.metadata),
        },
      };
    }
    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const invoice = object as Obj;
      // Before API version 2025-03-31: `subscription` and `subscription_details`; since, under `parent`.
      const details = isObj(invoice.parent)
        ? invoice.parent.subscription_details
        : invoice.subscription_details;
      const subscriptionId =
        idOf(invoice.subscription) ?? (isObj(details) ? idOf(details.subscription) : null);
      if (!subscriptionId) return { outcome: 'ignored', detail: 'an invoice of no subscription' };
      return {
        outcome: 'fact',
        providerSubscriptionId: subscriptionId,
        at,
        fact: {
          kind: type === 'invoice.paid' ? 'paid' : 'payment_failed',
          customerId: idOf(invoice.customer),
          tenantId: (isObj(details) ? metaTenant(details.metadata) : null) ?? metaTenant(invoice.metadata),
        },
      };
    }
    default:
      return { outcome: 'ignored', detail: `the platform does not use ${type}` };
  }
}

const PADDLE_STATUSES: Record<string, Status> = {
  active: 'active',
  trialing: 'trialing',
  past_due: 'past_due',
  paused: 'paused',
  canceled: 'canceled',
};

function paddleTime(v: unknown): string {
  const s = str(v, 'occurred_at');
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new ShapeError('occurred_at is not a time');
  return new Date(t).toISOString();
}

function parsePaddle(event: Obj): Parsed {
  const type = str(event.event_type, 'event_type');
  const data = obj(event.data, 'data');
  const at = paddleTime(event.occurred_at);
  switch (type) {
    case 'subscription.created':
    case 'subscription.activated':
    case 'subscription.updated':
    case 'subscription.past_due':
    case 'subscription.paused':
    case 'subscription.resumed':
    case 'subscription.canceled': {
      const raw = str(data.status, 'data.status');
      const status = PADDLE_STATUSES[raw];
      if (!status) throw new ShapeError(`unknown subscription status ${raw}`);
      const item = Array.isArray(data.items) ? data.items[0] : undefined;
      const price = isObj(item) && isObj(item.price) ? item.price : undefined;
      const period = isObj(data.current_billing_period) ? data.current_billing_period : undefined;
      const change = isObj(data.scheduled_change) ? data.scheduled_change : undefined;
      const ends = period ? optStr(period.ends_at) : null;
      return {
        outcome: 'fact',
        providerSubscriptionId: str(data.id, 'data.id'),
        at,
        fact: {
          kind: 'full',
          status,
          customerId: optStr(data.customer_id),
          tenantId: metaTenant(data.custom_data),
          priceId: price ? optStr(price.id) : null,
          productId: price ? optStr(price.product_id) : null,
          currentPeriodEnd: ends && Number.isFinite(Date.parse(ends)) ? new Date(ends).toISOString() : null,
          cancelAtPeriodEnd: change?.action === 'cancel',
        },
      };
    }
    case 'transaction.completed':
    case 'transaction.payment_failed': {
      const subscriptionId = optStr(data.subscription_id);
      if (!subscriptionId) return { outcome: 'ignored', detail: 'a transaction of no subscription' };
      return {
        outcome: 'fact',
        providerSubscriptionId: subscriptionId,
        at,
        fact: {
          kind: type === 'transaction.completed' ? 'paid' : 'payment_failed',
          customerId: optStr(data.customer_id),
          tenantId: metaTenant(data.custom_data),
        },
      };
    }
    default:
      return { outcome: 'ignored', detail: `the platform does not use ${type}` };
  }
}
