import { RpcError, type RpcHandler } from '@ocp/bus';
import type { BillingCheckoutCreateRequestV1 } from '@ocp/contracts';
import { Environment, Paddle } from '@paddle/paddle-node-sdk';
import Stripe from 'stripe';
import { subscriptionsOfTenant } from '../db/store.ts';
import type { HandlerContext } from './context.ts';

type LinkRequest = BillingCheckoutCreateRequestV1;

/** The provider clients, made once, only for providers whose API key is configured. */
export interface ProviderClients {
  stripe?: Stripe;
  paddle?: Paddle;
}

export function providerClients(ctx: HandlerContext): ProviderClients {
  const { STRIPE_API_KEY, PADDLE_API_KEY, PADDLE_ENVIRONMENT } = ctx.config;
  return {
    ...(STRIPE_API_KEY
      ? { stripe: new Stripe(STRIPE_API_KEY, { maxNetworkRetries: 1, timeout: 10_000 }) }
      : {}),
    ...(PADDLE_API_KEY
      ? {
          paddle: new Paddle(PADDLE_API_KEY, {
            environment: PADDLE_ENVIRONMENT === 'sandbox' ? Environment.sandbox : Environment.production,
          }),
        }
      : {}),
  };
}

function notConfigured(provider: string): never {
  const key = provider === 'stripe' ? 'STRIPE_API_KEY' : 'PADDLE_API_KEY';
  throw new RpcError(
    'BILLING_NOT_CONFIGURED',
    `${provider} is not configured on this platform: set ${key} on the billing service to create links`,
    '/provider',
  );
}

/** A provider API failure: the user learns which provider refused, never its internals. */
function providerFailed(provider: string, err: unknown): never {
  throw new RpcError(
    'BILLING_PROVIDER_FAILED',
    `${provider} refused or did not answer: ${err instanceof Error ? err.message.slice(0, 300) : 'unknown error'}`,
  );
}

function pickPrice(_ctx: HandlerContext, req: LinkRequest): string {
  if (req.priceId) return req.priceId;
  throw new RpcError('VALIDATION_FAILED', 'give the priceId of the plan to subscribe to', '/priceId');
}

/** `rpc.billing.checkout.create.v1`: a checkout link whose subscription carries the tenant id. */
export function checkoutHandler(
  ctx: HandlerContext,
  clients: ProviderClients,
): RpcHandler<'billing.checkout.create.v1'> {
  return async (req) => {
    if (req.provider === 'stripe') {
      const stripe = clients.stripe ?? notConfigured('stripe');
      const price = pickPrice(ctx, req);
      const session = await stripe.checkout.sessions
        .create({
          mode: 'subscription',
          line_items: [{ price, quantity: 1 }],
          metadata: { tenant_id: req.tenantId },
          subscription_data: { metadata: { tenant_id: req.tenantId } },
          ...(req.returnUrl ? { success_url: req.returnUrl, cancel_url: req.returnUrl } : {}),
        })
        .catch((e: unknown) => providerFailed('stripe', e));
      if (!session.url) providerFailed('stripe', new Error('no checkout url in the answer'));
      return { url: session.url };
    }
    const paddle = clients.paddle ?? notConfigured('paddle');
    const price = pickPrice(ctx, req);
    const tx = await paddle.transactions
      .create({ items: [{ priceId: price, quantity: 1 }], customData: { tenant_id: req.tenantId } })
      .catch((e: unknown) => providerFailed('paddle', e));
    const url = tx.checkout?.url;
    if (!url)
      providerFailed('paddle', new Error('no checkout url in the answer (is a default payment link set?)'));
    return { url };
  };
}

/** `rpc.billing.portal.create.v1`: a customer-portal link for the tenant's customer. */
export function portalHandler(
  ctx: HandlerContext,
  clients: ProviderClients,
): RpcHandler<'billing.portal.create.v1'> {
  return async (req) => {
    const client = req.provider === 'stripe' ? clients.stripe : clients.paddle;
    if (!client) notConfigured(req.provider);
    const subs = (await subscriptionsOfTenant(ctx.pool, req.tenantId)).filter(
      (s) => s.provider === req.provider,
    );
    const customer = subs.find((s) => s.customer_id)?.customer_id;
    if (!customer) {
      throw new RpcError(
        'BILLING_NO_CUSTOMER',
        `the tenant has no ${req.provider} customer yet; create a checkout first`,
        '/tenantId',
      );
    }
    if (req.provider === 'stripe' && clients.stripe) {
      const session = await clients.stripe.billingPortal.sessions
        .create({ customer, ...(req.returnUrl ? { return_url: req.returnUrl } : {}) })
        .catch((e: unknown) => providerFailed('stripe', e));
      return { url: session.url };
    }
    const session = await clients
      .paddle!.customerPortalSessions.create(
        customer,
        subs.map((s) => s.provider_subscription_id),
      )
      .catch((e: unknown) => providerFailed('paddle', e));
    return { url: session.urls.general.overview };
  };
}
