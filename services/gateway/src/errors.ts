/** An API error with a stable code; the error handler renders it as RFC 9457 problem details. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The one place where a code meets its HTTP status and title. */
const registry: Record<string, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  BAD_REQUEST: { status: 400, title: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  TENANT_NOT_FOUND: { status: 404, title: 'Tenant not found' },
  OPERATION_NOT_FOUND: { status: 404, title: 'Operation not found' },
  TENANT_EXISTS: { status: 409, title: 'Tenant already exists' },
  INVALID_STATE: { status: 409, title: 'Not possible in the current state' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency key reused with another request' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  NO_CAPACITY: { status: 503, title: 'No capacity' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'A service is not answering' },
  INTERNAL: { status: 500, title: 'Internal error' },
};

/** Makes the ApiError of a code from the registry. */
export function apiError(code: string, message: string, field?: string): ApiError {
  const entry = registry[code] ?? registry.INTERNAL!;
  return new ApiError(registry[code] ? code : 'INTERNAL', entry.status, entry.title, message, field);
}
