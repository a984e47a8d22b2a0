import type { RuntimeGrants } from '@ocp/db';

/** What the running billing service may do with its tables; nothing is ever deleted. */
export const runtimeGrants: RuntimeGrants = {
  subscriptions: ['SELECT', 'INSERT', 'UPDATE'],
  webhook_events: ['SELECT', 'INSERT', 'UPDATE'],
  known_tenants: ['SELECT', 'INSERT', 'UPDATE'],
};
