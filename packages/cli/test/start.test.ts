import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '@ocp/testkit';
import pg from 'pg';
import {
  canConnect,
  createPlatform,
  loadConfig,
  repoRoot,
  SERVICES,
  type StartConfig,
  StartError,
  serviceSpecs,
} from '../src/index.ts';
import { cleanups, memoryLog, tempDir } from './helpers.ts';

/**
 * Stands in for a service's built main.js: prints the environment and node options it was given,
 * answers /readyz (after `READY_AFTER_MS`, with 503 until then), and on SIGTERM reports whether
 * PostgreSQL and NATS are still up, which they must be while the services stop. The gateway
 * prints a first owner box on its first start only, as the real one does.
 */
const STAND_IN = `
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
const env = process.env;
const up = (url) => new Promise((resolve) => {
  const u = new URL(url);
  const s = connect(Number(u.port), u.hostname);
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});
const keys = ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'TENANT_DB_ADMIN_URL', 'TENANT_SECRETS_KEY', 'AUDIT_CHECKPOINT_KEY', 'BACKUP_DB_ADMIN_URL', 'BACKUP_STORE', 'BACKUP_STORE_DIR', 'BACKUP_KEYS', 'BACKUP_LOCAL_KEY_FILE', 'BACKUP_SERVICE_URL', 'QUOTA_DB_ADMIN_URL', 'ROUTER_OUTPUT_DIR', 'ROUTER_NGINX_PID_FILE', 'NATS_URL', 'HTTP_PORT', 'PUBLIC_URL', 'NOTIFY_PUBLIC_URL', 'LOG_LEVEL'];
console.log('env ' + JSON.stringify(Object.fromEntries(keys.filter((k) => env[k]).map((k) => [k, env[k]]))));
if ('SERVICE_NAME' === 'gateway' && !existsSync('owner-shown')) {
  writeFileSync('owner-shown', '');
  console.log('================ First owner account created ================');
  console.log('  email:    owner@localhost');
}
console.log('execArgv ' + JSON.stringify(process.execArgv));
const readyAt = Date.now() + Number(READY_AFTER_MS);
createServer((req, res) => {
  res.statusCode = req.url === '/readyz' ? (Date.now() >= readyAt ? 200 : 503) : 404;
  res.end();
}).listen(Number(env.HTTP_PORT), '127.0.0.1');
process.on('SIGTERM', async () => {
  console.log('on SIGTERM: postgres up=' + (env.DATABASE_URL ? await up(env.DATABASE_URL) : 'unused') + ' nats up=' + (await up(env.NATS_URL)));
  process.exit(0);
});
`;

interface Rig {
  config: StartConfig;
  ports: {
    pg: number;
    nats: number;
    gateway: number;
    tenant: number;
    audit: number;
    billing: number;
    backup: number;
    quota: number;
    router: number;
    notifier: number;
  };
}

/** A repository with stand-in services, and a config whose servers and data are all the test's own. */
async function rig(defer: (step: () => unknown) => void, gatewayReadyAfterMs: number): Promise<Rig> {
  const root = await tempDir(defer, 'ocp-cli-root-');
  for (const [name, readyAfter] of [
    ['tenant', 0],
    ['audit', 0],
    ['billing', 0],
    ['backup', 0],
    ['quota', 0],
    ['router', 0],
    ['notifier', 0],
    ['gateway', gatewayReadyAfterMs],
  ] as const) {
    await mkdir(join(root, 'services', name, 'dist'), { recursive: true });
    await writeFile(
      join(root, 'services', name, 'dist', 'main.js'),
      STAND_IN.replace('READY_AFTER_MS', String(readyAfter)).replace('SERVICE_NAME', name),
    );
  }
  const dataDir = join(root, 'data');
  await mkdir(dataDir);
  // The default data directory is 0755; mkdtemp's 0700 would keep out the postgres OS user under root.
  await chmod(root, 0o755);
  const ports = {
    pg: await freePort(),
    nats: await freePort(),
    gateway: await freePort(),
    tenant: await freePort(),
    audit: await freePort(),
    billing: await freePort(),
    backup: await freePort(),
    quota: await freePort(),
    router: await freePort(),
    notifier: await freePort(),
  };
  const config = loadConfig({
    OCP_DATA_DIR: dataDir,
    OCP_POSTGRES_URL: `postgres://nobody@127.0.0.1:${await freePort()}/postgres`,
    OCP_EMBEDDED_PG_PORT: String(ports.pg),
    OCP_NATS_URL: `nats://127.0.0.1:${ports.nats}`,
    OCP_HTTP_PORT: String(ports.gateway),
    OCP_TENANT_HTTP_PORT: String(ports.tenant),
    OCP_AUDIT_HTTP_PORT: String(ports.audit),
    OCP_BILLING_HTTP_PORT: String(ports.billing),
    OCP_BACKUP_HTTP_PORT: String(ports.backup),
    OCP_QUOTA_HTTP_PORT: String(ports.quota),
    OCP_ROUTER_HTTP_PORT: String(ports.router),
    OCP_NOTIFIER_HTTP_PORT: String(ports.notifier),
    OCP_LOG_LEVEL: 'debug',
    PATH: process.env.PATH,
  });
  return { config: { ...config, repoRoot: root }, ports };
}

function envOf(lines: string[], service: string): Record<string, string> {
  const line = lines.find((l) => l.startsWith(`[${service}] env `));
  assert.ok(line, `${service} printed its environment`);
  return JSON.parse(line.slice(`[${service}] env `.length));
}

test('the platform starts PostgreSQL, NATS and the services, prints where to log in, and stops the services first', async (t) => {
  const defer = cleanups(t);
  const { config, ports } = await rig(defer, 1_000);
  const { log, lines } = memoryLog();
  const platform = createPlatform(config, log, { stopGraceMs: 5_000 });
  defer(() => platform.stop());

  await platform.start(new AbortController().signal);

  const url = `http://127.0.0.1:${ports.gateway}`;
  assert.ok(lines.includes(`[start]   Log in at:   ${url}/admin/`));
  assert.ok(lines.includes(`[start]   Admin API:   ${url}/api/v1`));
  assert.ok(lines.includes(`[start]   OpenAPI UI:  ${url}/docs`));
  assert.ok(lines.some((l) => l.includes(`PostgreSQL in ${join(config.dataDir, 'postgres')}`)));
  assert.ok(lines.some((l) => l.includes(`NATS JetStream in ${join(config.dataDir, 'nats')}`)));
  assert.ok(lines.some((l) => l.includes(`Backups in ${join(config.dataDir, 'backups')}`)));
  assert.ok(lines.some((l) => /Secrets in .*\(.*backup-key.*\)/.test(l)));
  assert.ok(lines.some((l) => l.includes('without backup-key no backup can be read')));
  assert.ok(lines.includes('[gateway] ================ First owner account created ================'));
  assert.ok(lines.some((l) => l.includes("'First owner account created'); they are shown only this once.")));

  const tenant = envOf(lines, 'tenant');
  const gateway = envOf(lines, 'gateway');
  const audit = envOf(lines, 'audit');
  const billing = envOf(lines, 'billing');
  const backup = envOf(lines, 'backup');
  const quota = envOf(lines, 'quota');
  const router = envOf(lines, 'router');
  const notifier = envOf(lines, 'notifier');
  assert.equal(new URL(tenant.DATABASE_URL!).pathname, '/ocp_tenant');
  assert.equal(new URL(tenant.TENANT_DB_ADMIN_URL!).pathname, '/postgres');
  assert.match(tenant.TENANT_SECRETS_KEY!, /^[A-Za-z0-9+/]{43}=$/);
  assert.equal(tenant.HTTP_PORT, String(ports.tenant));
  assert.equal(new URL(gateway.DATABASE_URL!).pathname, '/ocp_gateway');
  assert.equal(gateway.HTTP_PORT, String(ports.gateway));
  assert.equal(gateway.PUBLIC_URL, url);
  assert.equal(new URL(audit.DATABASE_URL!).pathname, '/ocp_audit');
  // The audit checkpoint key: made once in the data directory, readable by its owner only.
  const keyFile = join(config.dataDir, 'audit-checkpoint-key');
  assert.equal((await readFile(keyFile, 'utf8')).trim(), audit.AUDIT_CHECKPOINT_KEY);
  assert.match(audit.AUDIT_CHECKPOINT_KEY!, /^[A-Za-z0-9+/]{43}=$/);
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  assert.equal(audit.HTTP_PORT, String(ports.audit));
  assert.equal(new URL(billing.DATABASE_URL!).pathname, '/ocp_billing');
  assert.equal(billing.HTTP_PORT, String(ports.billing));
  // The backup service: its own database, the tenant admin's rights on the tenant databases, the
  // directory store and the local keyring in the data directory, and the gateway pointed at it.
  assert.equal(new URL(backup.DATABASE_URL!).pathname, '/ocp_backup');
  assert.equal(backup.BACKUP_DB_ADMIN_URL, tenant.TENANT_DB_ADMIN_URL);
  assert.equal(backup.BACKUP_STORE, 'dir');
  assert.equal(backup.BACKUP_STORE_DIR, join(config.dataDir, 'backups'));
  assert.equal(backup.BACKUP_KEYS, 'local');
  assert.equal(backup.BACKUP_LOCAL_KEY_FILE, join(config.dataDir, 'backup-key'));
  assert.equal(backup.HTTP_PORT, String(ports.backup));
  assert.equal(gateway.BACKUP_SERVICE_URL, `http://127.0.0.1:${ports.backup}`);
  // The quota service: its own database, and the tenant admin's rights to count users.
  assert.equal(new URL(quota.DATABASE_URL!).pathname, '/ocp_quota');
  assert.equal(quota.QUOTA_DB_ADMIN_URL, tenant.TENANT_DB_ADMIN_URL);
  assert.equal(quota.HTTP_PORT, String(ports.quota));
  // The router: no database; it renders NGINX's routes into the data directory and reloads nothing.
  assert.equal(router.DATABASE_URL, undefined);
  assert.equal(router.ROUTER_OUTPUT_DIR, join(config.dataDir, 'nginx'));
  assert.equal(router.ROUTER_NGINX_PID_FILE, undefined);
  assert.equal(router.HTTP_PORT, String(ports.router));
  // The notifier: no database, links to the admin app the gateway serves.
  assert.equal(notifier.DATABASE_URL, undefined);
  assert.equal(notifier.HTTP_PORT, String(ports.notifier));
  assert.equal(notifier.NOTIFY_PUBLIC_URL, url);
  // Each service runs as its own runtime role and migrates as its owner role; no superuser.
  for (const [name, env] of Object.entries({ tenant, gateway, audit, billing, backup, quota })) {
    assert.equal(new URL(env.DATABASE_URL!).username, `ocp_${name}_app`);
    assert.equal(new URL(env.DATABASE_MIGRATION_URL!).username, `ocp_${name}_owner`);
    assert.equal(new URL(env.DATABASE_MIGRATION_URL!).pathname, `/ocp_${name}`);
  }
  assert.equal(new URL(tenant.TENANT_DB_ADMIN_URL!).username, 'ocp_tenant_admin');
  for (const env of [tenant, audit, billing, backup, quota, router, notifier, gateway]) {
    assert.equal(env.NATS_URL, `nats://127.0.0.1:${ports.nats}`);
    assert.equal(env.LOG_LEVEL, 'debug');
  }
  // Built JavaScript under plain node: no loader, and workspace packages resolved to their dist/.
  for (const service of ['tenant', 'audit', 'billing', 'backup', 'quota', 'router', 'notifier', 'gateway']) {
    assert.ok(lines.includes(`[${service}] execArgv ["--conditions=production"]`), `${service} ran built`);
  }
  const client = new pg.Client({ connectionString: tenant.TENANT_DB_ADMIN_URL });
  await client.connect();
  const dbs = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'ocp\\_%' ORDER BY 1");
  await client.end();
  assert.deepEqual(dbs.rows, [
    { datname: 'ocp_audit' },
    { datname: 'ocp_backup' },
    { datname: 'ocp_billing' },
    { datname: 'ocp_gateway' },
    { datname: 'ocp_quota' },
    { datname: 'ocp_tenant' },
  ]);

  await platform.stop();

  for (const service of ['tenant', 'audit', 'billing', 'backup', 'quota', 'gateway']) {
    assert.ok(
      lines.includes(`[${service}] on SIGTERM: postgres up=true nats up=true`),
      `${service} stopped first`,
    );
  }
  for (const service of ['router', 'notifier']) {
    assert.ok(
      lines.includes(`[${service}] on SIGTERM: postgres up=unused nats up=true`),
      `${service} stopped first`,
    );
  }
  const at = (text: string) => {
    const i = lines.indexOf(`[start] ${text}`);
    assert.notEqual(i, -1, `"${text}" was shown`);
    return i;
  };
  assert.ok(at('Stopping the services.') < at('Stopping nats-server.'));
  assert.ok(at('Stopping nats-server.') < at('Stopping the embedded PostgreSQL.'));
  for (const port of Object.values(ports)) assert.equal(await canConnect('127.0.0.1', port), false);
});

test("on a later start, the banner says the first owner's credentials were shown at the first start, not above", async (t) => {
  const defer = cleanups(t);
  const { config } = await rig(defer, 0);
  const first = memoryLog();
  const platform = createPlatform(config, first.log, { stopGraceMs: 5_000 });
  defer(() => platform.stop());
  await platform.start(new AbortController().signal);
  await platform.stop();
  assert.ok(first.lines.some((l) => l.includes('printed above by the gateway')));

  const again = memoryLog();
  const restarted = createPlatform(config, again.log, { stopGraceMs: 5_000 });
  defer(() => restarted.stop());
  await restarted.start(new AbortController().signal);

  assert.ok(
    !again.lines.some((l) => l.includes('First owner account created')),
    'the gateway printed no box',
  );
  assert.ok(!again.lines.some((l) => l.includes('printed above')));
  assert.ok(
    again.lines.includes(
      "[start] The first owner's credentials were shown at the platform's first start, and never again.",
    ),
  );
});

test('the platform gives up with a clear message when the gateway does not become ready in time', async (t) => {
  const defer = cleanups(t);
  const { config } = await rig(defer, 3_600_000);
  const platform = createPlatform(config, memoryLog().log, { readyTimeoutMs: 1_500 });
  defer(() => platform.stop());

  await assert.rejects(
    platform.start(new AbortController().signal),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_GATEWAY_NOT_READY' &&
      err.message.includes(`GET http://127.0.0.1:${config.gatewayPort}/readyz with 200 within 1.5 s`),
  );
});

test('a missing service entry file stops the start before anything is started', async (t) => {
  const defer = cleanups(t);
  const { config } = await rig(defer, 0);
  const empty = await tempDir(defer, 'ocp-cli-root-');
  const platform = createPlatform({ ...config, repoRoot: empty }, memoryLog().log);

  await assert.rejects(
    platform.start(new AbortController().signal),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_SERVICE_MISSING' &&
      err.message.includes(join(empty, 'services/tenant/dist/main.js')),
  );
  assert.deepEqual(await readdir(config.dataDir), []);
});

test("a service's port that is already taken stops the start before anything is started", async (t) => {
  const defer = cleanups(t);
  const { config } = await rig(defer, 0);
  const taken = createServer().listen(config.tenantPort, '127.0.0.1');
  await once(taken, 'listening');
  defer(() => new Promise((resolve) => taken.close(resolve)));
  const platform = createPlatform(config, memoryLog().log);

  await assert.rejects(
    platform.start(new AbortController().signal),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_PORT_IN_USE' &&
      err.message.includes(`127.0.0.1:${config.tenantPort} (OCP_TENANT_HTTP_PORT)`),
  );
  assert.deepEqual(await readdir(config.dataDir), []);
});

test('the environment is read with defaults, and values that cannot work are refused by name', () => {
  const config = loadConfig({});
  assert.equal(config.dataDir, join(repoRoot, '.data'));
  assert.equal(config.postgresUrl, 'postgres://root@127.0.0.1:5432/postgres');
  assert.equal(config.embeddedPostgresPort, 54329);
  assert.equal(config.natsUrl, 'nats://127.0.0.1:4222');
  assert.equal(config.gatewayPort, 8080);
  assert.equal(config.tenantPort, 8081);
  assert.equal(config.auditPort, 8082);
  assert.equal(config.billingPort, 8083);
  assert.equal(config.backupPort, 8084);
  assert.equal(config.quotaPort, 8085);
  assert.equal(config.routerPort, 8086);
  assert.equal(config.notifierPort, 8087);
  assert.equal(config.logLevel, 'info');

  assert.throws(
    () => loadConfig({ OCP_HTTP_PORT: '80a', OCP_LOG_LEVEL: 'loud', OCP_NATS_URL: 'http://x' }),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_CONFIG_INVALID' &&
      err.message.includes('OCP_HTTP_PORT=80a') &&
      err.message.includes('OCP_LOG_LEVEL=loud') &&
      err.message.includes('OCP_NATS_URL must start with nats://'),
  );
  assert.throws(
    () => loadConfig({ OCP_TENANT_HTTP_PORT: '8080' }),
    /OCP_HTTP_PORT and OCP_TENANT_HTTP_PORT are both 8080/,
  );
  assert.throws(
    () => loadConfig({ OCP_BACKUP_HTTP_PORT: '8083' }),
    /OCP_BILLING_HTTP_PORT and OCP_BACKUP_HTTP_PORT are both 8083/,
  );
});

test('the backup service runs before the gateway, with the tenant admin URL, a store and a keyring in the data directory, unless the environment chooses its own', () => {
  const endpoints = {
    natsUrl: 'nats://127.0.0.1:4222',
    postgresAdminUrl: 'postgres://ocp:pw@127.0.0.1:54329/postgres',
    tenantSecretsKey: 'k',
    auditCheckpointKey: 'a',
  };
  const config = loadConfig({ OCP_DATA_DIR: '/srv/ocp', OCP_BACKUP_HTTP_PORT: '9084' });
  assert.deepEqual(SERVICES, [
    'tenant',
    'audit',
    'billing',
    'backup',
    'quota',
    'router',
    'notifier',
    'gateway',
  ]);
  const specs = serviceSpecs(config, endpoints);
  assert.deepEqual(
    specs.map((spec) => spec.name),
    [...SERVICES],
  );
  const envOfSpec = (name: string) => specs.find((spec) => spec.name === name)!.env;
  const backup = envOfSpec('backup');
  // Without the services' own roles, the superuser on `postgres`, as the tenant service gets it.
  assert.equal(backup.BACKUP_DB_ADMIN_URL, 'postgres://ocp:pw@127.0.0.1:54329/postgres');
  assert.equal(backup.BACKUP_DB_ADMIN_URL, envOfSpec('tenant').TENANT_DB_ADMIN_URL);
  assert.equal(new URL(backup.DATABASE_URL!).pathname, '/ocp_backup');
  assert.equal(backup.BACKUP_STORE, 'dir');
  assert.equal(backup.BACKUP_STORE_DIR, '/srv/ocp/backups');
  assert.equal(backup.BACKUP_KEYS, 'local');
  assert.equal(backup.BACKUP_LOCAL_KEY_FILE, '/srv/ocp/backup-key');
  assert.equal(backup.HTTP_PORT, '9084');
  assert.equal(envOfSpec('gateway').BACKUP_SERVICE_URL, 'http://127.0.0.1:9084');
  assert.equal(envOfSpec('tenant').TENANT_FILESTORE_DIR, '/srv/ocp/filestore');
  const quota = envOfSpec('quota');
  assert.equal(quota.QUOTA_DB_ADMIN_URL, envOfSpec('tenant').TENANT_DB_ADMIN_URL);
  assert.equal(new URL(quota.DATABASE_URL!).pathname, '/ocp_quota');
  assert.equal(quota.HTTP_PORT, '8085');
  // The router renders into the data directory, reloads no NGINX and has no database.
  const router = envOfSpec('router');
  assert.equal(router.ROUTER_OUTPUT_DIR, '/srv/ocp/nginx');
  assert.equal(router.ROUTER_NGINX_PID_FILE, undefined);
  assert.equal(router.DATABASE_URL, undefined);
  assert.equal(router.HTTP_PORT, '8086');
  // The notifier has no database; its links go to the admin app the gateway serves.
  const notifier = envOfSpec('notifier');
  assert.equal(notifier.DATABASE_URL, undefined);
  assert.equal(notifier.HTTP_PORT, '8087');
  assert.equal(notifier.NOTIFY_PUBLIC_URL, 'http://127.0.0.1:8080');

  const own = serviceSpecs(
    loadConfig({
      OCP_DATA_DIR: '/srv/ocp',
      BACKUP_STORE: 's3',
      BACKUP_S3_BUCKET: 'ocp-backups',
      BACKUP_KEYS: 'kms',
      BACKUP_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:1:key/x',
    }),
    {
      ...endpoints,
      postgresRoles: {
        services: {},
        tenantAdminUrl: 'postgres://ocp_tenant_admin:pw@127.0.0.1:54329/postgres',
      },
    },
  ).find((spec) => spec.name === 'backup')!.env;
  assert.equal(own.BACKUP_STORE, 's3');
  assert.equal(own.BACKUP_S3_BUCKET, 'ocp-backups');
  assert.equal(own.BACKUP_KEYS, 'kms');
  assert.equal(own.BACKUP_DB_ADMIN_URL, 'postgres://ocp_tenant_admin:pw@127.0.0.1:54329/postgres');
  assert.equal(own.HTTP_PORT, '8084');
});
