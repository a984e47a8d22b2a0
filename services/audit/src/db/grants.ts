import type { RuntimeGrants } from '@ocp/db';

/**
 * What the running audit service may do: append entries and read them, and move the head. No
 * UPDATE or DELETE on `audit_entries` (the append-only trigger is a second wall, which only the
 * owner role could switch off) and no TRUNCATE anywhere.
 */
export const runtimeGrants: RuntimeGrants = {
  audit_entries: ['SELECT', 'INSERT'],
  // Locked FOR UPDATE by every append, then moved.
  audit_head: ['SELECT', 'UPDATE'],
};
