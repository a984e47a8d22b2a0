import { Counter, type Registry } from 'prom-client';
import type { WebhookStatus } from './db/store.ts';
import type { Access } from './domain/subscription.ts';

/** Domain metrics of the billing service. */
export interface BillingMetrics {
  webhook(provider: string, type: string, status: WebhookStatus): void;
  decision(access: Access, origin: 'webhook' | 'grace_expired'): void;
}

/** Metrics that count nothing, for tests that call the domain directly. */
export const noMetrics: BillingMetrics = { webhook() {}, decision() {} };

export function registerBillingMetrics(registry: Registry): BillingMetrics {
  const webhooks = new Counter({
    name: 'ocp_billing_webhooks_total',
    help: 'Provider webhooks handled, by provider, provider event type and what became of them.',
    labelNames: ['provider', 'type', 'status'],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'ocp_billing_access_decisions_total',
    help: 'Tenant access decisions announced, by decision and what led to it.',
    labelNames: ['access', 'origin'],
    registers: [registry],
  });
  return {
    // Provider types are a bounded set of names, but a hostile body could make up others.
    webhook: (provider, type, status) =>
      webhooks.inc({ provider, type: /^[a-z_.]{1,60}$/.test(type) ? type : 'other', status }),
    decision: (access, origin) => decisions.inc({ access, origin }),
  };
}
