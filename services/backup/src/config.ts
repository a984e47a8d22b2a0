import {
  type ConfigOf,
  type ConfigSchema,
  commonConfig,
  loadConfig,
  parseServerUrls,
} from '@ocp/service-kit';
import { parseRetention } from './domain/retention.ts';

export const configSchema = {
  type: 'object',
  properties: {
    ...commonConfig,
    HTTP_PORT: { ...commonConfig.HTTP_PORT, default: 8084 },
    BACKUP_DB_ADMIN_URL: {
      type: 'string',
      minLength: 1,
      secret: true,
      description:
        'Connection to the tenant database servers as a role that reads every tenant database (a member of the runtime roles) and may create databases owned by them (CREATEDB): pg_dump and pg_restore run as it. Used for every server not named in BACKUP_DB_SERVERS.',
    },
    BACKUP_DB_SERVERS: {
      type: 'string',
      default: '{}',
      secret: true,
      description:
        "JSON object from a database server's name (as registered with the tenant service) or id to its admin URL, for servers other than the default.",
    },
    PG_BIN_DIR: {
      type: 'string',
      description:
        "Directory of pg_dump, pg_restore and psql; by default the newest of /usr/lib/postgresql/<major>/bin, then PATH. They must be of the servers' major version or newer.",
    },
    BACKUP_STORE: {
      type: 'string',
      enum: ['dir', 's3'],
      default: 'dir',
      description: 'Where backups go: a local directory (BACKUP_STORE_DIR) or an S3-compatible bucket.',
    },
    BACKUP_STORE_DIR: { type: 'string', description: 'The directory of the dir store (absolute).' },
    BACKUP_S3_BUCKET: { type: 'string', minLength: 3, maxLength: 63 },
    BACKUP_S3_REGION: { type: 'string', default: 'us-east-1' },
    BACKUP_S3_ENDPOINT: {
      type: 'string',
      description: 'An S3-compatible endpoint (MinIO, Ceph, R2, ...); unset: AWS.',
    },
    BACKUP_S3_FORCE_PATH_STYLE: { type: 'boolean', default: false },
    BACKUP_S3_ACCESS_KEY_ID: { type: 'string', secret: true },
    BACKUP_S3_SECRET_ACCESS_KEY: { type: 'string', secret: true },
    BACKUP_S3_SSE_KMS_KEY_ID: {
      type: 'string',
      description:
        'Asks S3 to encrypt the objects at rest with this KMS key too (SSE-KMS), on top of our own encryption.',
    },
    BACKUP_S3_PART_MB: {
      type: 'integer',
      minimum: 5,
      maximum: 512,
      default: 8,
      description:
        'Multipart part size. Parts in flight are held in memory: 8 MiB, 2 at once keeps a backup worker under 200 MB.',
    },
    BACKUP_S3_QUEUE: { type: 'integer', minimum: 1, maximum: 16, default: 2 },
    BACKUP_KEYS: {
      type: 'string',
      enum: ['local', 'kms'],
      default: 'local',
      description:
        'Where data keys come from: a local keyring file (BACKUP_LOCAL_KEY_FILE) or AWS KMS (BACKUP_KMS_KEY_ID).',
    },
    BACKUP_LOCAL_KEY_FILE: {
      type: 'string',
      description:
        'The local keyring: 32 random bytes, made (mode 0600) on first start. Keep it with the data: without it no backup can be read.',
    },
    BACKUP_KMS_KEY_ID: {
      type: 'string',
      description: "The KMS key (ARN) that wraps each backup's data key.",
    },
    BACKUP_KMS_REGION: { type: 'string', default: 'us-east-1' },
    BACKUP_KMS_ENDPOINT: {
      type: 'string',
      description: "A KMS endpoint other than AWS's (tests, VPC endpoints).",
    },
    BACKUP_KMS_ACCESS_KEY_ID: { type: 'string', secret: true },
    BACKUP_KMS_SECRET_ACCESS_KEY: { type: 'string', secret: true },
    BACKUP_RETENTION: {
      type: 'string',
      default: '{"default":{"daily":7,"weekly":4,"monthly":6}}',
      description:
        'JSON object from a plan to the generations kept: {"<plan>": {"daily": n, "weekly": n, "monthly": n}}; "default" for plans not named.',
    },
    BACKUP_FINAL_KEEP_DAYS: {
      type: 'integer',
      minimum: 1,
      maximum: 3650,
      default: 90,
      description: 'How long the final backup of a deleted tenant is kept after the tenant is gone.',
    },
    BACKUP_SCHEDULE_INTERVAL_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 3600000,
      default: 60000,
      description: 'How often tenants due for their scheduled backup are looked for.',
    },
    BACKUP_SCHEDULE_BATCH: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 50,
      description: 'At most this many scheduled backups are queued per look: a fleet never starts at once.',
    },
    BACKUP_OVERDUE_GRACE_MINUTES: {
      type: 'integer',
      minimum: 0,
      maximum: 10080,
      default: 120,
      description:
        "A tenant's backups are overdue (backup.overdue.v1) once its last successful one is older than a day and this: room for windows, queues and the backup's own time.",
    },
    BACKUP_DRILL_INTERVAL_DAYS: {
      type: 'integer',
      minimum: 0,
      maximum: 365,
      default: 7,
      description:
        "Each tenant's newest backup is drilled when its last drill is older than this; 0: no scheduled drills.",
    },
    BACKUP_WORKERS: {
      type: 'integer',
      minimum: 1,
      maximum: 32,
      default: 2,
      description: 'Backups, restores, drills and imports this replica runs at once.',
    },
    OPERATION_LEASE_MS: { type: 'integer', minimum: 1000, maximum: 600000, default: 15000 },
    OPERATION_POLL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 2000 },
    WORK_MAX_ATTEMPTS: { type: 'integer', minimum: 1, maximum: 20, default: 3 },
    WORK_ACK_WAIT_MS: { type: 'integer', minimum: 1000, maximum: 600000, default: 30000 },
    STORE_MAX_ATTEMPTS: {
      type: 'integer',
      minimum: 1,
      maximum: 10,
      default: 3,
      description: 'Attempts of each call to the object store before a backup fails with its error.',
    },
    TRANSFER_TICKET_TTL_MS: { type: 'integer', minimum: 1000, maximum: 600000, default: 60000 },
    TENANT_RPC_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 120000, default: 30000 },
    OUTBOX_POLL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    DB_POOL_MAX: { type: 'integer', minimum: 2, maximum: 100, default: 10 },
  },
  required: ['DATABASE_URL', 'BACKUP_DB_ADMIN_URL'],
} as const satisfies ConfigSchema;

export type BackupConfig = ConfigOf<typeof configSchema>;

/** The admin URLs of the database servers by id; `undefined` key: the default. */
export function parseServers(raw: string): { map: ReadonlyMap<string, string>; problems: string[] } {
  return parseServerUrls('BACKUP_DB_SERVERS', raw, { key: 'server id' });
}

/** Cross-field checks: each problem says what would go wrong. */
export function checkConfig(c: BackupConfig): string[] {
  const problems = checkStoreConfig(c);
  if (c.BACKUP_KEYS === 'local' && !c.BACKUP_LOCAL_KEY_FILE?.startsWith('/'))
    problems.push(
      'BACKUP_KEYS=local needs BACKUP_LOCAL_KEY_FILE, an absolute path: backups could not be encrypted',
    );
  if (c.BACKUP_KEYS === 'kms' && !c.BACKUP_KMS_KEY_ID)
    problems.push('BACKUP_KEYS=kms needs BACKUP_KMS_KEY_ID: backups could not be encrypted');
  problems.push(...parseServers(c.BACKUP_DB_SERVERS).problems);
  return problems;
}

/** Reads and checks the config from the environment once, at start. */
export function parseConfig(env: Record<string, string | undefined> = process.env): BackupConfig {
  return loadConfig<BackupConfig>(configSchema, env, checkConfig);
}

/**
 * The variables of the object store and of retention, and nothing else: what a command that only
 * talks to the bucket (setup-bucket) needs, so it runs without the service's databases.
 */
const STORE_VARIABLES = [
  'BACKUP_STORE',
  'BACKUP_STORE_DIR',
  'BACKUP_S3_BUCKET',
  'BACKUP_S3_REGION',
  'BACKUP_S3_ENDPOINT',
  'BACKUP_S3_FORCE_PATH_STYLE',
  'BACKUP_S3_ACCESS_KEY_ID',
  'BACKUP_S3_SECRET_ACCESS_KEY',
  'BACKUP_S3_SSE_KMS_KEY_ID',
  'BACKUP_S3_PART_MB',
  'BACKUP_S3_QUEUE',
  'BACKUP_RETENTION',
  'BACKUP_FINAL_KEEP_DAYS',
  'STORE_MAX_ATTEMPTS',
] as const;

type StoreVariable = (typeof STORE_VARIABLES)[number];

/** The part of `configSchema` that names the store and retention (same definitions, no copy). */
export const storeConfigSchema = {
  type: 'object',
  properties: Object.fromEntries(STORE_VARIABLES.map((k) => [k, configSchema.properties[k]])) as Pick<
    typeof configSchema.properties,
    StoreVariable
  >,
} as const satisfies ConfigSchema;

export type StoreConfig = ConfigOf<typeof storeConfigSchema>;

/** Cross-field checks of the store and retention variables. */
export function checkStoreConfig(c: StoreConfig): string[] {
  const problems: string[] = [];
  if (c.BACKUP_STORE === 'dir' && !c.BACKUP_STORE_DIR?.startsWith('/'))
    problems.push(
      'BACKUP_STORE=dir needs BACKUP_STORE_DIR, an absolute path: backups would have nowhere to go',
    );
  if (c.BACKUP_STORE === 's3' && !c.BACKUP_S3_BUCKET)
    problems.push('BACKUP_STORE=s3 needs BACKUP_S3_BUCKET: backups would have nowhere to go');
  problems.push(...parseRetention(c.BACKUP_RETENTION).problems);
  return problems;
}

/** Reads and checks only the store and retention variables from the environment. */
export function parseStoreConfig(env: Record<string, string | undefined> = process.env): StoreConfig {
  return loadConfig<StoreConfig>(storeConfigSchema, env, checkStoreConfig);
}
