/** An API error with a stable code; the error handler renders it as RFC 9457 problem details. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    message: string,
    readonly field?: string,
    /** More members of the problem, e.g. the missing `permission`. */
    readonly extra?: Record<string, unknown>,
    /** Response headers that go with it, e.g. `Retry-After`. */
    readonly headers?: Record<string, string>,
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
  CSRF_FAILED: { status: 403, title: 'CSRF token missing or wrong' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  TENANT_NOT_FOUND: { status: 404, title: 'Tenant not found' },
  OPERATION_NOT_FOUND: { status: 404, title: 'Operation not found' },
  OPERATOR_NOT_FOUND: { status: 404, title: 'Operator not found' },
  TOKEN_NOT_FOUND: { status: 404, title: 'API token not found' },
  TENANT_EXISTS: { status: 409, title: 'Tenant already exists' },
  OPERATOR_EXISTS: { status: 409, title: 'Operator already exists' },
  LAST_OWNER: { status: 409, title: 'The last owner must stay' },
  INVALID_STATE: { status: 409, title: 'Not possible in the current state' },
  WEBHOOK_REJECTED: { status: 400, title: 'Webhook refused' },
  BILLING_NOT_CONFIGURED: { status: 409, title: 'Billing provider not configured' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency key reused with another request' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  TOO_MANY_ATTEMPTS: { status: 429, title: 'Too many attempts' },
  NO_CAPACITY: { status: 503, title: 'No capacity' },
  WEBHOOK_NOT_CONFIGURED: { status: 503, title: 'Webhook endpoint not configured' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'A service is not answering' },
  INTERNAL: { status: 500, title: 'Internal error' },
};

/** Makes the ApiError of a code from the registry. */
export function apiError(
  code: string,
  message: string,
  field?: string,
  more: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): ApiError {
  const entry = registry[code] ?? registry.INTERNAL!;
  return new ApiError(
    registry[code] ? code : 'INTERNAL',
    entry.status,
    entry.title,
    message,
    field,
    more.extra,
    more.headers,
  );
}

/** 403 naming the permission the caller lacks. */
export function forbidden(permission: string, message: string): ApiError {
  return apiError('FORBIDDEN', message, undefined, { extra: { permission } });
}
