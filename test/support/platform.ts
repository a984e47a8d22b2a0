import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConnectionOptions, type NatsConnection, nkeyAuthenticator } from '@nats-io/nats-core';
import { createUser } from '@nats-io/nkeys';
import { connect } from '@nats-io/transport-node';
import { type AuditService, startAuditService } from '@ocp/audit';
import { parseConfig as auditConfig } from '@ocp/audit/config';
import { type BackupService, startBackupService } from '@ocp/backup';
import { parseConfig as backupConfig } from '@ocp/backup/config';
import { type BillingService, startBillingService } from '@ocp/billing';
import { parseConfig as billingConfig } from '@ocp/billing/config';
import { type Bus, createBus, identities, inboxPrefixOf, natsAuthorization } from '@ocp/bus';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { type NotifierService, startNotifierService } from '@ocp/notifier';
import { parseConfig as notifierConfig } from '@ocp/notifier/config';
import { type QuotaService, startQuotaService } from '@ocp/quota';
import { parseConfig as quotaConfig } from '@ocp/quota/config';
import { type RouterService, startRouterService } from '@ocp/router';
import { parseConfig as routerConfig } from '@ocp/router/config';
import { createLogger, type Logger } from '@ocp/service-kit';
import { startTenantService, type TenantService } from '@ocp/tenant';
import { parseConfig as tenantConfig } from '@ocp/tenant/config';
import {
  adminQuery,
  adminUrl,
  createServiceDatabase,
  createTenantAdminRole,
  dropByPrefix,
  startNats,
  type TestNats,
  uniqueName,
} from '@ocp/testkit';

/** Who a test connects to NATS as: a service, the read-only observer or the admin. */
export type NatsIdentity =
  | 'tenant'
  | 'audit'
  | 'billing'
  | 'backup'
  | 'gateway'
  | 'notifier'
  | 'quota'
  | 'router'
  | 'observer'
  | 'admin';

/** What a test needs to run the platform on its own names: NATS, databases, a tenant prefix. */
export interface PlatformEnv {
  nats: TestNats;
  /** The NKEY seed of each identity, when the NATS server requires credentials (the default). */
  natsSeeds: Partial<Record<NatsIdentity, string>>;
  /**
   * The connection options of `as`: the server, its NKEY and its own inbox prefix (the only inbox
   * its permissions let it read). Without credentials on the server, only the server.
   */
  natsAs(as: NatsIdentity): ConnectionOptions;
  /** A NATS connection as `as` (an independent subscriber is the observer; a test that injects or inspects, the admin). */
  connectNats(as: NatsIdentity, extra?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  /**
   * A bus of its own as `as` (the gateway to call methods as the platform does, the admin to inject
   * events), closed with the platform.
   */
  busAs(as: NatsIdentity): Promise<Bus>;
  prefix: string;
  /**
   * The superuser's URL of each service's database, for a test that inspects or tampers: the
   * services run as runtime roles that own nothing (`DATABASE_URL`) and migrate as owner roles
   * (`DATABASE_MIGRATION_URL`), each of this test's own.
   */
  databases: Record<'tenant' | 'gateway' | 'audit' | 'billing' | 'quota', string> & { backup?: string };
  tenantEnv: Record<string, string>;
  /** Set when the platform runs the backup service (`backup: true`). */
  backupEnv: Record<string, string> | undefined;
  gatewayEnv: Record<string, string>;
  auditEnv: Record<string, string>;
  billingEnv: Record<string, string>;
  quotaEnv: Record<string, string>;
  /** The notifier's settings (no webhook URL: a test gives its own with `startNotifier`). */
  notifierEnv: Record<string, string>;
  ownerPassword: string;
  /** Removes what the test made: services' databases, tenant databases and roles, NATS. */
  dispose(): Promise<void>;
}

/** Makes the names and settings of one test's platform (nothing runs yet). */
export async function preparePlatform(
  opts: {
    serverUrl?: string;
    tenantEnv?: Record<string, string>;
    auditEnv?: Record<string, string>;
    billingEnv?: Record<string, string>;
    quotaEnv?: Record<string, string>;
    gatewayEnv?: Record<string, string>;
    /**
     * Runs the backup service too (a database of its own, a local key file; a directory store
     * unless `backupEnv` names another).
     */
    backup?: boolean;
    backupEnv?: Record<string, string>;
    /**
     * Runs NATS with the catalog's users and permissions, each service signing in with its own
     * NKEY (default true): every end-to-end test then proves the permissions are enough.
     */
    natsAuth?: boolean;
  } = {},
): Promise<PlatformEnv> {
  const server = opts.serverUrl ?? adminUrl();
  const natsSeeds: Partial<Record<NatsIdentity, string>> = {};
  const users: Array<{ identity: string; nkey: string }> = [];
  if (opts.natsAuth ?? true) {
    for (const identity of identities()) {
      const kp = createUser();
      natsSeeds[identity as NatsIdentity] = new TextDecoder().decode(kp.getSeed());
      users.push({ identity, nkey: kp.getPublicKey() });
    }
  }
  const nats = await startNats(users.length > 0 ? { authorization: natsAuthorization(users) } : {});
  const natsAs = (as: NatsIdentity): ConnectionOptions => {
    const seed = natsSeeds[as];
    return {
      servers: nats.url,
      ...(seed
        ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)), inboxPrefix: inboxPrefixOf(as) }
        : {}),
    };
  };
  const buses: Array<{ bus: Bus; nc: NatsConnection }> = [];
  const seedEnv = (as: NatsIdentity): Record<string, string> => {
    const seed = natsSeeds[as];
    return seed ? { NATS_NKEY_SEED: seed } : {};
  };
  // A preparation that fails halfway undoes what it made (a running nats-server would keep the
  // test process alive), so the test fails instead of hanging.
  const undo: Array<() => Promise<unknown>> = [() => nats.dispose()];
  const made = async <T>(making: Promise<T>, unmake: (made: T) => Promise<unknown>): Promise<T> => {
    const value = await making;
    undo.unshift(() => unmake(value));
    return value;
  };
  const prefix = `${uniqueName('t')}_`;
  async function prepareResources() {
    const dbs = {
      tenant: await made(createServiceDatabase('ocp_test_tenant_', server), (d) => d.drop()),
      gateway: await made(createServiceDatabase('ocp_test_gw_', server), (d) => d.drop()),
      audit: await made(createServiceDatabase('ocp_test_audit_', server), (d) => d.drop()),
      billing: await made(createServiceDatabase('ocp_test_billing_', server), (d) => d.drop()),
      quota: await made(createServiceDatabase('ocp_test_quota_', server), (d) => d.drop()),
    };
    // Not a superuser; the hyphen keeps it apart from every tenant role of the prefix.
    const adminUrl = await made(createTenantAdminRole(`${prefix}db-admin`, server), () =>
      dropByPrefix(prefix, server),
    );
    const filestore = await mkdtemp(join(tmpdir(), 'ocp-filestore-'));
    const backup = opts.backup
      ? {
          db: await made(createServiceDatabase('ocp_test_backup_', server), (d) => d.drop()),
          dir: await made(mkdtemp(join(tmpdir(), 'ocp-backups-')), (d) =>
            rm(d, { recursive: true, force: true }),
          ),
        }
      : undefined;
    return { dbs, adminUrl, filestore, backup };
  }
  const prepared = await prepareResources().catch(async (err: unknown) => {
    for (const step of undo) await step().catch(() => {});
    throw err;
  });
  const {
    tenant: tenantDb,
    gateway: gatewayDb,
    audit: auditDb,
    billing: billingDb,
    quota: quotaDb,
  } = prepared.dbs;
  const tenantAdminUrl = prepared.adminUrl;
  const filestoreDir = prepared.filestore;
  const ownerPassword = randomBytes(12).toString('base64url');
  return {
    nats,
    natsSeeds,
    natsAs,
    connectNats: async (as, extra = {}) => await connect({ ...natsAs(as), ...extra }),
    async busAs(as) {
      const nc = await connect({ ...natsAs(as), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
      const bus = await createBus({ nc, logger: createLogger(`test-${as}`, 'warn'), service: as });
      buses.push({ bus, nc });
      return bus;
    },
    prefix,
    databases: {
      tenant: tenantDb.superuserUrl,
      gateway: gatewayDb.superuserUrl,
      audit: auditDb.superuserUrl,
      billing: billingDb.superuserUrl,
      quota: quotaDb.superuserUrl,
      ...(prepared.backup ? { backup: prepared.backup.db.superuserUrl } : {}),
    },
    ownerPassword,
    backupEnv: prepared.backup
      ? {
          NATS_URL: nats.url,
          ...seedEnv('backup'),
          DATABASE_URL: prepared.backup.db.url,
          DATABASE_MIGRATION_URL: prepared.backup.db.migrationUrl,
          BACKUP_DB_ADMIN_URL: tenantAdminUrl,
          BACKUP_STORE: 'dir',
          BACKUP_STORE_DIR: join(prepared.backup.dir, 'store'),
          BACKUP_KEYS: 'local',
          BACKUP_LOCAL_KEY_FILE: join(prepared.backup.dir, 'backup-key'),
          HTTP_PORT: '0',
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          OUTBOX_POLL_MS: '200',
          OPERATION_POLL_MS: '500',
          // Nothing is scheduled unless a test asks.
          BACKUP_SCHEDULE_INTERVAL_MS: '3600000',
          ...opts.backupEnv,
        }
      : undefined,
    tenantEnv: {
      NATS_URL: nats.url,
      ...seedEnv('tenant'),
      DATABASE_URL: tenantDb.url,
      DATABASE_MIGRATION_URL: tenantDb.migrationUrl,
      TENANT_DB_ADMIN_URL: tenantAdminUrl,
      TENANT_SECRETS_KEY: randomBytes(32).toString('base64'),
      TENANT_DB_PREFIX: prefix,
      TENANT_TEMPLATE_DB: `${prefix}template`,
      // The test's own default runtime role (dropped with its prefix) and filestore root.
      TENANT_DEFAULT_RUNTIME_ROLE: `${prefix}odoo`,
      TENANT_FILESTORE_DIR: filestoreDir,
      // One generated password hashed ahead: both ways of hashing run, at a third of a second of
      // CPU per start instead of four times that.
      TENANT_ADMIN_PASSWORD_POOL: '1',
      // Deletions drop at once, with no final backup (most tests run no backup service); the
      // backup tests turn both on.
      TENANT_DELETE_FINAL_BACKUP: 'false',
      TENANT_DELETE_GRACE_SECONDS: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      OUTBOX_POLL_MS: '200',
      ...opts.tenantEnv,
    },
    gatewayEnv: {
      NATS_URL: nats.url,
      ...seedEnv('gateway'),
      DATABASE_URL: gatewayDb.url,
      DATABASE_MIGRATION_URL: gatewayDb.migrationUrl,
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      BOOTSTRAP_OWNER_EMAIL: 'owner@example.com',
      BOOTSTRAP_OWNER_PASSWORD: ownerPassword,
      RPC_TIMEOUT_MS: '3000',
      // Tests poll operations every 25 ms from one address; the abuse tests set their own limit.
      RATE_LIMIT_MAX: '100000',
      ...opts.gatewayEnv,
    },
    auditEnv: {
      NATS_URL: nats.url,
      ...seedEnv('audit'),
      DATABASE_URL: auditDb.url,
      DATABASE_MIGRATION_URL: auditDb.migrationUrl,
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      // Anchored as a deployment is: checkpoints signed with a key of the test's own, often.
      AUDIT_CHECKPOINT_KEY: randomBytes(32).toString('base64'),
      AUDIT_CHECKPOINT_INTERVAL_MS: '250',
      ...opts.auditEnv,
    },
    billingEnv: {
      NATS_URL: nats.url,
      ...seedEnv('billing'),
      DATABASE_URL: billingDb.url,
      DATABASE_MIGRATION_URL: billingDb.migrationUrl,
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      OUTBOX_POLL_MS: '200',
      BILLING_SWEEP_INTERVAL_MS: '200',
      ...opts.billingEnv,
    },
    quotaEnv: {
      NATS_URL: nats.url,
      ...seedEnv('quota'),
      DATABASE_URL: quotaDb.url,
      DATABASE_MIGRATION_URL: quotaDb.migrationUrl,
      // The tenant admin, as ./run start gives it: counts users in the tenant databases.
      QUOTA_DB_ADMIN_URL: tenantAdminUrl,
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      OUTBOX_POLL_MS: '200',
      ...opts.quotaEnv,
    },
    notifierEnv: {
      NATS_URL: nats.url,
      ...seedEnv('notifier'),
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    },
    async dispose() {
      for (const { bus, nc } of buses.splice(0)) {
        await bus.close();
        await nc.close();
      }
      await nats.dispose();
      // Databases the test's roles own under other names (a runtime's `ocp_tpl_...` templates).
      const owned = await adminQuery<{ datname: string }>(
        `SELECT d.datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
          WHERE r.rolname LIKE $1 AND d.datname NOT LIKE $1`,
        [`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`],
        server,
      );
      for (const { datname } of owned.rows) {
        const db = `"${datname.replaceAll('"', '""')}"`;
        await adminQuery(`ALTER DATABASE ${db} WITH IS_TEMPLATE false`, [], server);
        await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, [], server);
      }
      await dropByPrefix(prefix, server);
      await rm(filestoreDir, { recursive: true, force: true });
      await tenantDb.drop();
      await gatewayDb.drop();
      await auditDb.drop();
      await billingDb.drop();
      await quotaDb.drop();
      if (prepared.backup) {
        await prepared.backup.db.drop();
        await rm(prepared.backup.dir, { recursive: true, force: true });
      }
    },
  };
}

/** The services of one test (tenant, audit, billing, quota, gateway), running in this process. */
export interface Platform extends PlatformEnv {
  tenant: TenantService;
  gateway: Gateway;
  /** The audit service running now: `stopAudit()` closes it, `startAudit()` starts another. */
  audit: AuditService | undefined;
  /** The billing service running now: `stopBilling()` closes it, `startBilling()` starts another. */
  billing: BillingService | undefined;
  /** The quota service running now: `stopQuota()` closes it, `startQuota()` starts another. */
  quota: QuotaService | undefined;
  /** The backup service, when the platform was started with `backup: true`. */
  backup: BackupService | undefined;
  api: Api;
  stopAudit(): Promise<void>;
  startAudit(): Promise<AuditService>;
  stopBilling(): Promise<void>;
  startBilling(): Promise<BillingService>;
  stopQuota(): Promise<void>;
  startQuota(): Promise<QuotaService>;
  close(): Promise<void>;
}

/** Starts the audit service of a prepared platform, in this process. */
export async function startAudit(env: PlatformEnv): Promise<AuditService> {
  const config = auditConfig(env.auditEnv);
  return await startAuditService(config, createLogger('audit', config.LOG_LEVEL));
}

/** Starts the backup service of a prepared platform, in this process. */
export async function startBackup(env: PlatformEnv): Promise<BackupService> {
  if (!env.backupEnv) throw new Error('this platform was prepared without the backup service');
  const config = backupConfig(env.backupEnv);
  return await startBackupService(config, createLogger('backup', config.LOG_LEVEL));
}

/**
 * Starts the router of a prepared platform, in this process, signed in as `router`: `settings` are
 * its own (`ROUTER_OUTPUT_DIR` at least); it renders there once the tenant service answers.
 */
export async function startRouter(
  env: PlatformEnv,
  settings: Record<string, string>,
): Promise<RouterService> {
  const seed = env.natsSeeds.router;
  const config = routerConfig({
    NATS_URL: env.nats.url,
    ...(seed ? { NATS_NKEY_SEED: seed } : {}),
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ROUTER_RENDER_DEBOUNCE_MS: '50',
    ...settings,
  });
  return await startRouterService(config, createLogger('router', config.LOG_LEVEL));
}

/**
 * Starts a notifier of a prepared platform, in this process, with `env` added to its settings (the
 * webhook URL of the test's stand-in for Slack, a rate). The platform does not start one itself:
 * the test that wants it starts it, and closes it.
 */
export async function startNotifier(
  env: PlatformEnv,
  extra: Record<string, string> = {},
  logger?: Logger,
): Promise<NotifierService> {
  const config = notifierConfig({ ...env.notifierEnv, ...extra });
  return await startNotifierService(config, logger ?? createLogger('notifier', config.LOG_LEVEL));
}

/** Starts the billing service of a prepared platform, in this process. */
export async function startBilling(env: PlatformEnv): Promise<BillingService> {
  const config = billingConfig(env.billingEnv);
  return await startBillingService(config, createLogger('billing', config.LOG_LEVEL));
}

/** Starts the quota service of a prepared platform, in this process. */
export async function startQuota(env: PlatformEnv): Promise<QuotaService> {
  const config = quotaConfig(env.quotaEnv);
  return await startQuotaService(config, createLogger('quota', config.LOG_LEVEL));
}

export async function startPlatform(opts: Parameters<typeof preparePlatform>[0] = {}): Promise<Platform> {
  const env = await preparePlatform(opts);
  // A start that fails halfway closes what it had started, so the test fails instead of hanging.
  const started: { close(): Promise<unknown> }[] = [];
  const up = async <T extends { close(): Promise<unknown> }>(service: Promise<T>): Promise<T> => {
    const running = await service;
    started.unshift(running);
    return running;
  };
  let tenant: TenantService;
  let audit: AuditService;
  let billing: BillingService;
  let quota: QuotaService;
  let gateway: Gateway;
  let api: Api;
  let backup: BackupService | undefined;
  try {
    const tcfg = tenantConfig(env.tenantEnv);
    tenant = await up(startTenantService(tcfg, createLogger('tenant', tcfg.LOG_LEVEL)));
    audit = await up(startAudit(env));
    billing = await up(startBilling(env));
    quota = await up(startQuota(env));
    if (env.backupEnv) {
      backup = await up(startBackup(env));
      env.gatewayEnv.BACKUP_SERVICE_URL = backup.url;
    }
    const gcfg = gatewayConfig(env.gatewayEnv);
    gateway = await up(startGateway(gcfg, createLogger('gateway', gcfg.LOG_LEVEL)));
    api = await Api.login(gateway.url, 'owner@example.com', env.ownerPassword);
  } catch (err) {
    for (const running of started) await running.close().catch(() => {});
    await env.dispose().catch(() => {});
    throw err;
  }
  const platform: Platform = {
    ...env,
    tenant,
    gateway,
    audit,
    billing,
    quota,
    backup,
    api,
    async stopAudit() {
      const running = platform.audit;
      platform.audit = undefined;
      await running?.close();
    },
    async startAudit() {
      if (platform.audit) throw new Error('the audit service is running already');
      platform.audit = await startAudit(env);
      return platform.audit;
    },
    async stopBilling() {
      const running = platform.billing;
      platform.billing = undefined;
      await running?.close();
    },
    async startBilling() {
      if (platform.billing) throw new Error('the billing service is running already');
      platform.billing = await startBilling(env);
      return platform.billing;
    },
    async stopQuota() {
      const running = platform.quota;
      platform.quota = undefined;
      await running?.close();
    },
    async startQuota() {
      if (platform.quota) throw new Error('the quota service is running already');
      platform.quota = await startQuota(env);
      return platform.quota;
    },
    async close() {
      await gateway.close();
      await tenant.close();
      await platform.backup?.close();
      await platform.stopQuota();
      await platform.stopBilling();
      await platform.stopAudit();
      await env.dispose();
    },
  };
  return platform;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small client of the admin REST API. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  static async login(baseUrl: string, email: string, password: string): Promise<Api> {
    const res = await new Api(baseUrl).call<{ token: string }>('POST', '/api/v1/auth/login', {
      email,
      password,
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return new Api(baseUrl, res.body.token);
  }

  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them.
  async call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const init: RequestInit = {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    };
    const res = await fetch(`${this.baseUrl}${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  /** Follows an operation until it ends; returns it. */
  // biome-ignore lint/suspicious/noExplicitAny: see call.
  async waitOperation(id: string, timeoutMs = 20_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.call('GET', `/api/v1/operations/${id}`);
      if (res.status === 200 && (res.body.state === 'succeeded' || res.body.state === 'failed'))
        return res.body;
      if (Date.now() > until) throw new Error(`operation ${id} did not end: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
