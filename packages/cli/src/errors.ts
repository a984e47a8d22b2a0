/** Stable codes of the failures the start command explains to the user. */
export type StartErrorCode =
  | 'CLI_CONFIG_INVALID'
  | 'CLI_PREREQUISITE_MISSING'
  | 'CLI_POSTGRES_FAILED'
  | 'CLI_NATS_NOT_FOUND'
  | 'CLI_NATS_FAILED'
  | 'CLI_SERVICE_MISSING'
  | 'CLI_PORT_IN_USE'
  | 'CLI_GATEWAY_NOT_READY';

/**
 * A failure whose message already tells the user what went wrong and what to do, so the start
 * command prints the message alone, without a stack trace.
 */
export class StartError extends Error {
  override readonly name = 'StartError';
  readonly code: StartErrorCode;

  constructor(code: StartErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
