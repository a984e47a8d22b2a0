import type { RuntimeGrants } from '@ocp/db';

/**
 * What the running quota service may do with its tables: overrides are removed by operators, old
 * usage samples pruned; plans are kept (soft-deleted) so their versions never go back.
 */
export const runtimeGrants: RuntimeGrants = {
  plans: ['SELECT', 'INSERT', 'UPDATE'],
  known_tenants: ['SELECT', 'INSERT', 'UPDATE'],
  overrides: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  usage_samples: ['SELECT', 'INSERT', 'DELETE'],
  quota_states: ['SELECT', 'INSERT', 'UPDATE'],
  trials: ['SELECT', 'INSERT', 'UPDATE'],
};
