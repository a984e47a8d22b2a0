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
  // Measurement: each tenant's place in the scan, and its backup storage from the backup events.
  measure_schedule: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  measure_backups: ['SELECT', 'INSERT', 'UPDATE'],
  backup_usage: ['SELECT', 'INSERT', 'UPDATE'],
  tenant_subscriptions: ['SELECT', 'INSERT', 'UPDATE'],
  // Accepted metered usage is history: never changed or removed.
  usage_reports: ['SELECT', 'INSERT'],
};
