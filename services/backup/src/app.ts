import { fileURLToPath } from 'node:url';
import type { EventHandler } from '@ocp/bus';
import { durables, streams } from '@ocp/contracts';
import { type OperationRunner, type OperationWorker, startOperationWorker } from '@ocp/operations';
import {
  defineService,
  type Logger,
  type OperationMetrics,
  type RunningService,
  runService,
} from '@ocp/service-kit';
import { type BackupConfig, checkConfig, configSchema, parseServers, type StoreConfig } from './config.ts';
import { type OperationRow, updateOperation } from './db/catalog.ts';
import { runtimeGrants } from './db/grants.ts';
import { ABORT_INCOMPLETE_DAYS } from './domain/lifecycle.ts';
import { parseRetention, policyFor } from './domain/retention.ts';
import {
  createBackupHandler,
  drillBackupHandler,
  finalBackupHandler,
  getBackupHandler,
  getOperationHandler,
  listBackupsHandler,
  listOperationsHandler,
  moveTenantHandler,
  restoreBackupHandler,
  transferHandler,
} from './handlers/commands.ts';
import type { BackupContext } from './handlers/context.ts';
import { overdueHandler } from './handlers/overdue.ts';
import { pruneFinalBackups } from './handlers/retention.ts';
import {
  describe,
  endRestoreFailed,
  failBackup,
  isPermanentFailure,
  runAbandonedImport,
  runBackup,
  runDrill,
  runMove,
  runRestore,
} from './handlers/run-backup.ts';
import { queueScheduledBackups, queueScheduledDrills } from './handlers/schedule.ts';
import { serverVersion } from './handlers/server-sql.ts';
import { FOLLOWED_TENANT_TYPES, tenantProjectionHandler } from './handlers/tenants.ts';
import { getWindowHandler, setWindowHandler } from './handlers/window.ts';
import { buildHttp } from './http.ts';
import { registerBackupMetrics } from './metrics.ts';
import {
  type BackupKeyring,
  connectionFromUrl,
  createBackupKeyring,
  createDirStore,
  createS3Store,
  findPgTools,
  type ObjectStore,
  type PgTools,
} from './pipeline/index.ts';

/** The object store of the config: a local directory, or an S3-compatible bucket. */
export function storeOf(c: StoreConfig): ObjectStore {
  if (c.BACKUP_STORE === 'dir') return createDirStore(c.BACKUP_STORE_DIR!);
  return createS3Store({
    bucket: c.BACKUP_S3_BUCKET!,
    region: c.BACKUP_S3_REGION,
    ...(c.BACKUP_S3_ENDPOINT ? { endpoint: c.BACKUP_S3_ENDPOINT } : {}),
    forcePathStyle: c.BACKUP_S3_FORCE_PATH_STYLE,
    ...(c.BACKUP_S3_ACCESS_KEY_ID ? { accessKeyId: c.BACKUP_S3_ACCESS_KEY_ID } : {}),
    ...(c.BACKUP_S3_SECRET_ACCESS_KEY ? { secretAccessKey: c.BACKUP_S3_SECRET_ACCESS_KEY } : {}),
    ...(c.BACKUP_S3_SSE_KMS_KEY_ID ? { sseKmsKeyId: c.BACKUP_S3_SSE_KMS_KEY_ID } : {}),
    partSizeBytes: c.BACKUP_S3_PART_MB * 1024 * 1024,
    queueSize: c.BACKUP_S3_QUEUE,
    maxAttempts: c.STORE_MAX_ATTEMPTS,
  });
}

/** The keyring of the config: the local key file, or a KMS key. */
export async function keyringOf(c: BackupConfig): Promise<BackupKeyring> {
  if (c.BACKUP_KEYS === 'local')
    return await createBackupKeyring({ kind: 'local', keyFile: c.BACKUP_LOCAL_KEY_FILE! });
  return await createBackupKeyring({
    kind: 'kms',
    keyId: c.BACKUP_KMS_KEY_ID!,
    region: c.BACKUP_KMS_REGION,
    ...(c.BACKUP_KMS_ENDPOINT ? { endpoint: c.BACKUP_KMS_ENDPOINT } : {}),
    ...(c.BACKUP_KMS_ACCESS_KEY_ID ? { accessKeyId: c.BACKUP_KMS_ACCESS_KEY_ID } : {}),
    ...(c.BACKUP_KMS_SECRET_ACCESS_KEY ? { secretAccessKey: c.BACKUP_KMS_SECRET_ACCESS_KEY } : {}),
  });
}

export interface BackupParts {
  ctx: BackupContext;
  worker: OperationWorker;
  /** Counts and times the operations as they end (the worker's, and the imports the HTTP upload ends). */
  operations: OperationMetrics;
}

/**
 * The backup service: the backup catalog, the workers that back up, restore, drill and import,
 * the schedule and retention, and the streaming endpoint for Odoo zips.
 */
export const backupService = defineService({
  name: 'backup',
  configSchema,
  checkConfig,
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  grants: runtimeGrants,
  poolMax: (c) => c.DB_POOL_MAX,
  outbox: { pollMs: (c) => c.OUTBOX_POLL_MS },
  async start(rt): Promise<BackupParts> {
    const { config, logger, pool, bus } = rt;
    const servers = parseServers(config.BACKUP_DB_SERVERS).map;
    const urlOf = (serverId: string | null) =>
      (serverId && servers.get(serverId)) || config.BACKUP_DB_ADMIN_URL;
    const toolsByUrl = new Map<string, Promise<PgTools & { serverVersion: string }>>();
    const retention = parseRetention(config.BACKUP_RETENTION).byPlan;
    const ctx: BackupContext = {
      pool,
      bus,
      config,
      logger,
      store: storeOf(config),
      keyring: await keyringOf(config),
      connection: (serverId, database) => connectionFromUrl(urlOf(serverId), database),
      tools(serverId) {
        const url = urlOf(serverId);
        let found = toolsByUrl.get(url);
        if (!found) {
          found = (async () => {
            const v = await serverVersion(connectionFromUrl(url, 'postgres'));
            const tools = await findPgTools(Math.floor(v.num / 10000), config.PG_BIN_DIR);
            return { ...tools, serverVersion: v.version };
          })();
          // A failure (server down, tools missing) is looked for again next time.
          found.catch(() => toolsByUrl.delete(url));
          toolsByUrl.set(url, found);
        }
        return found;
      },
      retention: (plan) => policyFor(retention, plan),
      dispatch: (command) => {
        bus
          .publish(command)
          .catch((err: unknown) =>
            logger.debug({ err }, 'direct dispatch failed; the outbox will publish it'),
          );
      },
      now: () => new Date(),
    };
    // The tools of the default server are looked for at start, so a missing pg_dump is said at once.
    await ctx.tools(null).then(
      (t) =>
        logger.info({ pgDump: t.pgDump, version: t.version, server: t.serverVersion }, 'backup tools found'),
      (err: unknown) =>
        logger.error(
          { err },
          'no pg_dump fits the default database server; backups will fail until one is installed',
        ),
    );
    logger.info(
      { store: ctx.store.description, keys: ctx.keyring.describe },
      'backups go to the store, under the key',
    );

    bus.serve('backup.create.v1', createBackupHandler(ctx));
    bus.serve('backup.list.v1', listBackupsHandler(ctx));
    bus.serve('backup.get.v1', getBackupHandler(ctx));
    bus.serve('backup.restore.v1', restoreBackupHandler(ctx));
    bus.serve('backup.drill.v1', drillBackupHandler(ctx));
    bus.serve('backup.operation.get.v1', getOperationHandler(ctx));
    bus.serve('backup.operation.list.v1', listOperationsHandler(ctx));
    bus.serve('backup.transfer.v1', transferHandler(ctx));
    bus.serve('backup.final.v1', finalBackupHandler(ctx));
    bus.serve('backup.move.v1', moveTenantHandler(ctx));
    bus.serve('backup.window.get.v1', getWindowHandler(ctx));
    bus.serve('backup.window.set.v1', setWindowHandler(ctx));
    bus.serve('backup.overdue.v1', overdueHandler(ctx));

    const runners: Record<OperationRow['kind'], OperationRunner<OperationRow>> = {
      'backup.run': (op, run) => runBackup(ctx, op, run),
      'backup.restore': (op, run) => runRestore(ctx, op, run),
      'backup.drill': (op, run) => runDrill(ctx, op, run),
      'backup.import': (op) => runAbandonedImport(ctx, op),
      'backup.move': (op, run) => runMove(ctx, op, run),
    };
    const operations = registerBackupMetrics(rt.registry, ctx);
    const worker = startOperationWorker<OperationRow>({
      pool,
      databaseUrl: config.DATABASE_URL,
      table: { table: 'operations', scope: 'tenant_id', channel: 'ocp_backup_operations' },
      runners,
      logger,
      concurrency: config.BACKUP_WORKERS,
      leaseMs: config.OPERATION_LEASE_MS,
      pollMs: config.OPERATION_POLL_MS,
      maxAttempts: config.WORK_MAX_ATTEMPTS,
      isTransient: (e) => !isPermanentFailure(e),
      onFailed: async (client, row, error) => {
        await updateOperation(client, row.id, { state: 'failed', error });
        if (row.kind === 'backup.run' && row.backup_id) await failBackup(client, row.backup_id, error);
        if (row.kind === 'backup.restore' && row.params.preRestoreBackupId)
          await failBackup(client, row.params.preRestoreBackupId, error);
        if (row.kind === 'backup.restore' && row.params.targetTenantId && !error.startsWith('the backup'))
          await endRestoreFailed(ctx, row.id, row.params.targetTenantId, error);
        if (row.kind === 'backup.move') {
          if (row.params.moveBackupId) await failBackup(client, row.params.moveBackupId, error);
          await endRestoreFailed(ctx, row.id, row.tenant_id, error);
        }
      },
      onRetry: async (client, row, error) => {
        await updateOperation(client, row.id, { error: describe(error) });
      },
      onEnded: (row) => operations.ended(row),
    });
    rt.onClose('operation worker', 'work', () => worker.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.7)));

    const wake: EventHandler<'ocp.backup.operation.run.v1'> = async () => worker.wake();
    await bus.consume(
      {
        durable: durables.backupWorker.durable,
        stream: streams.backupWork,
        types: ['ocp.backup.operation.run.v1'],
        ackWaitMs: config.WORK_ACK_WAIT_MS,
        maxDeliver: -1,
        concurrency: config.BACKUP_WORKERS,
      },
      wake,
    );
    await bus.consume(
      {
        durable: durables.backupTenants.durable,
        stream: streams.tenantEvents,
        types: FOLLOWED_TENANT_TYPES,
        deliverFrom: 'all',
        maxDeliver: -1,
        concurrency: 4,
      },
      tenantProjectionHandler(ctx),
    );
    rt.every('backup schedule', config.BACKUP_SCHEDULE_INTERVAL_MS, async () => {
      await queueScheduledBackups(ctx);
      await queueScheduledDrills(ctx);
      await pruneFinalBackups(ctx);
    });
    // Uploads a crash cut off: S3 aborts them by the bucket's rule; a directory store is swept here.
    rt.every('incomplete uploads sweep', 60 * 60 * 1000, async () => {
      const removed = await ctx.store.sweepIncomplete(ABORT_INCOMPLETE_DAYS * 24 * 60 * 60 * 1000);
      if (removed) logger.info({ removed }, 'removed what uploads cut off by a crash left in the store');
    });
    return { ctx, worker, operations };
  },
  http: (rt, parts) => buildHttp(rt, parts.ctx, parts.operations),
});

/** A started backup service. */
export type BackupService = RunningService<BackupConfig, BackupParts>;

/** Starts the backup service with a parsed config (as `main` does, without the process wiring). */
export async function startBackupService(config: BackupConfig, logger?: Logger): Promise<BackupService> {
  return await runService(backupService, config, logger ? { logger } : {});
}
