import type { RuntimeGrants } from '@ocp/db';

/**
 * What the running tenant service may do with its tables. Tenants and operations are kept
 * (a deleted tenant's row stays); idempotency keys expire and held billing decisions are
 * applied, then removed; custom domains are removed when the tenant gives them up.
 */
export const runtimeGrants: RuntimeGrants = {
  tenants: ['SELECT', 'INSERT', 'UPDATE'],
  operations: ['SELECT', 'INSERT', 'UPDATE'],
  database_servers: ['SELECT', 'INSERT', 'UPDATE'],
  idempotency_keys: ['SELECT', 'INSERT', 'DELETE'],
  held_billing_decisions: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  odoo_runtimes: ['SELECT', 'INSERT', 'UPDATE'],
  // A removed custom domain is gone: another tenant may claim and verify it.
  tenant_domains: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // The copies of the quota service's plans and enforcement decisions, replaced as events arrive.
  quota_plans: ['SELECT', 'INSERT', 'UPDATE'],
  quota_enforcement: ['SELECT', 'INSERT', 'UPDATE'],
};
