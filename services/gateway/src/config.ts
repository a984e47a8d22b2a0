import { type ConfigOf, type ConfigSchema, commonConfig, loadConfig } from '@ocp/service-kit';

export const configSchema = {
  type: 'object',
  properties: {
    ...commonConfig,
    PUBLIC_URL: {
      type: 'string',
      format: 'uri',
      default: 'http://127.0.0.1:8080',
      description: 'Where operators reach the gateway.',
    },
    BOOTSTRAP_OWNER_EMAIL: { type: 'string', minLength: 3, maxLength: 254, default: 'owner@localhost' },
    BOOTSTRAP_OWNER_PASSWORD: {
      type: 'string',
      minLength: 12,
      maxLength: 200,
      secret: true,
      description: 'Password of the first owner; generated (and printed once) when unset.',
    },
    SESSION_TTL_HOURS: { type: 'integer', minimum: 1, maximum: 720, default: 12 },
    RPC_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 60000, default: 5000 },
    BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, maximum: 10485760, default: 65536 },
    ADMIN_APP_DIR: {
      type: 'string',
      minLength: 1,
      maxLength: 4096,
      description:
        'Where the built admin web app is (index.html and assets/); by default the build of the @ocp/admin-app package.',
    },
    ODOO_REQUEST_TIMEOUT_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 600000,
      default: 65000,
      description:
        "How long a request that waits on an Odoo runtime (registering a runtime, listing a tenant's modules) waits for the tenant service: longer than the tenant service's own calls to Odoo (ODOO_RPC_TIMEOUT_MS, twice for a registration), so that its answer, Odoo's refusal or RUNTIME_UNREACHABLE, arrives first.",
    },
    AUDIT_VERIFY_TIMEOUT_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 600000,
      default: 60000,
      description: 'How long POST /api/v1/audit/verify waits for the audit service to check the chain.',
    },
    DOMAIN_VERIFY_TIMEOUT_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 600000,
      default: 30000,
      description:
        'How long POST /api/v1/tenants/{tenant}/domains/{domain}/verify waits for the tenant service: longer than its DNS lookup (TENANT_DOMAIN_DNS_TIMEOUT_MS, two tries a server), so that its answer, the 422 saying what DNS answered, arrives first.',
    },
    LOGIN_MAX_FAILURES: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 5,
      description:
        'Failed logins of one account from one source address within the window that lock that account at that address (other addresses still log in).',
    },
    LOGIN_ACCOUNT_MAX_FAILURES: {
      type: 'integer',
      minimum: 1,
      maximum: 100000,
      default: 100,
      description:
        'Failed logins of one account from all addresses together within the window that lock it everywhere: the ceiling against guessing from many addresses. An owner lifts it with DELETE /api/v1/operators/{id}/login-lock.',
    },
    LOGIN_IP_MAX_FAILURES: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 20,
      description: 'Failed logins from one source address within the window that lock it.',
    },
    LOGIN_FAILURE_WINDOW_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 900 },
    LOGIN_LOCKOUT_SECONDS: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      default: 900,
      description: 'How long a locked account or address is refused (429 with Retry-After).',
    },
    TRUST_PROXY_HOPS: {
      type: 'integer',
      minimum: 0,
      maximum: 10,
      default: 0,
      description:
        'Proxies in front of the gateway whose X-Forwarded-For is trusted for the source address (login limits, audit).',
    },
    RATE_LIMIT_MAX: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 1200,
      description:
        'Requests to the API (and /docs) from one source address within RATE_LIMIT_WINDOW_MS; more are refused with 429 and Retry-After. Health, readiness and metrics are exempt.',
    },
    RATE_LIMIT_WINDOW_MS: { type: 'integer', minimum: 1000, maximum: 3600000, default: 60000 },
    WEBHOOK_RATE_LIMIT_MAX: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 600,
      description:
        'Provider webhooks from one source address within RATE_LIMIT_WINDOW_MS; more are refused with 429 (providers retry later).',
    },
    AUDIT_REFUSAL_WINDOW_SECONDS: {
      type: 'integer',
      minimum: 1,
      maximum: 3600,
      default: 60,
      description:
        "Refused anonymous requests of one source address: the first of a window is audited in full, the window's others in one summary entry when it closes.",
    },
    AUDIT_REFUSAL_SOURCES: {
      type: 'integer',
      minimum: 10,
      maximum: 1000000,
      default: 10000,
      description:
        'Source addresses whose refusals are counted at once; when full, every summary is written and counting starts afresh.',
    },
    OUTBOX_POLL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    STRIPE_WEBHOOK_SECRETS: {
      type: 'string',
      maxLength: 2000,
      secret: true,
      description:
        'Signing secrets of the Stripe webhook endpoint (whsec_...), comma-separated: during a rotation both the old and the new one. Unset: POST /webhooks/stripe answers 503.',
    },
    PADDLE_WEBHOOK_SECRETS: {
      type: 'string',
      maxLength: 2000,
      secret: true,
      description:
        'Secret keys of the Paddle notification destination (pdl_ntfset_...), comma-separated: during a rotation both. Unset: POST /webhooks/paddle answers 503.',
    },
    BACKUP_SERVICE_URL: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      default: 'http://127.0.0.1:8084',
      description:
        "The backup service's HTTP address as the gateway reaches it: backup downloads and Odoo zip imports stream through it, with a single-use ticket the backup service hands out over NATS.",
    },
    IMPORT_MAX_BYTES: {
      type: 'integer',
      minimum: 1048576,
      maximum: 1099511627776,
      default: 10737418240,
      description:
        'Largest Odoo zip POST /api/v1/tenants/import takes (10 GiB by default); a larger one is refused with 413. The body streams through to the backup service, never held here.',
    },
    EVENTS_HEARTBEAT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 300000,
      default: 15000,
      description:
        'How often an event stream (GET /api/v1/events) sends a comment line, so proxies keep an idle connection, and checks again that its session or token still holds.',
    },
    EVENTS_RETRY_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 3000,
      description: 'The reconnect delay an event stream gives the browser (its `retry:` field).',
    },
    EVENTS_MAX_STREAMS_PER_PRINCIPAL: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 8,
      description:
        'Event streams one account (one API token) may hold open at once on one gateway; another is refused with 429.',
    },
    EVENTS_MAX_BUFFER_BYTES: {
      type: 'integer',
      minimum: 16384,
      maximum: 67108864,
      default: 1048576,
      description:
        'Bytes an event stream may have written and not yet taken by its client; a client further behind is disconnected (it reconnects and resumes).',
    },
    EVENTS_REPLAY_MAX: {
      type: 'integer',
      minimum: 0,
      maximum: 1000000,
      default: 10000,
      description:
        'Events a reconnecting stream replays at most (after its Last-Event-ID); further behind, it gets a reset frame and the client fetches afresh.',
    },
    WEBHOOK_BODY_LIMIT_BYTES: {
      type: 'integer',
      minimum: 1024,
      // The body travels JSON-escaped inside one NATS message, whose default limit is 1 MiB.
      maximum: 524288,
      default: 262144,
      description: 'Largest provider webhook body accepted; a larger one is refused with 400.',
    },
  },
  required: ['DATABASE_URL'],
} as const satisfies ConfigSchema;

export type GatewayConfig = ConfigOf<typeof configSchema>;

/** The secrets of a comma-separated list, trimmed; empty entries dropped. */
export const secretList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** The gateway's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig<GatewayConfig>(configSchema, env);
}
