import { type ConfigOf, type ConfigSchema, commonConfig, loadConfig } from '@ocp/service-kit';

export const configSchema = {
  type: 'object',
  properties: {
    ...commonConfig,
    HTTP_PORT: { ...commonConfig.HTTP_PORT, default: 8085 },
    QUOTA_DB_ADMIN_URL: {
      type: 'string',
      minLength: 1,
      secret: true,
      description:
        'Connection to the tenant database servers as a role that may connect to every tenant database (a member of the runtime roles): users are counted and database sizes read as it.',
    },
    QUOTA_SCAN_INTERVAL_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 7 * 24 * 3600 * 1000,
      default: 3600000,
      description: 'Each tenant is measured once per interval, the tenants spread over it.',
    },
    QUOTA_MAX_CONNECTIONS_PER_SERVER: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 4,
      description: 'Connections the scan opens at once to one database server.',
    },
    QUOTA_WARNING_PERCENT: {
      type: 'integer',
      minimum: 1,
      maximum: 99,
      default: 80,
      description: 'The share of a limit at which quota.warning goes out.',
    },
    QUOTA_TRIAL_NOTICE_DAYS: {
      type: 'string',
      pattern: '^$|^[0-9]{1,4}(,[0-9]{1,4})*$',
      default: '7,3,1',
      description: 'Days before a trial ends at which quota.trial_ending goes out, comma separated.',
    },
    QUOTA_METERING_INTERVAL_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 31 * 24 * 3600 * 1000,
      default: 3600000,
      description: "How often metered plans' usage due for a period is looked for and reported.",
    },
    QUOTA_TENANT_RPC_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 30000,
      description:
        "How long a question to the tenant service (a tenant's location, an Odoo version's modules) may take.",
    },
    STRIPE_API_KEY: {
      type: 'string',
      minLength: 1,
      secret: true,
      description: 'Enables metered usage reports to Stripe (meter events).',
    },
    STRIPE_API_BASE: {
      type: 'string',
      format: 'uri',
      description: "Stripe's API address; unset: https://api.stripe.com (tests point it at a local double).",
    },
    PADDLE_API_KEY: {
      type: 'string',
      minLength: 1,
      secret: true,
      description: 'Enables metered usage reports to Paddle.',
    },
    PADDLE_API_BASE: {
      type: 'string',
      format: 'uri',
      description: "Paddle's API address; unset: https://api.paddle.com.",
    },
    OUTBOX_POLL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    ACK_WAIT_MS: { type: 'integer', minimum: 1000, maximum: 3600000, default: 30000 },
    DB_POOL_MAX: { type: 'integer', minimum: 2, maximum: 100, default: 10 },
  },
  required: ['DATABASE_URL', 'QUOTA_DB_ADMIN_URL'],
} as const satisfies ConfigSchema;

export type QuotaConfig = ConfigOf<typeof configSchema>;

/** `QUOTA_TRIAL_NOTICE_DAYS` as numbers, largest first. */
export function trialNoticeDays(c: Pick<QuotaConfig, 'QUOTA_TRIAL_NOTICE_DAYS'>): number[] {
  if (c.QUOTA_TRIAL_NOTICE_DAYS === '') return [];
  return [...new Set(c.QUOTA_TRIAL_NOTICE_DAYS.split(',').map((d) => Number.parseInt(d, 10)))].sort(
    (a, b) => b - a,
  );
}

/** The quota service's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): QuotaConfig {
  return loadConfig<QuotaConfig>(configSchema, env);
}
