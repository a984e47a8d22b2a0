import { randomUUID } from 'node:crypto';
import { type AuditRequestV1, InvalidEventError } from '@ocp/contracts';
import { enqueueEvent, type Pool, type PoolClient, type Queryable, withTransaction } from '@ocp/db';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createRefusalTally, type RefusalSummary } from '../domain/refusal-tally.ts';
import { requestTraceparent } from './otel.ts';

/** What a handler tells the audit log about its request, beyond what the gateway sees itself. */
export interface AuditNote {
  /** Replaces the route's action (one route, several kinds of change). */
  action?: string;
  /** e.g. tenant:<id>, operator:<id>, token:<id>. */
  target?: string | null;
  tenantId?: string | null;
  before?: object | null;
  after?: object | null;
  /** Who acted, when not the authenticated caller (a login names who logged in). */
  actor?: string;
  actorEmail?: string | null;
  /** Why it was refused or failed, when the problem detail does not say it for the auditor. */
  reason?: string;
  /** Replaces the outcome the status implies (a refused webhook is a 400 that was denied). */
  outcome?: 'success' | 'denied' | 'failed';
  /** The entry is in the outbox already (written in the transaction of the change). */
  written?: boolean;
  /**
   * Recorded on its own even when refused to an anonymous caller: a login whose password was
   * checked (the login limits bound how many there are).
   */
  keepSeparate?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    audit: AuditNote;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REFUSED = new Set([401, 403, 429]);

const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);

/**
 * Mutating requests and refused ones of the admin API are audited, and reads that ask for it;
 * every provider webhook too, accepted or refused.
 */
export function mustAudit(req: FastifyRequest, status: number): boolean {
  if (req.url.startsWith('/webhooks/')) return true;
  if (!req.url.startsWith('/api/')) return false;
  return MUTATING.has(req.method) || REFUSED.has(status) || req.routeOptions.config?.auditReads === true;
}

/** The data of the `ocp.audit.request.v1` event of a request that ended with `status`. */
export function auditData(req: FastifyRequest, status: number, problemDetail?: string): AuditRequestV1 {
  const note = req.audit ?? {};
  const p = req.principal;
  const tenantId = note.tenantId ?? null;
  const reason = note.reason ?? (status >= 400 ? problemDetail : undefined);
  const data: AuditRequestV1 = {
    actor: cut(note.actor ?? p?.actor ?? 'anonymous', 300),
    actorEmail: note.actorEmail !== undefined ? note.actorEmail : (p?.operator.email ?? null),
    action: cut(note.action ?? req.routeOptions.config?.action ?? 'api.unknown-route', 200),
    target: note.target ?? null,
    tenantId,
    outcome: note.outcome ?? (status < 400 ? 'success' : REFUSED.has(status) ? 'denied' : 'failed'),
    status,
    reason: reason ? cut(reason, 2000) : null,
    method: cut(req.method, 10),
    // Never the query string: whatever a client put there stays out of the log.
    path: cut(req.url.split('?')[0] ?? '', 2000),
    requestId: cut(String(req.id), 100),
    sourceIp: cut(req.ip ?? '', 100),
    userAgent: cut(String(req.headers['user-agent'] ?? ''), 1000),
    ...(note.before !== undefined ? { before: note.before } : {}),
    ...(note.after !== undefined ? { after: note.after } : {}),
  };
  return data;
}

/**
 * Writes the entry to the outbox; a shape the schema refuses is cut to what it accepts, never lost.
 * The writer refuses before it writes anything, so the second try runs in the same transaction.
 */
async function enqueue(q: Queryable, log: FastifyBaseLogger, data: AuditRequestV1, traceparent?: string) {
  const subject = data.tenantId ?? undefined;
  try {
    await enqueueEvent(q, 'ocp.audit.request.v1', { subject, data, traceparent });
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    log.error(
      { issues: err.message },
      'audit entry does not fit its schema; recording it without before/after',
    );
    const { before: _b, after: _a, ...rest } = data;
    await enqueueEvent(q, 'ocp.audit.request.v1', { subject, data: rest, traceparent });
  }
}

/**
 * Runs a change to the gateway's own database and writes its audit entry in the same transaction,
 * so a committed change always has its entry. `status` is what the request will answer.
 */
export async function auditedTransaction<T>(
  pool: Pool,
  req: FastifyRequest,
  status: number,
  fn: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const result = await withTransaction(pool, async (client) => {
    const r = await fn(client);
    await enqueue(client, req.log, auditData(req, status), requestTraceparent(req));
    return r;
  });
  req.audit.written = true;
  return result;
}

function detailOf(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || !payload.startsWith('{')) return undefined;
  try {
    const p = JSON.parse(payload) as { code?: string; detail?: string };
    return p.detail ? (p.code ? `${p.code}: ${p.detail}` : p.detail) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A refusal of a caller nobody knows, which anyone can repeat at will: such refusals of one source
 * are recorded in full once per window and otherwise counted. A refused known caller (403 of an
 * operator, a revoked token) and a checked login stay one entry each; so do webhooks.
 */
function isAnonymousRefusal(req: FastifyRequest, entry: AuditRequestV1): boolean {
  return (
    REFUSED.has(entry.status) &&
    entry.actor === 'anonymous' &&
    !req.audit.keepSeparate &&
    !req.url.startsWith('/webhooks/')
  );
}

/** The audit entry that stands for the counted refusals of one source in one window. */
export function summaryData(s: RefusalSummary): AuditRequestV1 {
  const statuses = Object.entries(s.statuses).sort((a, b) => b[1] - a[1]);
  const [method, path] = (s.samplePaths[0] ?? ' ').split(' ', 2);
  const from = s.windowStartedAt.toISOString();
  const to = s.windowEndsAt.toISOString();
  const byStatus = statuses.map(([k, n]) => `${n} x ${k}`).join(', ');
  return {
    actor: 'anonymous',
    actorEmail: null,
    action: 'api.refusals-summary',
    target: null,
    tenantId: null,
    outcome: 'denied',
    status: Number(statuses[0]?.[0] ?? 401),
    reason: cut(
      `${s.count} more refused anonymous request(s) from ${s.source} between ${from} and ${to} (${byStatus}), ` +
        `after the first, which has its own entry; sample paths: ${s.samplePaths.join(', ')}`,
      2000,
    ),
    method: cut(method ?? '', 10),
    path: cut(path ?? '', 2000),
    // Not one request: an id of its own, so it never passes for one.
    requestId: `summary:${randomUUID()}`,
    sourceIp: cut(s.source, 100),
    userAgent: cut(s.userAgent, 1000),
    after: {
      refusals: {
        count: s.count,
        windowStartedAt: from,
        windowEndsAt: to,
        firstAt: s.firstAt.toISOString(),
        lastAt: s.lastAt.toISOString(),
        statuses: s.statuses,
        actions: s.actions,
        samplePaths: s.samplePaths,
      },
    },
  };
}

export interface AuditOptions {
  pool: Pool;
  /** Anonymous refusals of one source after the first are summed up per window of this length. */
  refusalWindowMs: number;
  /** Sources counted at once; when full, every summary is written. */
  refusalSources: number;
}

/**
 * One `ocp.audit.request.v1` event for every mutating request and every refused one, written to
 * the gateway's outbox before the answer leaves (the relay publishes it to the AUDIT stream, also
 * after NATS was away). Handlers add what only they know in `req.audit`. Refusals of anonymous
 * callers are summed up per source and window (see `refusal-tally.ts`); the summaries are written
 * when their window closes and, at the latest, when the app closes.
 */
export const auditPlugin = fp(
  async (app: FastifyInstance, opts: AuditOptions) => {
    const tally = createRefusalTally({ windowMs: opts.refusalWindowMs, maxSources: opts.refusalSources });
    const writing = new Set<Promise<void>>();

    function writeSummaries(list: RefusalSummary[]): void {
      if (list.length === 0) return;
      const done = (async () => {
        for (const s of list) {
          const entry = summaryData(s);
          try {
            await enqueue(opts.pool, app.log, entry);
          } catch (err) {
            app.log.error({ err, audit: entry }, 'could not record the summary of refused requests');
          }
        }
      })();
      writing.add(done);
      void done.finally(() => writing.delete(done));
    }

    // Windows close on their own time; a sweep a few times per window writes their summaries.
    const sweep = setInterval(
      () => writeSummaries(tally.closed()),
      Math.max(250, Math.min(opts.refusalWindowMs / 4, 5000)),
    );
    sweep.unref();
    // After the last request (the server has stopped taking them), before the pool closes.
    app.addHook('onClose', async () => {
      clearInterval(sweep);
      writeSummaries(tally.drain());
      await Promise.all([...writing]);
    });

    app.decorateRequest('audit', null as unknown as AuditNote);
    app.addHook('onRequest', async (req) => {
      req.audit = {};
    });
    app.addHook('onSend', async (req, reply, payload) => {
      req.audit ??= {};
      if (req.audit.written || !mustAudit(req, reply.statusCode)) return payload;
      const entry = auditData(req, reply.statusCode, detailOf(payload));
      if (isAnonymousRefusal(req, entry)) {
        const { verdict, flush } = tally.note({
          source: entry.sourceIp,
          method: entry.method,
          path: entry.path,
          action: entry.action,
          status: entry.status,
          userAgent: entry.userAgent,
        });
        writeSummaries(flush);
        if (verdict === 'counted') return payload;
      }
      try {
        await enqueue(opts.pool, req.log, entry, requestTraceparent(req));
        req.audit.written = true;
      } catch (err) {
        // The answer still goes out; the entry goes to the log so it can be recovered by hand.
        req.log.error({ err, audit: entry }, 'could not record the audit entry');
      }
      return payload;
    });
  },
  { name: 'audit' },
);
