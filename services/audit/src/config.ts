import { type ConfigOf, type ConfigSchema, commonConfig, loadConfig } from '@ocp/service-kit';

export const configSchema = {
  type: 'object',
  properties: {
    ...commonConfig,
    HTTP_PORT: { ...commonConfig.HTTP_PORT, default: 8082 },
    APPEND_BATCH_SIZE: {
      type: 'integer',
      minimum: 1,
      maximum: 5000,
      default: 500,
      description: 'Most events appended in one transaction.',
    },
    APPEND_BATCH_WAIT_MS: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 50,
      description: 'How long a batch waits to fill once its first event is in.',
    },
    ACK_WAIT_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 30000,
      description:
        'An event delivered to a replica that stopped before appending it is delivered again after this long.',
    },
    VERIFY_CHUNK_SIZE: {
      type: 'integer',
      minimum: 100,
      maximum: 100000,
      default: 5000,
      description: 'Entries read at a time by verify; its memory does not grow with the range.',
    },
    DB_POOL_MAX: { type: 'integer', minimum: 2, maximum: 100, default: 10 },
  },
  required: ['DATABASE_URL'],
} as const satisfies ConfigSchema;

export type AuditConfig = ConfigOf<typeof configSchema>;

/** Checks across fields. */
export function checkConfig(c: AuditConfig): string[] {
  return c.APPEND_BATCH_WAIT_MS * 10 > c.ACK_WAIT_MS
    ? [
        'ACK_WAIT_MS must be at least 10 times APPEND_BATCH_WAIT_MS, or events waiting for their batch to fill would be delivered again meanwhile',
      ]
    : [];
}

/** The audit service's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): AuditConfig {
  return loadConfig<AuditConfig>(configSchema, env, checkConfig);
}
