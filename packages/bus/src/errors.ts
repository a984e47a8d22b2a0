import { type ErrorCode, isErrorCode } from '@ocp/contracts';

/** A failure that may pass: the message is redelivered after a delay. */
export class TransientError extends Error {
  override name = 'TransientError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A failure that will not pass by retrying: the message is terminated and dead-lettered. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/**
 * An error answer from a request/reply method, with the stable code the server chose. The code is
 * one of proto-schemas/common/error-code.v1.json: a code that is not there does not compile.
 */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  /** The error answer as it came over the wire; a code this build does not know is `INTERNAL`. */
  static fromReply(error: { code: string; message: string; field?: string }): RpcError {
    if (isErrorCode(error.code)) return new RpcError(error.code, error.message, error.field);
    return new RpcError('INTERNAL', `${error.code}: ${error.message}`, error.field);
  }
}

/** Nobody serves a request/reply subject, or it did not answer in time. */
export class RpcUnavailableError extends Error {
  override name = 'RpcUnavailableError';
}

/** JetStream refused to create or update a stream or consumer; the message says which and why. */
export class StreamSetupError extends Error {
  override name = 'StreamSetupError';
}

/** A dead-letter record could not be stored; the message it is about is kept and comes back. */
export class DeadLetterError extends Error {
  override name = 'DeadLetterError';
}

/** The bus was asked to serve or consume after its `close()` began. */
export class BusClosedError extends Error {
  override name = 'BusClosedError';
}
