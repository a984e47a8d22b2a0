/**
 * One classifier for database failures that may pass by themselves, shared by every service:
 * operation steps retry them, the gateway answers them with 503 and `Retry-After`, consumers
 * redeliver them. Beside it, the failures that never pass for the same input (the data cannot be
 * stored as it is): a consumer dead-letters those at once instead of redelivering them.
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

/**
 * SQLSTATEs that say "this data can never be stored as it is": retrying the same message gives the
 * same answer, so a consumer gives up on it at once. Class 22 (data exception) is taken whole: a NUL
 * character (22021), text the encoding cannot hold (22P05), invalid input syntax (22P02), a number
 * out of range (22003), a string too long (22001).
 */
const PERMANENT_SQLSTATES: Readonly<Record<string, string>> = {
  '23502': 'not-null violation',
  '23514': 'check violation',
  '54000': 'program limit exceeded', // e.g. an index row larger than a page
};

/**
 * Why a database failure can never pass for the same input, or undefined when it might (transient,
 * or unknown: a missing table may appear with a migration, a unique or foreign key violation may
 * settle once a concurrent transaction ends). Walks `cause` chains.
 */
export function permanentDbError(e: unknown): string | undefined {
  for (let err: unknown = e, depth = 0; err && depth < 5; depth++) {
    const { code, message, cause } = err as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      const known = PERMANENT_SQLSTATES[code];
      if (known) return `${known} (SQLSTATE ${code}): ${String(message)}`;
      if (code.startsWith('22')) return `data exception (SQLSTATE ${code}): ${String(message)}`;
    }
    err = cause;
  }
  return undefined;
}

/**
 * A database failure as a consumer's retry policy reads it (the shape of the bus's
 * `classifyFailure`): transient ones are redelivered until they pass, permanent ones dead-lettered
 * at once, and anything else (undefined) redelivered up to a bound.
 */
export function classifyDbFailure(
  e: unknown,
): { kind: 'transient' } | { kind: 'permanent'; reason: string } | undefined {
  const permanent = permanentDbError(e);
  if (permanent) return { kind: 'permanent', reason: permanent };
  return classifyDbError(e).transient ? { kind: 'transient' } : undefined;
}
