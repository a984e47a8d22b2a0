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

/** An error answer from a request/reply method, with the stable code the server chose. */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Nobody serves a request/reply subject, or it did not answer in time. */
export class RpcUnavailableError extends Error {
  override name = 'RpcUnavailableError';
}
