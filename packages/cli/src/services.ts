import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { StartConfig } from './config.ts';
import { StartError } from './errors.ts';
import { databaseUrl } from './postgres.ts';
import type { PostgresRoles } from './postgres-roles.ts';
import { readOrCreateSecret } from './secret-file.ts';
import type { ChildSpec } from './supervisor.ts';

/**
 * The services, in start order: the gateway last, so its first requests find the others on the bus
 * (the router, which only reads the tenant service, and the notifier before it).
 */
export const SERVICES = [
  'tenant',
  'audit',
  'billing',
  'backup',
  'quota',
  'router',
  'notifier',
  'gateway',
] as const;

/** The database of each service that has one, created on the server before the services start. */
export const SERVICE_DATABASES = {
  audit: 'ocp_audit',
  backup: 'ocp_backup',
  billing: 'ocp_billing',
  gateway: 'ocp_gateway',
  quota: 'ocp_quota',
  tenant: 'ocp_tenant',
} as const;

/** Where the platform's servers are, as the services need to know them. */
export interface Endpoints {
  natsUrl: string;
  /**
   * Each identity's NKEY seed file (`NATS_NKEY_SEED_FILE` of its service); without them the
   * services connect to NATS without credentials.
   */
  natsSeedFiles?: Record<string, string> | undefined;
  /** A superuser's URL of the server's `postgres` database. */
  postgresAdminUrl: string;
  /**
   * The services' own roles (`ensureRoles`): each service runs as its runtime role, migrates as
   * its owner role, and the tenant service administers tenant databases, and the backup service
   * dumps and restores them, as the tenant admin role. Without them every service connects as
   * the superuser of `postgresAdminUrl`.
   */
  postgresRoles?: PostgresRoles;
  /** The tenant service's key for the tenant database passwords it stores. */
  tenantSecretsKey: string;
  /** The audit service's Ed25519 key (base64 of its 32-byte seed) that signs its checkpoints. */
  auditCheckpointKey: string;
}

/**
 * The tenant service's `TENANT_SECRETS_KEY`, made once and kept in `<dataDir>/tenant-secrets-key`:
 * the tenant database passwords stored with one key cannot be read with another.
 */
export async function tenantSecretsKey(dataDir: string): Promise<string> {
  return await readOrCreateSecret(join(dataDir, 'tenant-secrets-key'), () =>
    randomBytes(32).toString('base64'),
  );
}

/**
 * The audit service's `AUDIT_CHECKPOINT_KEY`, made once and kept in `<dataDir>/audit-checkpoint-key`
 * (owner only), outside the audit database: a log cut back in its database no longer matches the
 * checkpoints signed with it. A new key could not vouch for the checkpoints of the old one.
 */
export async function auditCheckpointKey(dataDir: string): Promise<string> {
  return await readOrCreateSecret(join(dataDir, 'audit-checkpoint-key'), () =>
    randomBytes(32).toString('base64'),
  );
}

/** The gateway's public address: where users and the admin API are reached. */
export function publicUrl(config: StartConfig): string {
  return `http://127.0.0.1:${config.gatewayPort}`;
}

/**
 * Where the backup service keeps the backups and the key that encrypts them, unless the
 * environment chooses otherwise (`BACKUP_STORE=s3`, `BACKUP_KEYS=kms`, other paths): by default
 * the directory store `<dataDir>/backups` and the local keyring `<dataDir>/backup-key`, which the
 * service makes (0600) on its first start. Without the key no backup can be read, so it is kept
 * with the data like the other secrets.
 */
export function backupStorage(config: StartConfig): Record<string, string> {
  const chosen = (name: string, fallback: string) => config.childEnv[name] || fallback;
  return {
    BACKUP_STORE: chosen('BACKUP_STORE', 'dir'),
    BACKUP_STORE_DIR: chosen('BACKUP_STORE_DIR', join(config.dataDir, 'backups')),
    BACKUP_KEYS: chosen('BACKUP_KEYS', 'local'),
    BACKUP_LOCAL_KEY_FILE: chosen('BACKUP_LOCAL_KEY_FILE', join(config.dataDir, 'backup-key')),
  };
}

/**
 * What a service runs from: `built` is its compiled JavaScript (`pnpm build` writes
 * `services/<name>/dist/`), run by plain `node` with the `production` export condition so that the
 * workspace packages resolve to their `dist/` too; `source` is its TypeScript under tsx, as the
 * tests run it.
 */
export type ServiceBuild = 'built' | 'source';

function entryFile(name: string, from: ServiceBuild): string {
  return from === 'built' ? `services/${name}/dist/main.js` : `services/${name}/src/main.ts`;
}

function entry(name: string, from: ServiceBuild): string[] {
  return from === 'built'
    ? ['--conditions=production', entryFile(name, from)]
    : ['--import', 'tsx', entryFile(name, from)];
}

/** How to run each of `SERVICES`, in the same order; `./run start` runs them `built`. */
export function serviceSpecs(
  config: StartConfig,
  endpoints: Endpoints,
  from: ServiceBuild = 'built',
): ChildSpec[] {
  const common = {
    command: process.execPath,
    cwd: config.repoRoot,
  };
  const roles = endpoints.postgresRoles;
  const database = (service: keyof typeof SERVICE_DATABASES): Record<string, string> => {
    const own = roles?.services[service];
    return own
      ? { DATABASE_URL: own.url, DATABASE_MIGRATION_URL: own.migrationUrl }
      : { DATABASE_URL: databaseUrl(endpoints.postgresAdminUrl, SERVICE_DATABASES[service]) };
  };
  const env = (own: Record<string, string>) => ({
    ...config.childEnv,
    NATS_URL: endpoints.natsUrl,
    LOG_LEVEL: config.logLevel,
    ...own,
  });
  // The tenant admin: the backup service reads every tenant database (pg_dump, as a member of the
  // runtime roles) and creates databases owned by them (restores, drills), as the tenant service does.
  const tenantAdminUrl = roles?.tenantAdminUrl ?? databaseUrl(endpoints.postgresAdminUrl, 'postgres');
  const specs: ChildSpec[] = [
    {
      ...common,
      name: 'tenant',
      args: entry('tenant', from),
      env: env({
        ...database('tenant'),
        TENANT_DB_ADMIN_URL: tenantAdminUrl,
        TENANT_SECRETS_KEY: endpoints.tenantSecretsKey,
        // Tenants without a registered Odoo runtime keep their (empty) filestore directories here.
        TENANT_FILESTORE_DIR: join(config.dataDir, 'filestore'),
        HTTP_PORT: String(config.tenantPort),
      }),
    },
    {
      ...common,
      name: 'audit',
      args: entry('audit', from),
      env: env({
        ...database('audit'),
        AUDIT_CHECKPOINT_KEY: endpoints.auditCheckpointKey,
        HTTP_PORT: String(config.auditPort),
      }),
    },
    {
      ...common,
      name: 'billing',
      args: entry('billing', from),
      env: env({
        ...database('billing'),
        HTTP_PORT: String(config.billingPort),
      }),
    },
    {
      ...common,
      name: 'backup',
      args: entry('backup', from),
      env: env({
        ...database('backup'),
        BACKUP_DB_ADMIN_URL: tenantAdminUrl,
        ...backupStorage(config),
        HTTP_PORT: String(config.backupPort),
      }),
    },
    {
      ...common,
      name: 'quota',
      args: entry('quota', from),
      env: env({
        ...database('quota'),
        // Counts each tenant's users and reads its database size, as a member of the runtime roles.
        QUOTA_DB_ADMIN_URL: tenantAdminUrl,
        HTTP_PORT: String(config.quotaPort),
      }),
    },
    {
      ...common,
      name: 'router',
      args: entry('router', from),
      // No database. It renders the NGINX configuration for a deployment's NGINX to include;
      // `./run start` runs no NGINX, so there is nothing to reload.
      env: env({
        ROUTER_OUTPUT_DIR: join(config.dataDir, 'nginx'),
        ROUTER_GATEWAY_UPSTREAM: `127.0.0.1:${config.gatewayPort}`,
        HTTP_PORT: String(config.routerPort),
      }),
    },
    {
      ...common,
      name: 'notifier',
      args: entry('notifier', from),
      // No database. Without NOTIFY_SLACK_WEBHOOK_URL in the environment it reads and acks
      // failures and posts nothing; NOTIFY_ALERTMANAGER_TOKEN turns on POST /alertmanager.
      env: env({
        HTTP_PORT: String(config.notifierPort),
        NOTIFY_PUBLIC_URL: publicUrl(config),
      }),
    },
    {
      ...common,
      name: 'gateway',
      args: entry('gateway', from),
      env: env({
        ...database('gateway'),
        HTTP_PORT: String(config.gatewayPort),
        PUBLIC_URL: publicUrl(config),
        // Backup downloads and Odoo zip imports stream through the backup service's HTTP.
        BACKUP_SERVICE_URL: `http://127.0.0.1:${config.backupPort}`,
      }),
    },
  ];
  // Each service signs in to NATS as itself: the file is read by the service, never passed around.
  return specs.map((spec) => {
    const seedFile = endpoints.natsSeedFiles?.[spec.name];
    return seedFile ? { ...spec, env: { ...spec.env, NATS_NKEY_SEED_FILE: seedFile } } : spec;
  });
}

/** Fails with the path when a service's entry file is missing, rather than crash-looping it. */
export async function checkEntriesExist(
  repoRoot: string,
  names: readonly string[],
  from: ServiceBuild = 'built',
): Promise<void> {
  for (const name of names) {
    const file = join(repoRoot, entryFile(name, from));
    try {
      await access(file);
    } catch {
      throw new StartError(
        'CLI_SERVICE_MISSING',
        `${file} does not exist, so the ${name} service cannot start.` +
          (from === 'built' ? ' Build the services first: pnpm build (./run start does).' : ''),
      );
    }
  }
}
