// Generated from proto-schemas/ by `pnpm gen`. Do not edit.
import type { ErrorCode } from './types.ts';

/** Every error code with its HTTP status and meaning (proto-schemas/common/error-code.v1.json). */
export const errorCodes = {
  BAD_REQUEST: { status: 400, description: "The request cannot be read: the body is not JSON, or it is empty while a content type says JSON." },
  VALIDATION_FAILED: { status: 400, description: "A value is missing, unknown or outside its allowed shape; `field` names the first one, the detail all of them." },
  WEBHOOK_REJECTED: { status: 400, description: "A provider webhook was refused: its signature is missing, wrong or too old, or its body is not an event." },
  UNAUTHENTICATED: { status: 401, description: "No valid session or API token came with the request: log in, or send a current token." },
  FORBIDDEN: { status: 403, description: "The caller lacks the permission the route needs, or the tenant is not one of theirs; `permission` names it." },
  CSRF_FAILED: { status: 403, description: "A write with the session cookie came without the matching x-csrf-token header." },
  NOT_FOUND: { status: 404, description: "No route answers this method and path." },
  TENANT_NOT_FOUND: { status: 404, description: "No tenant has this id or slug (a deleted tenant is not found either)." },
  OPERATION_NOT_FOUND: { status: 404, description: "No operation has this id." },
  OPERATOR_NOT_FOUND: { status: 404, description: "No operator account has this id." },
  TOKEN_NOT_FOUND: { status: 404, description: "No API token with this id is among the caller's." },
  TENANT_EXISTS: { status: 409, description: "A tenant already has this slug; choose another." },
  OPERATOR_EXISTS: { status: 409, description: "An operator account already has this email or service account name." },
  LAST_OWNER: { status: 409, description: "The change would leave the platform without an enabled owner." },
  INVALID_STATE: { status: 409, description: "The thing is not in a state that allows this action (e.g. resuming a tenant that is not suspended)." },
  BILLING_NOT_CONFIGURED: { status: 409, description: "The billing provider asked for has no API key on this platform." },
  BILLING_NO_CUSTOMER: { status: 409, description: "The tenant is not yet a customer of the billing provider; create a checkout first." },
  PAYLOAD_TOO_LARGE: { status: 413, description: "The request body is larger than the limit of its route." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "The body's content type is not one the route reads (application/json for the admin API)." },
  IDEMPOTENCY_KEY_REUSED: { status: 422, description: "The Idempotency-Key was used before with a different request; use a new key." },
  TOO_MANY_ATTEMPTS: { status: 429, description: "Too many failed logins for this account or address; wait for Retry-After." },
  INTERNAL: { status: 500, description: "The request failed on our side; the request id finds it in the logs." },
  BILLING_PROVIDER_FAILED: { status: 502, description: "The billing provider refused the request or did not answer." },
  NO_CAPACITY: { status: 503, description: "No database server accepts new tenants; register one or raise a limit." },
  WEBHOOK_NOT_CONFIGURED: { status: 503, description: "The provider's webhook endpoint has no signing secret configured, so nothing from it is accepted." },
  SERVICE_UNAVAILABLE: { status: 503, description: "A service behind the gateway did not answer in time; try again after Retry-After." },
  DATABASE_UNAVAILABLE: { status: 503, description: "The database is restarting, recovering or out of connections for a moment; try again after Retry-After." },
} as const satisfies Record<ErrorCode, { status: number; description: string }>;
