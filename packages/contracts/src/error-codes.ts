import { errorCodes } from './generated/error-codes.ts';
import type { ErrorCode } from './generated/types.ts';

export { errorCodes };

/** True when `code` is one of the error codes of the contracts (a peer may send one this build lacks). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCodes, code);
}

/** The HTTP status that answers an error code. */
export function httpStatusOf(code: ErrorCode): number {
  return errorCodes[code].status;
}
