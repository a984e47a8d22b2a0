import { Paddle } from '@paddle/paddle-node-sdk';
import Stripe from 'stripe';

export const webhookProviders = ['stripe', 'paddle'] as const;
export type WebhookProvider = (typeof webhookProviders)[number];

/** What became of one webhook request: the label of `ocp_webhooks_total`. */
export type WebhookOutcome =
  | 'accepted'
  | 'rejected_signature'
  | 'rejected_stale'
  | 'too_large'
  | 'wrong_content_type'
  | 'not_json'
  | 'unavailable'
  | 'not_configured';

export const webhookOutcomes: readonly WebhookOutcome[] = [
  'accepted',
  'rejected_signature',
  'rejected_stale',
  'too_large',
  'wrong_content_type',
  'not_json',
  'unavailable',
  'not_configured',
];

export type Verdict =
  | { ok: true }
  | { ok: false; outcome: 'rejected_signature' | 'rejected_stale'; reason: string };

/** Proves that a body came from one provider: the signature header over the raw bytes. */
export interface SignatureCheck {
  provider: WebhookProvider;
  /** The request header that carries the signature, lower case. */
  header: string;
  /** Every configured secret is tried, so a rotation needs no downtime. */
  verify(raw: Buffer, signature: string | undefined): Promise<Verdict>;
}

/** Stripe's default tolerance of `constructEvent`, in seconds. */
export const STRIPE_TOLERANCE_S = 300;
/** Paddle's SDK refuses signatures older than this, in seconds. */
export const PADDLE_TOLERANCE_S = 5;

/**
 * Stripe: `t=<unix>,v1=<hex>` over `<t>.<body>`, verified by the SDK's `constructEvent` with its
 * default tolerance. The SDK checks the signature before the timestamp, so "outside the
 * tolerance zone" means a genuine but stale (replayed or delayed) delivery.
 */
export function stripeSignatureCheck(secrets: readonly string[]): SignatureCheck {
  return {
    provider: 'stripe',
    header: 'stripe-signature',
    async verify(raw, signature) {
      if (!signature)
        return { ok: false, outcome: 'rejected_signature', reason: 'the Stripe-Signature header is missing' };
      let stale = false;
      let malformed = false;
      for (const secret of secrets) {
        try {
          Stripe.webhooks.constructEvent(raw, signature, secret);
          return { ok: true };
        } catch (e) {
          // The signature matched and the SDK then failed to parse the body: verified, not JSON.
          if (e instanceof SyntaxError) return { ok: true };
          if (!(e instanceof Stripe.errors.StripeSignatureVerificationError)) throw e;
          if (e.message.startsWith('Timestamp outside the tolerance zone')) stale = true;
          else if (
            e.message.startsWith('Unable to extract') ||
            e.message.startsWith('No signatures found with')
          )
            malformed = true;
        }
      }
      if (stale)
        return {
          ok: false,
          outcome: 'rejected_stale',
          reason: `the signature's timestamp is more than ${STRIPE_TOLERANCE_S} s old (a replayed or delayed delivery)`,
        };
      if (malformed)
        return {
          ok: false,
          outcome: 'rejected_signature',
          reason: 'the Stripe-Signature header is not of the form t=<unix time>,v1=<signature>',
        };
      return {
        ok: false,
        outcome: 'rejected_signature',
        reason:
          'the signature matches none of the configured signing secrets; the body must arrive exactly as Stripe sent it',
      };
    },
  };
}

const PADDLE_HEADER = /^ts=(\d{1,12})(;h1=[0-9a-f]{64})+$/i;

/**
 * Paddle Billing: `ts=<unix>;h1=<hex HMAC-SHA256 of "<ts>:<body>">`, verified by the SDK's
 * `isSignatureValid` (never `unmarshal`: it throws on shapes the SDK does not know, and parsing
 * belongs to the billing service). The SDK answers only yes or no, so the timestamp is read here
 * first to tell a stale delivery from a forged one.
 */
export function paddleSignatureCheck(secrets: readonly string[]): SignatureCheck {
  // The API key is not used: only the webhook helpers of the client are.
  const paddle = new Paddle('webhook-verification-only');
  return {
    provider: 'paddle',
    header: 'paddle-signature',
    async verify(raw, signature) {
      if (!signature)
        return { ok: false, outcome: 'rejected_signature', reason: 'the Paddle-Signature header is missing' };
      const m = PADDLE_HEADER.exec(signature);
      if (!m)
        return {
          ok: false,
          outcome: 'rejected_signature',
          reason: 'the Paddle-Signature header is not of the form ts=<unix time>;h1=<signature>',
        };
      const age = Math.floor(Date.now() / 1000) - Number(m[1]);
      if (age > PADDLE_TOLERANCE_S)
        return {
          ok: false,
          outcome: 'rejected_stale',
          reason: `the signature's timestamp is ${age} s old, beyond Paddle's ${PADDLE_TOLERANCE_S} s tolerance (a replayed or delayed delivery)`,
        };
      const body = raw.toString('utf8');
      for (const secret of secrets) {
        if (await paddle.webhooks.isSignatureValid(body, secret, signature)) return { ok: true };
      }
      return {
        ok: false,
        outcome: 'rejected_signature',
        reason:
          'the signature matches none of the configured secret keys; the body must arrive exactly as Paddle sent it',
      };
    },
  };
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** The event id and type a verified body names (Stripe `id`/`type`, Paddle `event_id`/`event_type`). */
export function eventIdentity(
  provider: WebhookProvider,
  raw: Buffer,
): { ok: true; id: string; type: string } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the body is signed but is not valid JSON' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    return { ok: false, reason: 'the body is signed but is not a JSON object' };
  const o = parsed as Record<string, unknown>;
  const [idKey, typeKey] = provider === 'stripe' ? ['id', 'type'] : ['event_id', 'event_type'];
  const id = o[idKey];
  const type = o[typeKey];
  // The CloudEvents id is "<provider>:<id>", at most 200 characters. Both providers' ids and types
  // are printable ASCII (evt_..., customer.subscription.updated); anything else (a NUL, a lone
  // surrogate) could not be stored as text or sent as a NATS header, so it is refused here.
  if (typeof id !== 'string' || !PRINTABLE_ASCII.test(id) || id.length > 190)
    return {
      ok: false,
      reason: `the body has no "${idKey}" (a string of 1 to 190 printable ASCII characters)`,
    };
  if (type !== undefined && (typeof type !== 'string' || !/^[\x20-\x7e]{0,200}$/.test(type)))
    return { ok: false, reason: `"${typeKey}" must be a string of at most 200 printable ASCII characters` };
  return { ok: true, id, type: type ?? '' };
}
