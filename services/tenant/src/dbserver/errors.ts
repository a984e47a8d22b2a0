const TRANSIENT_SQLSTATES = new Set([
  '55006', // object_in_use: the template has a session open
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '58000', // system_error
]);

/** True for failures that may pass by themselves: a server restarting, a busy template, a lost connection. */
export function isTransientDbError(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (typeof err?.code === 'string') {
    if (TRANSIENT_SQLSTATES.has(err.code) || err.code.startsWith('08')) return true;
    if (/^E[A-Z]+$/.test(err.code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT from the socket
  }
  return /Connection terminated|timeout expired|connect ECONNREFUSED/i.test(String(err?.message));
}
