import Stripe from 'stripe';
import { UsageReportError } from './provider-error.ts';

/** What a Stripe meter event carries for one tenant and period. */
export interface StripeUsage {
  meterEventName: string;
  customerId: string;
  quantity: number;
  /** `<tenant>:<period>`: Stripe keeps one event per identifier, so a retry is not counted twice. */
  identifier: string;
}

export interface StripeUsageReporter {
  report(usage: StripeUsage): Promise<void>;
}

/** The SDK's `host`/`port`/`protocol` for an API base such as `http://127.0.0.1:12111`. */
function hostOptions(apiBase: string | undefined): Partial<Stripe.StripeConfig> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    protocol,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
  };
}

/**
 * Reports active users as Stripe meter events (`POST /v1/billing/meter_events`). The meter should
 * aggregate with `last` (`default_aggregation.formula`), so the count of the period's last report
 * is what the invoice bills. The identifier and the idempotency key are both `<tenant>:<period>`:
 * a retry after a lost answer is a replay on Stripe's side, not a second event.
 */
export function createStripeUsageReporter(opts: {
  apiKey: string;
  apiBase?: string | undefined;
}): StripeUsageReporter {
  const stripe = new Stripe(opts.apiKey, {
    // The next metering run is the retry: one attempt here keeps a run's length bounded.
    maxNetworkRetries: 0,
    timeout: 10_000,
    telemetry: false,
    ...hostOptions(opts.apiBase),
  });
  return {
    async report(usage) {
      try {
        await stripe.billing.meterEvents.create(
          {
            event_name: usage.meterEventName,
            identifier: usage.identifier,
            payload: { stripe_customer_id: usage.customerId, value: String(usage.quantity) },
          },
          { idempotencyKey: usage.identifier },
        );
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        // A replayed identifier means Stripe has this period's event already: it counts as sent.
        if ((err as { code?: string }).code === 'resource_already_exists') return;
        throw new UsageReportError(
          'stripe',
          `Stripe refused the meter event ${usage.identifier}: ${(err as Error).message.slice(0, 300)}`,
          status !== undefined && status >= 400 && status < 500 && status !== 429,
          { cause: err },
        );
      }
    },
  };
}
