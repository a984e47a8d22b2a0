import { type ConfigOf, type ConfigSchema, commonConfig, loadConfig } from '@ocp/service-kit';
import { loadCheckpointKeys } from './domain/checkpoint.ts';

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
    AUDIT_CHECKPOINT_KEY: {
      type: 'string',
      secret: true,
      description:
        'Ed25519 key that signs checkpoints of the chain head into the AUDIT_CHECKPOINTS stream: base64 of a 32-byte seed, or a PKCS#8 PEM private key. Keep it out of the audit database (a deployment secret). Unset: the log is not anchored, and verify says so.',
    },
    AUDIT_CHECKPOINT_TRUSTED_KEYS: {
      type: 'string',
      description:
        'Earlier checkpoint public keys still trusted after a key change (comma-separated base64 of 32 bytes; the service logs its own as publicKey at start).',
    },
    AUDIT_CHECKPOINT_INTERVAL_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 86400000,
      default: 60000,
      description:
        'A checkpoint at most this often, only when the head moved (and one more at a clean stop): entries removed from the end of the log since the last one go unnoticed.',
    },
  },
  required: ['DATABASE_URL'],
} as const satisfies ConfigSchema;

export type AuditConfig = ConfigOf<typeof configSchema>;

/** Checks across fields. */
export function checkConfig(c: AuditConfig): string[] {
  const problems: string[] = [];
  if (c.APPEND_BATCH_WAIT_MS * 10 > c.ACK_WAIT_MS)
    problems.push(
      'ACK_WAIT_MS must be at least 10 times APPEND_BATCH_WAIT_MS, or events waiting for their batch to fill would be delivered again meanwhile',
    );
  if (c.AUDIT_CHECKPOINT_KEY !== undefined) {
    try {
      loadCheckpointKeys(c.AUDIT_CHECKPOINT_KEY, c.AUDIT_CHECKPOINT_TRUSTED_KEYS);
    } catch (e) {
      problems.push((e as Error).message);
    }
  } else if (c.AUDIT_CHECKPOINT_TRUSTED_KEYS !== undefined) {
    problems.push(
      'AUDIT_CHECKPOINT_TRUSTED_KEYS is set without AUDIT_CHECKPOINT_KEY: checkpoints are neither signed nor checked without a key',
    );
  }
  return problems;
}

/** The audit service's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): AuditConfig {
  return loadConfig<AuditConfig>(configSchema, env, checkConfig);
}
