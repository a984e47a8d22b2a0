/**
 * Errors of the Odoo client. Two families, told apart by class: `OdooError` is Odoo's own answer
 * (the server ran the call and refused it), `OdooTransportError` is everything that kept an answer
 * from arriving or being read. Odoo answers HTTP 200 for both success and error, so the class, not
 * the status, says which happened.
 */

/** How much of Odoo's server-side traceback an error shows when it is logged or serialised. */
const DEBUG_PREVIEW_CHARS = 200;

/** The `error` member of Odoo's JSON-RPC answer. */
export interface OdooErrorEnvelope {
  code: number;
  message: string;
  data?: {
    name?: string;
    message?: string;
    arguments?: unknown[];
    context?: Record<string, unknown>;
    debug?: string;
  };
}

/**
 * Odoo refused the call. `name` is Odoo's exception class (`odoo.exceptions.AccessDenied`,
 * `psycopg2.errors.DuplicateDatabase`, `builtins.TypeError`...), `odooMessage` its message, as sent.
 * The traceback (`debug`) is kept for whoever needs it but is not enumerable, so loggers that copy
 * an error's own properties (pino's serializer) do not print it; `toJSON` shows its start only.
 */
export class OdooError extends Error {
  /** Odoo's exception class, e.g. `odoo.exceptions.UserError`. */
  override readonly name: string;
  readonly odooMessage: string;
  /** `error.code` of the envelope (Odoo sends 200). */
  readonly code: number;
  /** `error.message` of the envelope (Odoo sends "Odoo Server Error"). */
  readonly envelopeMessage: string;
  readonly arguments: readonly unknown[];
  declare readonly debug: string | undefined;

  constructor(call: string, error: OdooErrorEnvelope) {
    const name = error.data?.name ?? 'odoo.UnknownError';
    const odooMessage = error.data?.message ?? error.message;
    super(`Odoo refused ${call}: ${name}: ${odooMessage}`);
    this.name = name;
    this.odooMessage = odooMessage;
    this.code = error.code;
    this.envelopeMessage = error.message;
    this.arguments = error.data?.arguments ?? [];
    Object.defineProperty(this, 'debug', { value: error.data?.debug, enumerable: false });
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      odooMessage: this.odooMessage,
      code: this.code,
      debug: this.debug === undefined ? undefined : this.debug.slice(0, DEBUG_PREVIEW_CHARS),
    };
  }
}

/** What kept an answer from arriving or being read. */
export type OdooTransportFailure = 'connection' | 'timeout' | 'http-status' | 'not-json' | 'bad-envelope';

/** No usable answer came back from Odoo: the call may or may not have run on the server. */
export class OdooTransportError extends Error {
  override name = 'OdooTransportError';
  constructor(
    readonly failure: OdooTransportFailure,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The call had no answer within its time limit; it may still be running on the server. */
export class OdooTimeoutError extends OdooTransportError {
  override name = 'OdooTimeoutError';
  constructor(
    call: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(
      'timeout',
      `Odoo did not answer ${call} within ${timeoutMs} ms; the call may still be running on the server: check its state before calling again`,
      undefined,
      options,
    );
  }
}
