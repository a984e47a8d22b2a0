/**
 * One classifier for database failures that may pass by themselves, shared by every service:
 * operation steps retry them, the gateway answers them with 503 and `Retry-After`, consumers
 * redeliver them. Anything else is a real error of the statement or the data.
 */

/** SQLSTATEs that say "try again later", with why. */
const TRANSIENT_SQLSTATES: Readonly<Record<string, string>> = {
  '40001': 'serialization failure',
  '40P01': 'deadlock',
  '53000': 'insufficient resources',
  '53100': 'disk full',
  '53200': 'out of memory',
  '53300': 'too many connections',
  '55006': 'object in use', // a template database with a session open
  '55P03': 'lock not available', // lock_timeout, NOWAIT
  '57P01': 'server shutting down', // admin_shutdown
  '57P02': 'server crashed', // crash_shutdown
  '57P03': 'server starting up or in recovery', // cannot_connect_now
  '57P05': 'idle session timeout',
  '58000': 'system error',
  '25006': 'read-only transaction', // a failover left us on a standby for a moment
};

/** Socket-level codes from Node for a connection that failed or went away. */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages of node-postgres that carry no code. */
const TRANSIENT_MESSAGES: ReadonlyArray<[RegExp, string]> = [
  [/timeout exceeded when trying to connect/i, 'pool checkout timeout'],
  [/Connection terminated/i, 'connection lost'],
  [/Client has encountered a connection error and is not queryable/i, 'connection lost'],
  [/Cannot use a pool after calling end on the pool/i, 'pool closed'],
  [
    /the database system is (starting up|in recovery mode|shutting down)/i,
    'server starting up or in recovery',
  ],
];

export interface DbErrorClass {
  transient: boolean;
  /** Why, for logs and operation errors: `connection lost`, `lock not available`, ... */
  reason: string;
}

/** Says whether a database failure may pass by itself, and why. Walks `cause` chains. */
export function classifyDbError(e: unknown): DbErrorClass {
  for (let err: unknown = e, depth = 0; err && depth < 5; depth++) {
    const { code, message, cause } = err as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      const sqlstate = TRANSIENT_SQLSTATES[code];
      if (sqlstate) return { transient: true, reason: sqlstate };
      if (code.startsWith('08')) return { transient: true, reason: 'connection failure' };
      if (TRANSIENT_SOCKET_CODES.has(code)) return { transient: true, reason: `socket ${code}` };
    }
    if (typeof message === 'string') {
      for (const [re, reason] of TRANSIENT_MESSAGES) if (re.test(message)) return { transient: true, reason };
    }
    err = cause;
  }
  return { transient: false, reason: 'permanent' };
}

/** True for failures that may pass by themselves: a server restarting, a pool exhausted, a lock held. */
export function isTransientDbError(e: unknown): boolean {
  return classifyDbError(e).transient;
}
