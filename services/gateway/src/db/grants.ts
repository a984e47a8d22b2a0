import type { RuntimeGrants } from '@ocp/db';

/** What the running gateway may do with its tables. */
export const runtimeGrants: RuntimeGrants = {
  // Operators are removed by the admin API.
  operators: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // Sessions and tokens are revoked (a column), never deleted.
  sessions: ['SELECT', 'INSERT', 'UPDATE'],
  api_tokens: ['SELECT', 'INSERT', 'UPDATE'],
  // A success clears the failures; old windows are pruned.
  login_throttle: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
};
