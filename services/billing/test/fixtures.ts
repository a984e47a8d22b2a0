/** Webhook bodies in the providers' documented shapes, for tests. */

export interface StripeSubOpts {
  id: string;
  sub: string;
  type: string;
  created: number;
  status: string;
  tenantId: string | null;
  price?: string;
  product?: string;
  customer?: string;
}

/** A Stripe `customer.subscription.*` event (API version 2025-x: period on the items). */
export function stripeSubscriptionEvent(o: StripeSubOpts) {
  return {
    id: o.id,
    object: 'event',
    api_version: '2025-09-30.clover',
    created: o.created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: o.type,
    data: {
      object: {
        id: o.sub,
        object: 'subscription',
        cancel_at_period_end: false,
        collection_method: 'charge_automatically',
        created: o.created - 100,
        currency: 'eur',
        customer: o.customer ?? 'cus_T1',
        items: {
          object: 'list',
          data: [
            {
              id: 'si_1',
              object: 'subscription_item',
              current_period_start: o.created - 100,
              current_period_end: o.created + 30 * 86400,
              price: {
                id: o.price ?? 'price_basic',
                object: 'price',
                product: o.product ?? 'prod_basic',
                recurring: { interval: 'month', interval_count: 1 },
                unit_amount: 1900,
              },
              quantity: 1,
            },
          ],
          has_more: false,
        },
        metadata: o.tenantId ? { tenant_id: o.tenantId } : {},
        status: o.status,
      },
    },
  };
}

/** A Stripe `invoice.paid` / `invoice.payment_failed` event (subscription under `parent`). */
export function stripeInvoiceEvent(o: {
  id: string;
  sub: string;
  type: string;
  created: number;
  tenantId: string;
}) {
  return {
    id: o.id,
    object: 'event',
    api_version: '2025-09-30.clover',
    created: o.created,
    livemode: false,
    type: o.type,
    data: {
      object: {
        id: `in_${o.id}`,
        object: 'invoice',
        customer: 'cus_T1',
        status: o.type === 'invoice.paid' ? 'paid' : 'open',
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription: o.sub, metadata: { tenant_id: o.tenantId } },
        },
        amount_due: 1900,
        currency: 'eur',
      },
    },
  };
}

/** A Stripe `checkout.session.completed` event. */
export function stripeCheckoutEvent(o: { id: string; sub: string; created: number; tenantId: string }) {
  return {
    id: o.id,
    object: 'event',
    created: o.created,
    type: 'checkout.session.completed',
    data: {
      object: {
        id: `cs_${o.id}`,
        object: 'checkout.session',
        mode: 'subscription',
        customer: 'cus_T1',
        subscription: o.sub,
        payment_status: 'paid',
        status: 'complete',
        metadata: { tenant_id: o.tenantId },
      },
    },
  };
}

/** A Paddle Billing `subscription.*` notification. */
export function paddleSubscriptionEvent(o: {
  id: string;
  sub: string;
  type: string;
  at: string;
  status: string;
  tenantId: string | null;
  price?: string;
}) {
  return {
    event_id: o.id,
    event_type: o.type,
    occurred_at: o.at,
    notification_id: `ntf_${o.id}`,
    data: {
      id: o.sub,
      status: o.status,
      customer_id: 'ctm_01h',
      address_id: 'add_01h',
      currency_code: 'EUR',
      collection_mode: 'automatic',
      billing_cycle: { interval: 'month', frequency: 1 },
      current_billing_period: { starts_at: o.at, ends_at: '2030-01-01T00:00:00.000000Z' },
      scheduled_change: null,
      items: [
        {
          status: 'active',
          quantity: 1,
          recurring: true,
          price: {
            id: o.price ?? 'pri_basic',
            product_id: 'pro_basic',
            unit_price: { amount: '1900', currency_code: 'EUR' },
          },
        },
      ],
      custom_data: o.tenantId ? { tenant_id: o.tenantId } : null,
      created_at: o.at,
      updated_at: o.at,
    },
  };
}

/** A Paddle `transaction.completed` / `transaction.payment_failed` notification. */
export function paddleTransactionEvent(o: {
  id: string;
  sub: string;
  type: string;
  at: string;
  tenantId: string;
}) {
  return {
    event_id: o.id,
    event_type: o.type,
    occurred_at: o.at,
    notification_id: `ntf_${o.id}`,
    data: {
      id: `txn_${o.id}`,
      status: o.type === 'transaction.completed' ? 'completed' : 'past_due',
      customer_id: 'ctm_01h',
      subscription_id: o.sub,
      origin: 'subscription_recurring',
      custom_data: { tenant_id: o.tenantId },
      items: [],
    },
  };
}
