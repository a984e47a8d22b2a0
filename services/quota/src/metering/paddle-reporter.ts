import { ApiError, type Environment, Paddle } from '@paddle/paddle-node-sdk';
import { UsageReportError } from './provider-error.ts';

/** What is reported to Paddle for one tenant and period. */
export interface PaddleUsage {
  subscriptionId: string;
  /** The usage-priced recurring price on the subscription (`metered.priceId` of the plan). */
  priceId: string;
  quantity: number;
}

export interface PaddleUsageReporter {
  /** Sets the price's quantity on the subscription; answers the quantity Paddle now holds. */
  report(usage: PaddleUsage): Promise<number>;
}

/**
 * Reports active users to Paddle Billing as the quantity of the subscription's usage-priced item.
 * Paddle has no meter API; its ways to bill usage are a recurring item's quantity (`PATCH
 * /subscriptions/{id}` with the full item list) or a one-time charge (`POST .../charge`). The
 * quantity is taken because setting it is idempotent: a retry after a lost answer sets the same
 * number again, whereas Paddle's API takes no idempotency key and a repeated one-time charge would
 * bill twice. The change is prorated onto the next bill (`prorated_next_billing_period`): nothing is
 * charged at once, and the renewal bills the count in force. The update replaces the item list,
 * so the other items are sent back as they are. Paddle refuses a quantity below 1, so a tenant with
 * no active user is reported as 1 (a price's minimum quantity is at least 1).
 */
export function createPaddleUsageReporter(opts: {
  apiKey: string;
  apiBase?: string | undefined;
  environment?: 'sandbox' | 'production';
}): PaddleUsageReporter {
  // The SDK takes any base URL in place of an environment name: how tests point it at a double.
  const environment = (opts.apiBase?.replace(/\/+$/, '') ?? opts.environment ?? 'production') as Environment;
  const paddle = new Paddle(opts.apiKey, { environment });
  const fail = (what: string, err: unknown): never => {
    const permanent = err instanceof ApiError && err.type === 'request_error';
    throw new UsageReportError(
      'paddle',
      `Paddle refused ${what}: ${(err as Error).message.slice(0, 300)}`,
      permanent,
      { cause: err },
    );
  };
  return {
    async report(usage) {
      const quantity = Math.max(1, usage.quantity);
      const sub = await paddle.subscriptions
        .get(usage.subscriptionId)
        .catch((e: unknown) => fail(`to read subscription ${usage.subscriptionId}`, e));
      const items = sub.items
        .filter((i) => i.status !== 'inactive' && i.recurring)
        .map((i) => ({ priceId: i.price.id, quantity: i.quantity }));
      const current = items.find((i) => i.priceId === usage.priceId);
      if (current?.quantity === quantity) return quantity;
      if (current) current.quantity = quantity;
      else items.push({ priceId: usage.priceId, quantity });
      await paddle.subscriptions
        .update(usage.subscriptionId, { items, prorationBillingMode: 'prorated_next_billing_period' })
        .catch((e: unknown) => fail(`the quantity of ${usage.priceId} on ${usage.subscriptionId}`, e));
      return quantity;
    },
  };
}
