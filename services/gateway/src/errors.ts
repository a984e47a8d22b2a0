import { type ErrorCode, httpStatusOf } from '@ocp/contracts';

/** An API error with a stable code; the error handler renders it as RFC 9457 problem details. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
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

/**
 * The title of each code's problem. The codes and their HTTP status come from
 * proto-schemas/common/error-code.v1.json: a code missing here, or one that is not there, does not
 * compile.
 */
const titles: Record<ErrorCode, string> = {
  BAD_REQUEST: 'The request is not valid',
  VALIDATION_FAILED: 'The request is not valid',
  WEBHOOK_REJECTED: 'Webhook refused',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  CSRF_FAILED: 'CSRF token missing or wrong',
  NOT_FOUND: 'Not found',
  TENANT_NOT_FOUND: 'Tenant not found',
  OPERATION_NOT_FOUND: 'Operation not found',
  OPERATOR_NOT_FOUND: 'Operator not found',
  TOKEN_NOT_FOUND: 'API token not found',
  BACKUP_NOT_FOUND: 'Backup not found',
  TENANT_EXISTS: 'Tenant already exists',
  OPERATOR_EXISTS: 'Operator already exists',
  LAST_OWNER: 'The last owner must stay',
  INVALID_STATE: 'Not possible in the current state',
  BILLING_NOT_CONFIGURED: 'Billing provider not configured',
  BILLING_NO_CUSTOMER: 'Not a customer of the billing provider yet',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported content type',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused with another request',
  TOO_MANY_ATTEMPTS: 'Too many attempts',
  INTERNAL: 'Internal error',
  BILLING_PROVIDER_FAILED: 'The billing provider failed',
  NO_CAPACITY: 'No capacity',
  WEBHOOK_NOT_CONFIGURED: 'Webhook endpoint not configured',
  SERVICE_UNAVAILABLE: 'A service is not answering',
  DATABASE_UNAVAILABLE: 'The database is not available',
  RUNTIME_NOT_FOUND: 'Odoo runtime not found',
  RUNTIME_EXISTS: 'Odoo runtime already exists',
  NO_RUNTIME: 'No Odoo runtime serves this tenant',
  RUNTIME_REFUSED: 'The Odoo runtime refused',
  RUNTIME_UNREACHABLE: 'The Odoo runtime is not answering',
  BACKUP_UNUSABLE: 'The backup or Odoo zip cannot be restored',
  STORE_UNAVAILABLE: 'The backup store is not available',
  DOMAIN_INVALID: 'Not a host name',
  DOMAIN_TOO_LONG: 'Domain name too long',
  DOMAIN_LABEL_INVALID: 'A label of the domain name is not valid',
  DOMAIN_NOT_QUALIFIED: 'The domain name needs at least two labels',
  DOMAIN_IS_IP: 'An IP address is not a domain name',
  DOMAIN_RESERVED: "The domain is the platform's own",
  DOMAIN_NOT_FOUND: 'Domain not claimed by this tenant',
  DOMAIN_TAKEN: 'Domain verified by another tenant',
  TOO_MANY_DOMAINS: 'Too many custom domains',
  DOMAIN_VERIFICATION_FAILED: 'Domain verification failed',
  PLAN_NOT_FOUND: 'Plan not found',
  PLAN_INVALID: 'The plan is not valid',
  PLAN_MODULE_UNKNOWN: 'The plan names a module its Odoo version does not have',
  PLAN_LIMIT_BELOW_USAGE: "A limit is below a tenant's current usage",
  PLAN_IN_USE: 'Tenants are on this plan',
  TRIAL_END_IN_PAST: 'The trial end is not in the future',
  QUOTA_MODULE_NOT_ALLOWED: "The module is not allowed by the tenant's plan",
  QUOTA_EXCEEDED: 'The tenant is over a limit of its plan',
};

/** The title of a code's problem. */
export const titleOf = (code: ErrorCode): string => titles[code];

/** Makes the ApiError of a code, with the status the contracts give it. */
export function apiError(
  code: ErrorCode,
  message: string,
  field?: string,
  more: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): ApiError {
  return new ApiError(code, httpStatusOf(code), titles[code], message, field, more.extra, more.headers);
}

/** 403 naming the permission the caller lacks. */
export function forbidden(permission: string, message: string): ApiError {
  return apiError('FORBIDDEN', message, undefined, { extra: { permission } });
}
