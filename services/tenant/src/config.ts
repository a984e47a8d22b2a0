import { type ConfigOf, type ConfigSchema, commonConfig, loadConfig } from '@ocp/service-kit';
import { parseDnsServers } from './domain/dns-challenge.ts';
import { parseKeyring } from './domain/secrets.ts';

export const configSchema = {
  type: 'object',
  properties: {
    ...commonConfig,
    HTTP_PORT: { ...commonConfig.HTTP_PORT, default: 8081 },
    TENANT_DB_ADMIN_URL: {
      type: 'string',
      minLength: 1,
      secret: true,
      description: 'Admin connection (CREATEDB and CREATEROLE) of the default tenant database server.',
    },
    TENANT_TEMPLATE_DB: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      default: 'ocp_template_odoo',
      description: 'Database every tenant is cloned from. Made with Odoo core table shapes when missing.',
    },
    TENANT_DB_PREFIX: {
      type: 'string',
      pattern: '^[a-z][a-z0-9_]{0,15}$',
      default: 't_',
      description: 'Prefix of tenant database and role names.',
    },
    TENANT_SECRETS_KEY: {
      type: 'string',
      pattern: '^[A-Za-z0-9+/=_-]{43,44}$',
      secret: true,
      description:
        'A 32-byte key (base64) that seals secrets at rest; in the keyring as key id `default`, after TENANT_SECRETS_KEYS.',
    },
    TENANT_SECRETS_KEYS: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{43,44}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{43,44})*$',
      secret: true,
      description:
        'Keys that seal secrets at rest, `id:base64key` pairs, newest first: the first seals, each opens what it sealed. To rotate, add a new key in front; drop an old one after a restart has sealed everything again.',
    },
    TENANT_DEFAULT_RUNTIME_ROLE: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      default: 'odoo',
      description:
        'The role that owns tenants placed on no registered runtime, and the built-in template: an Odoo later pointed at the server with this role serves them. Created NOLOGIN when missing.',
    },
    TENANT_BASE_URL: {
      type: 'string',
      minLength: 8,
      maxLength: 300,
      pattern: '^https?://[^\\s]*\\{slug\\}[^\\s]*$',
      default: 'http://{slug}.localhost:8069',
      description:
        "A tenant's address (its web.base.url in Odoo): `{slug}` is replaced by the tenant's slug.",
    },
    TENANT_FILESTORE_DIR: {
      type: 'string',
      pattern: '^/',
      maxLength: 500,
      description:
        'Absolute path of the filestore root of tenants on no registered runtime (`<dir>/<database>`); when unset they get no filestore directory.',
    },
    ODOO_RPC_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 30000,
      description: 'Time limit of one call to an Odoo runtime (checks, logins, module listings).',
    },
    ODOO_CREATE_TIMEOUT_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 120000,
      description:
        "Time limit of `db.create_database` on a runtime (a runtime's template); real Odoo takes 7 to 17 s.",
    },
    TENANT_ADMIN_PASSWORD_POOL: {
      type: 'integer',
      minimum: 0,
      maximum: 64,
      default: 4,
      description:
        'Generated administrator passwords kept hashed ahead, in memory, so that a tenant created without a password does not wait for its hash (600,000 rounds of PBKDF2); 0 hashes each at provisioning.',
    },
    TEMPLATE_LEASE_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 30000,
      description:
        "How long a replica holds a runtime whose template it prepares without renewing: a dead replica's work is taken up this long after.",
    },
    WORKER_CONCURRENCY: { type: 'integer', minimum: 1, maximum: 64, default: 10 },
    WORK_ACK_WAIT_MS: { type: 'integer', minimum: 1000, maximum: 3600000, default: 30000 },
    WORK_MAX_ATTEMPTS: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    OPERATION_LEASE_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 600000,
      default: 10000,
      description:
        'How long a worker holds an operation without a heartbeat: an operation of a worker that died is resumed this long after its last heartbeat.',
    },
    OPERATION_POLL_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 5000,
      description:
        'Workers look for runnable operations this often besides the notifications that wake them.',
    },
    TENANT_DELETE_FINAL_BACKUP: {
      type: 'boolean',
      default: true,
      description:
        'A deletion first has the backup service take a final backup of the tenant (and fails, keeping the tenant, when it cannot); false: none (only where no backup service runs).',
    },
    TENANT_DELETE_GRACE_SECONDS: {
      type: 'integer',
      minimum: 0,
      maximum: 90 * 24 * 3600,
      default: 7 * 24 * 3600,
      description:
        'How long a deleted tenant keeps its database and files (shut) before they go for good; until then the deletion can be undone. 0: at once.',
    },
    RECONCILE_INTERVAL_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 86400000,
      default: 60000,
      description:
        'How often tenants whose database disagrees with their row (connections allowed or not) are repaired; also at start.',
    },
    OUTBOX_POLL_MS: { type: 'integer', minimum: 50, maximum: 60000, default: 1000 },
    TENANT_DOMAIN_DNS_SERVERS: {
      type: 'string',
      maxLength: 1000,
      description:
        "The DNS servers custom domains' TXT challenges are looked up at: comma-separated `ip[:port]` (an IPv6 address with a port in brackets). Left out: the system's resolvers.",
    },
    TENANT_DOMAIN_DNS_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 60000,
      default: 3000,
      description:
        "How long one try of a custom domain's TXT lookup waits for a server's answer (two tries a server); keep the gateway's DOMAIN_VERIFY_TIMEOUT_MS above the total.",
    },
  },
  // TENANT_SECRETS_KEYS or TENANT_SECRETS_KEY: checkConfig asks for one of them.
  required: ['DATABASE_URL', 'TENANT_DB_ADMIN_URL'],
} as const satisfies ConfigSchema;

export type TenantConfig = ConfigOf<typeof configSchema>;

/** The tenant service's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): TenantConfig {
  return loadConfig<TenantConfig>(configSchema, env, checkConfig);
}

/** Checks across fields. */
export function checkConfig(c: TenantConfig): string[] {
  const problems: string[] = [];
  problems.push(...parseKeyring({ keys: c.TENANT_SECRETS_KEYS, key: c.TENANT_SECRETS_KEY }).problems);
  if (c.TENANT_DB_PREFIX.length + 32 > 63)
    problems.push('TENANT_DB_PREFIX leaves no room for a slug in 63 characters');
  if (c.TENANT_DB_PREFIX.startsWith('ocp_'))
    problems.push("TENANT_DB_PREFIX must not start with ocp_, which names the platform's own databases");
  problems.push(...parseDnsServers(c.TENANT_DOMAIN_DNS_SERVERS).problems);
  return problems;
}
