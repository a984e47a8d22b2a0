import { type ConfigOf, type ConfigSchema, commonConfig, loadConfig } from '@ocp/service-kit';

export const configSchema = {
  type: 'object',
  properties: {
    ...commonConfig,
    HTTP_PORT: { ...commonConfig.HTTP_PORT, default: 8083 },
    BILLING_PLAN_MAP: {
      type: 'string',
      default: '{}',
      description:
        'JSON object from a provider price or product id to a platform plan, e.g. {"price_123":"pro","pri_01h...":"pro"}.',
    },
    BILLING_PAST_DUE_GRACE_SECONDS: {
      type: 'integer',
      minimum: 0,
      maximum: 90 * 24 * 3600,
      default: 3 * 24 * 3600,
      description: 'How long a past_due subscription keeps access before it is revoked.',
    },
    BILLING_SWEEP_INTERVAL_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 3600000,
      default: 5000,
      description: 'How often past_due subscriptions whose grace has run out are looked for.',
    },
    STRIPE_API_KEY: {
      type: 'string',
      minLength: 1,
      secret: true,
      description: 'Enables Stripe checkout and portal links.',
    },
    PADDLE_API_KEY: {
      type: 'string',
      minLength: 1,
      secret: true,
      description: 'Enables Paddle checkout and portal links.',
    },
    PADDLE_ENVIRONMENT: { type: 'string', enum: ['sandbox', 'production'], default: 'production' },
    OUTBOX_POLL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    ACK_WAIT_MS: { type: 'integer', minimum: 1000, maximum: 3600000, default: 30000 },
    DB_POOL_MAX: { type: 'integer', minimum: 2, maximum: 100, default: 10 },
  },
  required: ['DATABASE_URL'],
} as const satisfies ConfigSchema;

export type BillingConfig = ConfigOf<typeof configSchema>;

const PLAN = /^[a-z][a-z0-9-]{0,31}$/;

/** `BILLING_PLAN_MAP` as a map, or the problems that make it unusable. */
export function parsePlanMap(raw: string): { map: ReadonlyMap<string, string>; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {
      map: new Map(),
      problems: ['BILLING_PLAN_MAP is not JSON; give an object such as {"price_123":"pro"}'],
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      map: new Map(),
      problems: ['BILLING_PLAN_MAP must be a JSON object such as {"price_123":"pro"}'],
    };
  }
  const problems: string[] = [];
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' || !PLAN.test(v)) {
      problems.push(
        `BILLING_PLAN_MAP maps ${k} to ${JSON.stringify(v)}, which is not a plan name (lowercase, e.g. "pro")`,
      );
    } else map.set(k, v);
  }
  return { map, problems };
}

/** The billing service's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): BillingConfig {
  return loadConfig<BillingConfig>(configSchema, env, checkConfig);
}

/** Checks across fields. */
export function checkConfig(c: BillingConfig): string[] {
  return parsePlanMap(c.BILLING_PLAN_MAP).problems;
}
