import { Readable } from 'node:stream';
import type { Bus } from '@ocp/bus';
import type { AuditQueryReplyV1, AuditQueryRequestV1 } from '@ocp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { csvHeader, csvRow, ndjsonRow } from '../../domain/audit-export.ts';
import type { Permission } from '../../domain/permissions.ts';
import { apiError } from '../../errors.ts';
import { checkTenantScope, tenantScopeOf } from '../../plugins/auth.ts';
import { auditPage, auditQuery, exportQuery, verifyBody, verifyReply } from '../../schemas/audit.ts';

type Filters = Pick<AuditQueryRequestV1, 'from' | 'to' | 'actor' | 'tenantId' | 'action' | 'outcome'>;

/** Entries per request to the audit service while exporting; each page is written as it comes. */
const EXPORT_PAGE = 1000;

/**
 * `/api/v1/audit`: query, export and verify the audit log kept by the audit service (over NATS
 * request/reply). A caller limited to some tenants sees only entries about them.
 */
export default async function auditRoutes(
  app: FastifyInstance,
  opts: { bus: Bus; timeoutMs: number; verifyTimeoutMs: number },
) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };

  /** The filters as the audit service takes them, narrowed to the caller's tenants. */
  function scoped(req: FastifyRequest, f: Filters, permission: Permission): AuditQueryRequestV1 {
    if (f.from && f.to && Date.parse(f.from) >= Date.parse(f.to))
      throw apiError(
        'VALIDATION_FAILED',
        'querystring/from must be before querystring/to',
        'querystring/from',
      );
    if (f.tenantId) checkTenantScope(req, f.tenantId, permission);
    const scope = tenantScopeOf(req);
    const out: AuditQueryRequestV1 = { limit: 1, ...(scope ? { tenantIds: scope } : {}) };
    for (const k of ['from', 'to', 'actor', 'tenantId', 'action', 'outcome'] as const)
      if (f[k] !== undefined) Object.assign(out, { [k]: f[k] });
    return out;
  }

  app.get<{ Querystring: Filters & { cursor?: string; limit: number; order: 'asc' | 'desc' } }>(
    '/api/v1/audit',
    {
      config: { permission: 'audit:read', action: 'audit.query' },
      schema: {
        tags: ['audit'],
        summary: 'Query the audit log, oldest or newest first',
        description:
          'Filters: from, to, actor, tenantId, action, outcome. Oldest first (chain order) unless order=desc. Page with cursor = nextCursor of the previous page, in the same order.',
        querystring: auditQuery,
        response: { 200: auditPage },
      },
    },
    async (req) => {
      const { cursor, limit, order, ...filters } = req.query;
      return bus.request(
        'audit.query.v1',
        { ...scoped(req, filters, 'audit:read'), limit, order, ...(cursor !== undefined ? { cursor } : {}) },
        rpc,
      );
    },
  );

  app.get<{ Querystring: Filters & { format: 'ndjson' | 'csv' } }>(
    '/api/v1/audit/export',
    {
      // Who took a copy of the log is worth knowing: this read is audited too.
      config: { permission: 'audit:export', action: 'audit.export', auditReads: true },
      schema: {
        tags: ['audit'],
        summary: 'Export the audit log as NDJSON or CSV',
        description:
          'Streams every matching entry, oldest first, page by page as the audit service answers; the log is never held whole in memory. CSV follows RFC 4180 with a header row; `data` is the JSON of the recorded event.',
        querystring: exportQuery,
        response: {
          200: {
            description: 'The entries, as an attachment.',
            content: {
              'application/x-ndjson': { schema: { type: 'string' } },
              'text/csv': { schema: { type: 'string' } },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const { format, ...filters } = req.query;
      const base = { ...scoped(req, filters, 'audit:export'), limit: EXPORT_PAGE };
      const page = (cursor?: string): Promise<AuditQueryReplyV1> =>
        bus.request('audit.query.v1', cursor === undefined ? base : { ...base, cursor }, rpc);
      // The first page before any byte is sent: an audit service that does not answer is a 503 problem.
      const first = await page();
      const row = format === 'csv' ? csvRow : ndjsonRow;
      async function* pages() {
        if (format === 'csv') yield csvHeader;
        let current = first;
        for (;;) {
          if (current.items.length > 0) yield current.items.map(row).join('');
          if (current.nextCursor === null || current.items.length === 0) return;
          current = await page(current.nextCursor);
        }
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`)
        .send(Readable.from(pages(), { objectMode: false }));
    },
  );

  app.post<{ Body: { fromSeq?: number; toSeq?: number } | null }>(
    '/api/v1/audit/verify',
    {
      config: { permission: 'audit:verify', action: 'audit.verify' },
      schema: {
        tags: ['audit'],
        summary: "Check the audit log's hash chain and its last signed checkpoint",
        description:
          'Over positions fromSeq to toSeq (the whole log by default); names the first broken link. ' +
          'Compares the log with the last checkpoint of its head, signed outside the database: ' +
          '`checkpoint` says whether it matches, or which entries are missing (truncated), or that the ' +
          'entry it signed was rewritten, or that the checkpoint was not signed by the audit service. ' +
          '503 when the checkpoint stream cannot be read: the log is then not reported valid.',
        body: verifyBody,
        response: { 200: verifyReply },
      },
    },
    async (req) => {
      const body = req.body ?? {};
      if (body.fromSeq !== undefined && body.toSeq !== undefined && body.fromSeq > body.toSeq)
        throw apiError('VALIDATION_FAILED', 'body/fromSeq must not be after body/toSeq', 'body/fromSeq');
      return bus.request('audit.verify.v1', body, { timeoutMs: opts.verifyTimeoutMs });
    },
  );
}
