import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { RpcError } from '@ocp/bus';
import { type ErrorCode, httpStatusOf } from '@ocp/contracts';
import { withTransaction } from '@ocp/db';
import { type OperationMetrics, opsRoutes, type ServiceRuntime } from '@ocp/service-kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { BackupConfig } from './config.ts';
import { getBackup, type OperationRow, toOperation, updateOperation } from './db/catalog.ts';
import { ticketHash } from './handlers/commands.ts';
import { type BackupContext, serverOf } from './handlers/context.ts';
import { describe, endRestoreFailed } from './handlers/run-backup.ts';
import {
  adoptImported,
  createEmptyDatabase,
  createImportRole,
  dropDatabase,
  dropRole,
  removeDir,
  siblingDir,
} from './handlers/server-sql.ts';
import { importOdooZip, type OdooManifest, OdooZipError, writeOdooZip } from './pipeline/index.ts';

/**
 * The backup service's HTTP: the ops routes, and the streaming endpoint the gateway proxies to
 * with a ticket it got over NATS (`rpc.backup.transfer.v1`): GET streams a backup as an Odoo zip,
 * PUT takes an Odoo zip and imports it as a new tenant. Bulk bytes go over HTTP rather than NATS
 * messages; a ticket is single-use, short-lived, and kept only as its hash.
 */

interface Ticket {
  direction: 'download' | 'import';
  backup_id: string | null;
  params: {
    newTenant?: { slug: string; displayName?: string; runtimeId?: string; odooVersion?: string } | null;
  };
  actor: string | null;
}

function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

async function spendTicket(
  ctx: BackupContext,
  token: string,
  direction: Ticket['direction'],
): Promise<Ticket | undefined> {
  const { rows } = await ctx.pool.query<Ticket>(
    `UPDATE transfer_tickets SET used_at = now()
     WHERE token_hash = $1 AND direction = $2 AND used_at IS NULL AND expires_at > now()
     RETURNING direction, backup_id, params, actor`,
    [ticketHash(token), direction],
  );
  return rows[0];
}

export async function buildHttp(
  rt: ServiceRuntime<BackupConfig>,
  ctx: BackupContext,
  operations?: OperationMetrics,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: rt.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    // An Odoo zip of a large database: the limit is the gateway's (IMPORT_MAX_BYTES).
    bodyLimit: Number.MAX_SAFE_INTEGER,
  });
  await app.register(opsRoutes, { registry: rt.registry, checks: rt.checks });
  app.addContentTypeParser(['application/zip', 'application/octet-stream'], (_req, payload, done) =>
    done(null, payload),
  );

  app.get<{ Params: { token: string } }>('/transfers/:token', async (req, reply) => {
    const ticket = await spendTicket(ctx, req.params.token, 'download');
    if (!ticket?.backup_id)
      return refuse(
        reply,
        404,
        'NOT_FOUND',
        'this download link is unknown, used or expired; ask for a new one',
      );
    const backup = await getBackup(ctx.pool, ticket.backup_id);
    if (!backup?.object_key || backup.state !== 'succeeded')
      return refuse(reply, 404, 'BACKUP_NOT_FOUND', `backup ${ticket.backup_id} is gone`);
    const tools = await ctx.tools(backup.database_server_name ?? backup.database_server_id);
    const out = new PassThrough();
    const abort = new AbortController();
    req.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    writeOdooZip({
      store: ctx.store,
      key: backup.object_key,
      keyring: ctx.keyring,
      expect: { tenantId: backup.tenant_id, backupId: backup.id },
      signal: abort.signal,
      tools,
      out,
    }).then(
      () => rt.logger.info({ backupId: backup.id, actor: ticket.actor }, 'backup downloaded as an Odoo zip'),
      (err: unknown) => rt.logger.warn({ err, backupId: backup.id }, 'the Odoo zip download was cut off'),
    );
    return reply.type('application/zip').send(out);
  });

  app.put<{ Params: { token: string }; Body: Readable }>('/transfers/:token', async (req, reply) => {
    const ticket = await spendTicket(ctx, req.params.token, 'import');
    const fresh = ticket?.params.newTenant;
    if (!ticket || !fresh)
      return refuse(
        reply,
        404,
        'NOT_FOUND',
        'this upload link is unknown, used or expired; ask for a new one',
      );
    if (!(req.body && typeof (req.body as Readable).pipe === 'function'))
      return refuse(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the zip as application/zip');
    const opId = randomUUID();
    let begun: Awaited<ReturnType<typeof ctx.bus.request<'tenant.restore.begin.v1'>>>;
    try {
      begun = await ctx.bus.request(
        'tenant.restore.begin.v1',
        {
          restoreId: opId,
          newTenant: {
            slug: fresh.slug,
            ...(fresh.displayName ? { displayName: fresh.displayName } : {}),
            ...(fresh.runtimeId ? { runtimeId: fresh.runtimeId } : {}),
            ...(fresh.odooVersion ? { odooVersion: fresh.odooVersion } : {}),
          },
          ...(ticket.actor ? { actor: ticket.actor } : {}),
        },
        { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS },
      );
    } catch (e) {
      req.body.resume();
      if (e instanceof RpcError) return refuse(reply, httpStatusOf(e.code), e.code, e.message);
      throw e;
    }
    const { tenant, target } = begun;
    const { rows } = await ctx.pool.query<OperationRow>(
      `INSERT INTO operations (id, kind, tenant_id, state, step, progress, params, actor, leased_by, lease_expires_at, started_at, attempts)
       VALUES ($1, 'backup.import', $2, 'running', 'uploading', 1, $3, $4, $5, now() + interval '10 minutes', now(), 1)
       RETURNING *`,
      [
        opId,
        tenant.id,
        JSON.stringify({ targetTenantId: tenant.id }),
        ticket.actor,
        `http:${hostname()}:${process.pid}`,
      ],
    );
    const op = rows[0]!;
    const restoreDb = target.restoreDatabaseName!;
    const scratchFiles = !target.filestoreDir;
    const restoreDir = target.filestoreDir
      ? siblingDir(target.filestoreDir, restoreDb)
      : await mkdtemp(path.join(tmpdir(), 'ocp-import-'));
    const admin = ctx.connection(serverOf(target), 'postgres');
    const want = target.odooVersion ?? '18.0';
    let last = 0;
    // The uploaded SQL runs as a role of its own that owns only the new database (see createImportRole).
    const importRole = `ocp_import_${opId.replaceAll('-', '').slice(0, 20)}`;
    const importPassword = randomBytes(24).toString('base64url');
    try {
      await createImportRole(admin, importRole, importPassword);
      await createEmptyDatabase(admin, restoreDb, importRole);
      await removeDir(restoreDir);
      const imported = await importOdooZip({
        input: req.body,
        tools: await ctx.tools(serverOf(target)),
        target: {
          ...ctx.connection(serverOf(target), restoreDb),
          user: importRole,
          password: importPassword,
        },
        ownerRole: importRole,
        filestoreDir: restoreDir,
        acceptVersion: (m: OdooManifest) =>
          m.major_version === want
            ? null
            : `the zip is a backup of Odoo ${m.major_version}; the runtime this tenant goes to serves Odoo ${want}`,
        onProgress: (bytes) => {
          const now = Date.now();
          if (now - last < 1000) return;
          last = now;
          void ctx.pool
            .query(`UPDATE operations SET lease_expires_at = now() + interval '10 minutes' WHERE id = $1`, [
              op.id,
            ])
            .then(() =>
              updateOperation(ctx.pool, op.id, { bytesDone: bytes, step: 'importing', progress: 50 }),
            )
            .catch(() => {});
        },
      });
      await adoptImported(admin, restoreDb, importRole, target.ownerRole);
      if (scratchFiles) await removeDir(restoreDir);
      const end = await ctx.bus.request(
        'tenant.restore.end.v1',
        { restoreId: opId, tenantId: tenant.id, outcome: 'restored' },
        { timeoutMs: ctx.config.TENANT_RPC_TIMEOUT_MS },
      );
      const done = await withTransaction(ctx.pool, (client) =>
        updateOperation(client, op.id, {
          state: 'succeeded',
          step: 'done',
          progress: 100,
          error: null,
          result: {
            tenantId: tenant.id,
            odooVersion: imported.manifest.major_version,
            modules: Object.keys(imported.manifest.modules).length,
            files: imported.files,
            ...(scratchFiles && imported.files ? { filesDiscarded: true } : {}),
          },
        }),
      );
      await ctx.pool.query('UPDATE operations SET leased_by = NULL, lease_expires_at = NULL WHERE id = $1', [
        op.id,
      ]);
      operations?.ended(done);
      rt.logger.info({ tenantId: tenant.id, files: imported.files }, 'imported an Odoo zip as a new tenant');
      return reply.code(201).send({ tenant: end.tenant, operation: toOperation(done) });
    } catch (e) {
      req.body.resume();
      const message = describe(e);
      await dropDatabase(admin, restoreDb).catch(() => {});
      await dropRole(admin, importRole).catch(() => {});
      await removeDir(restoreDir).catch(() => {});
      await endRestoreFailed(ctx, opId, tenant.id, message);
      await updateOperation(ctx.pool, op.id, {
        state: 'failed',
        step: 'failed',
        error: message.slice(0, 2000),
      }).then(
        (failed) => operations?.ended(failed),
        () => {},
      );
      await ctx.pool
        .query('UPDATE operations SET leased_by = NULL, lease_expires_at = NULL WHERE id = $1', [op.id])
        .catch(() => {});
      rt.logger.warn({ err: e, tenantId: tenant.id }, 'an Odoo zip import failed');
      if (e instanceof OdooZipError) return refuse(reply, 422, 'BACKUP_UNUSABLE', message);
      return refuse(reply, 500, 'INTERNAL', 'the import failed on our side; the new tenant was not kept');
    }
  });
  return app;
}
