import { Readable } from 'node:stream';
import { type Bus, RpcError } from '@ocp/bus';
import type { Backup, BackupListRequestV1, BackupRestoreRequestV1, Operation, Tenant } from '@ocp/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../../domain/permissions.ts';
import { whyDenied } from '../../domain/permissions.ts';
import { apiError, forbidden } from '../../errors.ts';
import { tenantScopeOf } from '../../plugins/auth.ts';
import {
  backupAndOperation,
  backupListQuery,
  backupListReply,
  backupParams,
  backupRef,
  backupWindowBody,
  backupWindowRef,
  downloadReply,
  importQuery,
  importReply,
  moveBody,
  operationReply,
  overdueQuery,
  overdueReply,
  restoreBody,
  restoreTargets,
} from '../../schemas/backups.ts';
import { tenantIdParams } from '../../schemas/tenants.ts';
import { lookupTenant } from '../tenant-lookup.ts';
import { type BackupTransfer, problemOfAnswer, uploadTooLarge } from './transfer.ts';

type ListQuery = Omit<BackupListRequestV1, 'tenantId'>;
type RestoreBody = Pick<BackupRestoreRequestV1, 'tenantId' | 'newTenant'>;
interface ImportQuery {
  slug: string;
  displayName?: string;
  runtimeId?: string;
  odooVersion?: string;
}

/** The content types an Odoo zip may come as. */
const ZIP_TYPES = new Set(['application/zip', 'application/octet-stream']);

export interface BackupRoutesOptions {
  bus: Bus;
  timeoutMs: number;
  transfer: BackupTransfer;
  /** Largest Odoo zip an import takes (IMPORT_MAX_BYTES). */
  importMaxBytes: number;
}

/** Aborts when the caller goes away before its answer is complete: an upstream transfer then stops too. */
function abortedWith(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** A file name for content-disposition: what the backup service names it, in safe characters. */
const attachmentName = (fileName: string | null | undefined, backup: Backup): string =>
  (fileName || `backup-${backup.id}.zip`).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);

/**
 * `/api/v1/tenants/{tenant}/backups`, `/api/v1/backups/{backup}` and `/api/v1/tenants/import`, owned
 * by the backup service. Backups, restores and drills are its operations (202, follow them at
 * `/api/v1/operations/{id}`). A download and an import stream through the gateway to the backup
 * service's HTTP endpoint with a single-use ticket, never held here: back-pressure from the slower
 * socket reaches the other one.
 */
export default async function backupRoutes(app: FastifyInstance, opts: BackupRoutesOptions) {
  const { bus, transfer } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };
  const actor = (req: FastifyRequest) => req.principal?.actor ?? 'anonymous';

  /**
   * Resolves `{backup}` within the caller's tenants and notes it for the audit log. A limited
   * caller gets the same 403 for a backup of another tenant as for one that does not exist, so it
   * learns nothing about either.
   */
  async function lookupBackup(
    req: FastifyRequest,
    backupId: string,
    permission: Permission,
  ): Promise<Backup> {
    req.audit.target = `backup:${backupId}`;
    const scope = tenantScopeOf(req);
    const outOfScope = () =>
      forbidden(
        permission,
        `this needs the permission ${permission} for backup ${backupId}, which is not a backup of one of this account's tenants`,
      );
    let backup: Backup;
    try {
      ({ backup } = await bus.request('backup.get.v1', { backupId }, rpc));
    } catch (e) {
      if (scope && e instanceof RpcError && e.code === 'BACKUP_NOT_FOUND') throw outOfScope();
      throw e;
    }
    if (scope && !scope.includes(backup.tenantId)) throw outOfScope();
    req.audit.tenantId = backup.tenantId;
    return backup;
  }

  /** Answers 202 with the operation to follow. */
  function accepted<T extends { operation: Operation }>(reply: FastifyReply, result: T) {
    return reply.code(202).header('location', `/api/v1/operations/${result.operation.id}`).send(result);
  }

  app.post<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/backups',
    {
      config: { permission: 'backups:write', action: 'backup.create' },
      schema: {
        tags: ['backups'],
        summary: 'Back up a tenant now',
        description:
          "Queues a backup of the tenant's database and filestore into one encrypted archive in the object store. Answers 202 with the backup (queued) and the operation to follow.",
        params: tenantIdParams,
        response: { 202: backupAndOperation },
      },
    },
    async (req, reply) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'backups:write');
      const result = await bus.request('backup.create.v1', { tenantId: tenant.id, actor: actor(req) }, rpc);
      req.audit.target = `backup:${result.backup.id}`;
      req.audit.after = result.backup;
      return accepted(reply, result);
    },
  );

  app.post<{ Params: { tenant: string }; Body: { runtimeId?: string; databaseServerId?: string } }>(
    '/api/v1/tenants/:tenant/move',
    {
      config: { permission: 'tenants:move', action: 'tenant.move' },
      schema: {
        tags: ['backups'],
        summary: 'Move a tenant to another database server',
        description:
          'By backup and restore: onto a ready runtime of its Odoo version on another server (`runtimeId`, for a tenant a runtime serves) or onto another server (`databaseServerId`, for a tenant on no runtime). The tenant is `migrating` and shut meanwhile (what is written after the backup would be lost), and opened again on its new server; the backup that carried it stays as a restore point, the old database is dropped. Answers 202 with the operation to follow; a refusal (same server, another Odoo version, a runtime not ready) fails the operation saying why.',
        params: tenantIdParams,
        body: moveBody,
        response: { 202: operationReply },
      },
    },
    async (req, reply) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'tenants:move');
      if (!req.body.runtimeId === !req.body.databaseServerId)
        throw apiError('VALIDATION_FAILED', 'name either runtimeId or databaseServerId', 'body');
      const result = await bus.request(
        'backup.move.v1',
        {
          tenantId: tenant.id,
          ...(req.body.runtimeId ? { runtimeId: req.body.runtimeId } : {}),
          ...(req.body.databaseServerId ? { databaseServerId: req.body.databaseServerId } : {}),
          actor: actor(req),
        },
        rpc,
      );
      return accepted(reply, result);
    },
  );

  app.get<{ Params: { tenant: string } }>(
    '/api/v1/tenants/:tenant/backup-window',
    {
      config: { permission: 'backups:read', action: 'backup.window.read' },
      schema: {
        tags: ['backups'],
        summary: "Get a tenant's backup window",
        description:
          "The daily window (HH:MM UTC and its length) in which the tenant's scheduled backup may start; `derived` when no operator set one (a start derived from the tenant id, spreading a fleet over the day).",
        params: tenantIdParams,
        response: { 200: backupWindowRef },
      },
    },
    async (req) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'backups:read');
      return (await bus.request('backup.window.get.v1', { tenantId: tenant.id }, rpc)).window;
    },
  );

  app.put<{ Params: { tenant: string }; Body: { windowStart: string | null; windowMinutes?: number } }>(
    '/api/v1/tenants/:tenant/backup-window',
    {
      config: { permission: 'backups:write', action: 'backup.window.set' },
      schema: {
        tags: ['backups'],
        summary: "Set a tenant's backup window",
        description:
          "When the tenant's scheduled backup may start each day: `windowStart` HH:MM UTC (null: back to the derived start) and `windowMinutes` (15 to 1440, default 240).",
        params: tenantIdParams,
        body: backupWindowBody,
        response: { 200: backupWindowRef },
      },
    },
    async (req) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'backups:write');
      const { window } = await bus.request(
        'backup.window.set.v1',
        {
          tenantId: tenant.id,
          windowStart: req.body.windowStart,
          ...(req.body.windowMinutes !== undefined ? { windowMinutes: req.body.windowMinutes } : {}),
          actor: actor(req),
        },
        rpc,
      );
      req.audit.after = window;
      return window;
    },
  );

  app.get<{ Params: { tenant: string }; Querystring: ListQuery }>(
    '/api/v1/tenants/:tenant/backups',
    {
      config: { permission: 'backups:read', action: 'backup.list' },
      schema: {
        tags: ['backups'],
        summary: "List a tenant's backups, newest first",
        params: tenantIdParams,
        querystring: backupListQuery,
        response: { 200: backupListReply },
      },
    },
    async (req) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'backups:read');
      return bus.request('backup.list.v1', { ...req.query, tenantId: tenant.id }, rpc);
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/api/v1/backups/overdue',
    {
      config: { permission: 'backups:read', action: 'backup.overdue' },
      schema: {
        tags: ['backups'],
        summary: 'Tenants whose backups are older than their schedule allows',
        description:
          "Active and suspended tenants whose last successful scheduled or manual backup (or, with none, the moment the schedule took them on) is older than a day and the backup service's grace (`graceMinutes`, BACKUP_OVERDUE_GRACE_MINUTES), by tenant id, with when the backup was due and how late it is. An account limited to some tenants sees only its tenants.",
        querystring: overdueQuery,
        response: { 200: overdueReply },
      },
    },
    async (req) => {
      const scope = tenantScopeOf(req);
      return bus.request('backup.overdue.v1', { ...req.query, ...(scope ? { tenantIds: scope } : {}) }, rpc);
    },
  );

  app.get<{ Params: { backup: string } }>(
    '/api/v1/backups/:backup',
    {
      config: { permission: 'backups:read', action: 'backup.read' },
      schema: {
        tags: ['backups'],
        summary: 'Get a backup',
        description:
          "With its state, its size and the figures of its manifest, and its last drill. An account limited to some tenants sees only its tenants' backups.",
        params: backupParams,
        response: { 200: backupRef },
      },
    },
    async (req) => lookupBackup(req, req.params.backup, 'backups:read'),
  );

  app.post<{ Params: { backup: string }; Body: RestoreBody }>(
    '/api/v1/backups/:backup/restore',
    {
      config: { permission: 'backups:restore', action: 'backup.restore' },
      // Before the schema: says which fields, where the schema would only count them.
      preValidation: async (req) => {
        const body: unknown = req.body;
        if (!body || typeof body !== 'object' || Array.isArray(body)) return;
        const sent = restoreTargets.filter((k) => Object.hasOwn(body, k));
        if (sent.length !== 1)
          throw apiError(
            'VALIDATION_FAILED',
            `send exactly one of body/tenantId (restore into the backup's own tenant) and body/newTenant (restore as a new tenant)${sent.length ? ', not both' : ''}`,
            'body/tenantId',
          );
      },
      schema: {
        tags: ['backups'],
        summary: 'Restore a backup',
        description: [
          "With `tenantId` (the backup's own tenant): replaces the tenant's database and filestore with the backup's. A pre-restore backup of what the tenant holds now is taken first; the tenant is offline meanwhile and returns to its state.",
          "With `newTenant`: makes a new tenant from the backup on the same runtime, as a staging copy; the backup's tenant stays as it is. This needs the permission `tenants:duplicate` too.",
          'Answers 202 with the operation to follow. A backup that did not succeed, or whose archive fails its checks, answers 422 BACKUP_UNUSABLE.',
        ].join('\n\n'),
        params: backupParams,
        body: restoreBody,
        response: { 202: operationReply },
      },
    },
    async (req, reply) => {
      const backup = await lookupBackup(req, req.params.backup, 'backups:restore');
      const { tenantId, newTenant } = req.body;
      const p = req.principal;
      if (newTenant && p && !p.permissions.has('tenants:duplicate'))
        throw forbidden(
          'tenants:duplicate',
          `restoring into a new tenant makes a tenant: ${whyDenied('tenants:duplicate', p.operator.role, p.operator.tenantIds, p.token?.scopes ?? null)}`,
        );
      if (tenantId !== undefined && tenantId !== backup.tenantId)
        throw apiError(
          'BACKUP_UNUSABLE',
          `backup ${backup.id} is of tenant ${backup.tenantId}: restore it into that tenant, or into a new tenant (newTenant)`,
          'body/tenantId',
        );
      const result = await bus.request(
        'backup.restore.v1',
        { backupId: backup.id, ...req.body, actor: actor(req) },
        rpc,
      );
      req.audit.after = result.operation;
      return accepted(reply, result);
    },
  );

  app.post<{ Params: { backup: string } }>(
    '/api/v1/backups/:backup/drill',
    {
      config: { permission: 'backups:write', action: 'backup.drill' },
      schema: {
        tags: ['backups'],
        summary: 'Drill a backup',
        description:
          "Proves the backup: restores it into a scratch database, compares it with its manifest (tables, files, checksums) and drops the scratch database. The tenant is not touched. Answers 202 with the operation to follow; the backup's `drill` tells the outcome.",
        params: backupParams,
        response: { 202: operationReply },
      },
    },
    async (req, reply) => {
      const backup = await lookupBackup(req, req.params.backup, 'backups:write');
      const result = await bus.request('backup.drill.v1', { backupId: backup.id, actor: actor(req) }, rpc);
      req.audit.after = result.operation;
      return accepted(reply, result);
    },
  );

  app.get<{ Params: { backup: string } }>(
    '/api/v1/backups/:backup/download',
    {
      // The whole of a customer's data leaves the platform: audited although it is a read. A HEAD
      // would spend the single-use ticket for nothing.
      config: { permission: 'backups:download', action: 'backup.download', auditReads: true },
      exposeHeadRoute: false,
      schema: {
        tags: ['backups'],
        summary: "Download a backup in Odoo's zip format",
        description:
          "Streams the backup, decrypted, as the zip Odoo's database manager makes and restores (dump.sql, filestore/, manifest.json): it holds the tenant's whole data. Nothing is held in the gateway. A backup that did not succeed answers 422 BACKUP_UNUSABLE.",
        params: backupParams,
        response: { 200: downloadReply },
      },
    },
    async (req, reply) => {
      const backup = await lookupBackup(req, req.params.backup, 'backups:download');
      const ticket = await bus.request(
        'backup.transfer.v1',
        { direction: 'download', backupId: backup.id, actor: actor(req) },
        rpc,
      );
      const zip = await transfer.download(ticket.path, abortedWith(reply));
      const length = zip.headers['content-length'];
      if (length && /^\d+$/.test(length)) reply.header('content-length', length);
      // Fastify pipes it: a slow caller pauses the read from the backup service, and a caller
      // that goes away destroys it, which ends the upstream request.
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${attachmentName(ticket.fileName, backup)}"`)
        .send(zip);
    },
  );

  // Its own context: the body is the raw request stream, for this route only.
  await app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    // Every content type is handed over as the stream (the handler refuses all but a zip), so no
    // parser reads the body, and no body limit applies but IMPORT_MAX_BYTES, counted on the way.
    upload.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    upload.post<{ Querystring: ImportQuery }>(
      '/api/v1/tenants/import',
      {
        config: {
          permission: 'tenants:import',
          action: 'tenant.import',
          rawBody: { mediaTypes: [...ZIP_TYPES], description: 'The Odoo zip.' },
        },
        // A refusal before the body was read: the connection closes after the answer instead of
        // reading gigabytes nobody wants.
        onError: async (req, reply) => {
          if (!req.raw.complete) reply.header('connection', 'close');
        },
        schema: {
          tags: ['backups'],
          summary: 'Import an Odoo zip as a new tenant',
          description: [
            "The body is a backup zip as Odoo's database manager makes it (dump.sql, filestore/, manifest.json), sent as application/zip (or application/octet-stream), at most IMPORT_MAX_BYTES (10 GiB by default). It streams through to the backup service, which checks it, makes the tenant `slug` and restores the zip into it on a runtime of the zip's Odoo series (or `runtimeId`).",
            'Answers 201 with the new tenant and the operation of the restore to follow. A zip that is not usable (no manifest, an Odoo series no runtime serves, a broken dump) answers 422 BACKUP_UNUSABLE; a slug in use answers 409.',
          ].join('\n\n'),
          querystring: importQuery,
          response: { 201: importReply },
        },
      },
      async (req, reply) => {
        const { slug, displayName, runtimeId, odooVersion } = req.query;
        req.audit.target = `tenant:${slug}`;
        const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
        if (!(req.body instanceof Readable) || !type || !ZIP_TYPES.has(type))
          throw apiError(
            'UNSUPPORTED_MEDIA_TYPE',
            'send the Odoo zip as the body, with content-type application/zip (or application/octet-stream)',
          );
        const declared = req.headers['content-length'];
        const length = declared !== undefined && /^\d{1,16}$/.test(declared) ? Number(declared) : undefined;
        if (length !== undefined && length > opts.importMaxBytes) throw uploadTooLarge(opts.importMaxBytes);
        if (length === 0) throw apiError('BAD_REQUEST', 'the body is empty: send the Odoo zip');

        const ticket = await bus.request(
          'backup.transfer.v1',
          {
            direction: 'import',
            newTenant: {
              slug,
              ...(displayName !== undefined ? { displayName } : {}),
              ...(runtimeId !== undefined ? { runtimeId } : {}),
              ...(odooVersion !== undefined ? { odooVersion } : {}),
            },
            actor: actor(req),
          },
          rpc,
        );
        const answer = await transfer.upload(ticket.path, req.body, {
          ...(length !== undefined ? { length } : {}),
          maxBytes: opts.importMaxBytes,
          signal: abortedWith(reply),
        });
        const result = answer.body as { tenant?: Tenant; operation?: Operation } | undefined;
        if (answer.status >= 200 && answer.status < 300 && result?.tenant && result.operation) {
          req.audit.target = `tenant:${result.tenant.id}`;
          req.audit.tenantId = result.tenant.id;
          req.audit.before = null;
          req.audit.after = result.tenant;
          return reply
            .code(answer.status)
            .header('location', `/api/v1/tenants/${result.tenant.id}`)
            .send({ tenant: result.tenant, operation: result.operation });
        }
        if (answer.status < 400) req.log.warn({ status: answer.status }, 'unexpected answer to an import');
        // The backup service names a field of newTenant: here it is a query parameter.
        throw problemOfAnswer(answer.body, (field) => {
          const name = field.split('/').pop();
          return name && Object.hasOwn(req.query, name) ? `querystring/${name}` : undefined;
        });
      },
    );
  });
}
