import type { RuntimeGrants } from '@ocp/db';

/**
 * What the running backup service may do with its tables: retention deletes catalog entries (their
 * objects are gone from the store first), tickets are deleted once spent or expired.
 */
export const runtimeGrants: RuntimeGrants = {
  backups: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  operations: ['SELECT', 'INSERT', 'UPDATE'],
  known_tenants: ['SELECT', 'INSERT', 'UPDATE'],
  transfer_tickets: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
};
