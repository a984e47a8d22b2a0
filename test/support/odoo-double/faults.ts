/**
 * Odoo's error answers. Odoo answers every JSON-RPC call with HTTP 200; a failure is an `error`
 * member whose `data.name` is the Python exception's class and `data.message` its text. The double
 * throws `OdooFault` wherever Odoo raises, and turns PostgreSQL's errors into psycopg2's names,
 * as Odoo lets them through.
 */

/** An exception as Odoo would raise it: `name` is the Python class (`odoo.exceptions.UserError`). */
export class OdooFault extends Error {
  constructor(
    readonly odooName: string,
    message: string,
  ) {
    super(message);
    this.name = 'OdooFault';
  }
}

export const accessDenied = () => new OdooFault('odoo.exceptions.AccessDenied', 'Access Denied');
export const userError = (message: string) => new OdooFault('odoo.exceptions.UserError', message);

/** psycopg2's class for the SQLSTATEs the double can meet; others keep psycopg2's base class. */
const PSYCOPG_BY_SQLSTATE: Record<string, string> = {
  '3D000': 'psycopg2.errors.InvalidCatalogName',
  '42P04': 'psycopg2.errors.DuplicateDatabase',
  '55006': 'psycopg2.errors.ObjectInUse',
  '55P03': 'psycopg2.errors.LockNotAvailable',
  '42501': 'psycopg2.errors.InsufficientPrivilege',
  '23505': 'psycopg2.errors.UniqueViolation',
  '23502': 'psycopg2.errors.NotNullViolation',
  '40P01': 'psycopg2.errors.DeadlockDetected',
};

/** A PostgreSQL error as psycopg2 shows it: its class, and the server's message with a newline. */
export function fromPostgres(err: unknown): OdooFault {
  if (err instanceof OdooFault) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && code in PSYCOPG_BY_SQLSTATE)
    return new OdooFault(PSYCOPG_BY_SQLSTATE[code] as string, `${message}\n`);
  if (typeof code === 'string') return new OdooFault('psycopg2.Error', `${message}\n`);
  return new OdooFault('builtins.Exception', message);
}

/**
 * A failed connection as psycopg2 reports it (`psycopg2.OperationalError`): a database that does
 * not exist, or one whose ALLOW_CONNECTIONS is false, or that refuses this role.
 */
export function connectionFault(err: unknown, host: string, port: string): OdooFault {
  const message = err instanceof Error ? err.message : String(err);
  return new OdooFault(
    'psycopg2.OperationalError',
    `connection to server at "${host}", port ${port} failed: FATAL:  ${message}\n`,
  );
}

/** The `error` member of Odoo's answer, with a short traceback in `debug` as a real server sends. */
export function errorEnvelope(fault: OdooFault): Record<string, unknown> {
  return {
    code: 200,
    message: 'Odoo Server Error',
    data: {
      name: fault.odooName,
      message: fault.message,
      arguments: [fault.message],
      context: {},
      debug: `Traceback (most recent call last):\n  File "odoo-double", line 1, in dispatch\n${fault.odooName}: ${fault.message}\n`,
    },
  };
}
