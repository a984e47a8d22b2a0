import { type CommonConfig, type ConfigSchema, commonConfig, loadConfig } from '@ocp/service-kit';

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
  },
  required: ['DATABASE_URL'],
} as const satisfies ConfigSchema;

export interface GatewayConfig extends CommonConfig {
  PUBLIC_URL: string;
  BOOTSTRAP_OWNER_EMAIL: string;
  BOOTSTRAP_OWNER_PASSWORD?: string;
  SESSION_TTL_HOURS: number;
  RPC_TIMEOUT_MS: number;
  BODY_LIMIT_BYTES: number;
}

/** The gateway's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined>): GatewayConfig {
  return loadConfig<GatewayConfig>(configSchema, env);
}
