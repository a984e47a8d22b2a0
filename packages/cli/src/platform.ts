import { join } from 'node:path';
import { redactUrl, type StartConfig } from './config.ts';
import { StartError } from './errors.ts';
import type { Log } from './log.ts';
import { ensureNats, type NatsHandle } from './nats.ts';
import { ensurePostgres, type PostgresHandle } from './postgres.ts';
import { ensureRoles } from './postgres-roles.ts';
import {
  auditCheckpointKey,
  backupStorage,
  checkEntriesExist,
  publicUrl,
  SERVICE_DATABASES,
  SERVICES,
  type ServiceBuild,
  serviceSpecs,
  tenantSecretsKey,
} from './services.ts';
import { type BackoffOptions, type SupervisedChild, supervise } from './supervisor.ts';
import { answersOk, canConnect, waitUntil } from './wait.ts';

/** Timings of a platform; the defaults are what `pnpm start` uses. */
export interface PlatformOptions {
  /** How long the gateway may take to answer `/readyz` with 200. */
  readyTimeoutMs?: number;
  /** How long each service may take to exit after SIGTERM before it is killed. */
  stopGraceMs?: number;
  /** Restart timing of the services, and of the nats-server and embedded PostgreSQL started here. */
  backoff?: BackoffOptions;
  /** Whether the services run from their build (the default) or from source under tsx. */
  services?: ServiceBuild;
}

/** The whole platform on this machine: PostgreSQL, NATS and the services. */
export interface Platform {
  /**
   * Brings everything up and resolves once the gateway is ready and the banner is printed.
   * Rejects on the first failure; what was started by then is left for `stop()`.
   */
  start(signal: AbortSignal): Promise<void>;
  /** Stops, in order, the services, then our nats-server, then our embedded PostgreSQL. */
  stop(): Promise<void>;
  /** Asks everything we started to stop, without waiting, for a start command that is exiting itself. */
  abandon(): void;
  /**
   * The process id of what runs under `name` (`postgres`, `nats` or a service), while it runs and
   * was started here.
   */
  pidOf(name: string): number | undefined;
}

/** The line of the gateway's box with the first owner's credentials, printed on its first start only. */
const FIRST_OWNER_LINE = /First owner account created/;

function banner(
  config: StartConfig,
  postgres: PostgresHandle,
  nats: NatsHandle,
  ownerShown: boolean,
): string {
  const url = publicUrl(config);
  const databases = Object.values(SERVICE_DATABASES).join(', ');
  const backup = backupStorage(config);
  // The local keyring decrypts every backup: it goes with the secrets (in the data directory by default).
  const backupKey = backup.BACKUP_KEYS === 'local' ? backup.BACKUP_LOCAL_KEY_FILE : undefined;
  const keyInDataDir = backupKey === join(config.dataDir, 'backup-key');
  const secrets = [
    postgres.embeddedDir ? ['postgres-password'] : [],
    'postgres-<role>-password',
    'tenant-secrets-key',
    'audit-checkpoint-key',
    keyInDataDir ? ['backup-key'] : [],
    nats.startedHere ? ['nats-credentials/'] : [],
  ].flat();
  const data = [
    postgres.embeddedDir
      ? `PostgreSQL in ${postgres.embeddedDir}`
      : `PostgreSQL at ${redactUrl(postgres.adminUrl)} (databases ${databases})`,
    nats.storeDir ? `NATS JetStream in ${nats.storeDir}` : `NATS JetStream on the server at ${nats.url}`,
    backup.BACKUP_STORE === 'dir'
      ? `Backups in ${backup.BACKUP_STORE_DIR}`
      : `Backups in the S3 bucket ${config.childEnv.BACKUP_S3_BUCKET ?? ''}`,
    // Without these the data above cannot be read: back them up together.
    `Secrets in ${config.dataDir} (${secrets.join(', ')})`,
    ...(backupKey && !keyInDataDir ? [`Backup key in ${backupKey}`] : []),
  ];
  const keep = backupKey
    ? `Keep the secrets with the data: without ${keyInDataDir ? 'backup-key' : backupKey} no backup can be read.`
    : 'Keep the secrets with the data: without them it cannot be read.';
  return [
    '',
    'The platform is running.',
    `  Log in at:   ${url}/admin/`,
    `  Admin API:   ${url}/api/v1`,
    `  OpenAPI UI:  ${url}/docs`,
    `  Data:        ${data.join('\n               ')}`,
    `  ${keep}`,
    '',
    ...(ownerShown
      ? [
          "The first owner's credentials were printed above by the gateway (look for",
          "'First owner account created'); they are shown only this once.",
        ]
      : ["The first owner's credentials were shown at the platform's first start, and never again."]),
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}

/**
 * Fails when a service's port is taken (most often by a platform that is still running), rather
 * than letting that service crash-loop until the readiness wait gives up.
 */
async function checkPortsFree(config: StartConfig): Promise<void> {
  const ports = [
    ['OCP_HTTP_PORT', config.gatewayPort],
    ['OCP_TENANT_HTTP_PORT', config.tenantPort],
    ['OCP_AUDIT_HTTP_PORT', config.auditPort],
    ['OCP_BILLING_HTTP_PORT', config.billingPort],
    ['OCP_BACKUP_HTTP_PORT', config.backupPort],
    ['OCP_QUOTA_HTTP_PORT', config.quotaPort],
    ['OCP_ROUTER_HTTP_PORT', config.routerPort],
    ['OCP_NOTIFIER_HTTP_PORT', config.notifierPort],
  ] as const;
  for (const [name, port] of ports) {
    if (await canConnect('127.0.0.1', port)) {
      throw new StartError(
        'CLI_PORT_IN_USE',
        `Something already listens on 127.0.0.1:${port} (${name}); is the platform already running? ` +
          `Stop it, or set ${name} to a free port.`,
      );
    }
  }
}

/** The platform for `config`; nothing runs until `start()`. */
export function createPlatform(config: StartConfig, log: Log, options: PlatformOptions = {}): Platform {
  const { readyTimeoutMs = 60_000, stopGraceMs = 10_000, backoff, services = 'built' } = options;
  let postgres: PostgresHandle | undefined;
  let nats: NatsHandle | undefined;
  const children: SupervisedChild[] = [];
  let ownerShown = false;
  const servicesLog: Log = {
    ...log,
    line(source, text, stream) {
      if (source === 'gateway' && FIRST_OWNER_LINE.test(text)) ownerShown = true;
      log.line(source, text, stream);
    },
  };

  return {
    async start(signal) {
      await checkEntriesExist(config.repoRoot, SERVICES, services);
      await checkPortsFree(config);
      postgres = await ensurePostgres({
        url: config.postgresUrl,
        dataDir: config.dataDir,
        embeddedPort: config.embeddedPostgresPort,
        log,
        backoff,
      });
      signal.throwIfAborted();

      nats = await ensureNats({
        url: config.natsUrl,
        storeDir: join(config.dataDir, 'nats'),
        credentialsDir: join(config.dataDir, 'nats-credentials'),
        externalSeedsDir: config.natsSeedsDir,
        searchPath: config.searchPath,
        log,
        signal,
        backoff,
      });
      log.info(nats.startedHere ? `NATS: started ${nats.url}.` : `NATS: using ${nats.url}.`);
      signal.throwIfAborted();

      // Each service's database owned by its owner role, run by its runtime role; the tenant
      // admin role; CONNECT revoked from PUBLIC. The same at every start, and an older data
      // directory's databases (the superuser's) are handed over.
      const postgresRoles = await ensureRoles({
        adminUrl: postgres.adminUrl,
        dataDir: config.dataDir,
        databases: SERVICE_DATABASES,
      });
      log.info(
        `PostgreSQL: databases ${Object.values(SERVICE_DATABASES).join(', ')} and their roles are ready.`,
      );
      signal.throwIfAborted();

      const specs = serviceSpecs(
        config,
        {
          natsUrl: nats.url,
          natsSeedFiles: nats.seedFiles,
          postgresAdminUrl: postgres.adminUrl,
          postgresRoles,
          tenantSecretsKey: await tenantSecretsKey(config.dataDir),
          auditCheckpointKey: await auditCheckpointKey(config.dataDir),
        },
        services,
      );
      for (const spec of specs) children.push(supervise(spec, servicesLog, backoff));

      const readyz = `${publicUrl(config)}/readyz`;
      log.info(`Waiting for the gateway to answer ${readyz}.`);
      if (
        !(await waitUntil(() => answersOk(readyz), { timeoutMs: readyTimeoutMs, intervalMs: 500, signal }))
      ) {
        throw new StartError(
          'CLI_GATEWAY_NOT_READY',
          `The gateway did not answer GET ${readyz} with 200 within ${readyTimeoutMs / 1000} s. ` +
            'Its own lines above, marked [gateway], say why.',
        );
      }
      // The gateway prints its first owner box just before it can answer; let a line already in
      // the pipe be read before the banner says whether it came.
      await new Promise((resolve) => setImmediate(resolve));
      log.banner(banner(config, postgres, nats, ownerShown));
    },

    async stop() {
      // Each step runs even when one before it failed: a stuck service must not keep PostgreSQL up.
      const step = async (what: string, run: () => Promise<unknown>) => {
        log.info(`Stopping ${what}.`);
        await run().catch((err: unknown) => log.error(`Stopping ${what} failed: ${(err as Error).message}`));
      };
      if (children.length > 0) {
        await step('the services', () => Promise.all(children.map((child) => child.stop(stopGraceMs))));
      }
      if (nats?.startedHere) await step('nats-server', nats.stop);
      if (postgres?.embeddedDir) await step('the embedded PostgreSQL', postgres.stop);
    },

    abandon() {
      for (const child of children) child.abandon();
      nats?.abandon();
      postgres?.abandon();
    },

    pidOf(name) {
      if (name === 'postgres') return postgres?.pid;
      if (name === 'nats') return nats?.pid;
      return children.find((child) => child.name === name)?.pid;
    },
  };
}
