import Stripe from 'stripe';

/** Sends a webhook to the gateway as Stripe would: signed over the exact bytes. Answers the status. */
export async function deliverStripeWebhook(
  gatewayUrl: string,
  secret: string,
  event: Record<string, unknown>,
): Promise<number> {
  const body = JSON.stringify(event);
  const res = await fetch(`${gatewayUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret }),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
