import { RpcError, RpcUnavailableError } from '@ocp/bus';
import { classifyDbError } from '@ocp/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, apiError } from '../errors.ts';

/** Seconds a client waits before trying again after a 503 that passes by itself. */
const RETRY_AFTER_SECONDS = '5';

interface AjvIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { description?: string };
}

/** One sentence per validation issue, with what a valid value looks like where the schema says. */
function describeValidation(
  issues: AjvIssue[],
  context: string | undefined,
): { detail: string; field?: string } {
  const parts: string[] = [];
  let field: string | undefined;
  for (const i of issues) {
    const base = `${context ?? 'body'}${i.instancePath}`;
    let where = base;
    let what: string;
    if (i.keyword === 'additionalProperties') {
      where = `${base}/${String(i.params.additionalProperty)}`;
      what = 'is not a known field';
    } else if (i.keyword === 'required') {
      where = `${base}/${String(i.params.missingProperty)}`;
      what = 'is required';
    } else if (i.keyword === 'enum') {
      what = `must be one of: ${(i.params.allowedValues as unknown[]).join(', ')}`;
    } else {
      what = i.message ?? 'is invalid';
      if (i.parentSchema?.description) what += ` (${i.parentSchema.description})`;
    }
    field ??= where;
    parts.push(`${where} ${what}`);
  }
  return { detail: parts.join('; '), ...(field ? { field } : {}) };
}

/**
 * Where a request/reply field (`/cursor`) came from in this request: the query string, the path or
 * the body, named as the route schema's own validation names it (`querystring/cursor`). A field the
 * caller did not send (the gateway made it) is not named.
 */
function requestField(req: FastifyRequest, pointer: string): string | undefined {
  const name = pointer.split('/')[1];
  if (!name) return undefined;
  const parts = [
    ['querystring', req.query],
    ['params', req.params],
    ['body', req.body],
  ] as const;
  for (const [context, value] of parts)
    if (value && typeof value === 'object' && Object.hasOwn(value, name)) return `${context}${pointer}`;
  return undefined;
}

/** The problem of an error that is not an ApiError of ours. */
function problemOf(
  app: FastifyInstance,
  err: FastifyError & { validation?: AjvIssue[]; validationContext?: string },
  req: FastifyRequest,
): ApiError {
  if (err instanceof ApiError) return err;
  if (err.validation) {
    const { detail, field } = describeValidation(err.validation, err.validationContext);
    return apiError('VALIDATION_FAILED', detail, field);
  }
  if (err instanceof RpcError) {
    const rpcErr = err as unknown as RpcError;
    return apiError(rpcErr.code, rpcErr.message, rpcErr.field && requestField(req, rpcErr.field));
  }
  if (err instanceof RpcUnavailableError)
    return apiError('SERVICE_UNAVAILABLE', `${err.message}; try again shortly`);
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return apiError('PAYLOAD_TOO_LARGE', `the body is larger than ${app.initialConfig.bodyLimit} bytes`);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return apiError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  // The parser's own message quotes the body, which may hold a password: never echo it.
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400))
    return apiError('BAD_REQUEST', 'the body is not valid JSON');
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return apiError('BAD_REQUEST', 'the body is empty; send a JSON object, or no content-type header');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return apiError('BAD_REQUEST', err.message);
  // A restarting, recovering or saturated database passes by itself: say so, and when to come back.
  const db = classifyDbError(err);
  if (db.transient) {
    req.log.warn({ err, reason: db.reason }, 'database unavailable');
    // The reason stays in the log: a 5xx says what to do, never what is inside.
    return apiError('DATABASE_UNAVAILABLE', 'the database is not available for a moment; try again shortly');
  }
  req.log.error({ err }, 'request failed');
  return apiError('INTERNAL', `the request failed; quote request id ${req.id} to find it in the logs`);
}

/** Sends an ApiError as RFC 9457 problem details: one shape for every error, a missing route too. */
function sendProblem(req: FastifyRequest, reply: FastifyReply, e: ApiError): FastifyReply {
  if (e.status >= 500 && e.code !== 'INTERNAL')
    req.log.warn({ code: e.code, detail: e.message }, 'service unavailable');
  if (e.headers) reply.headers(e.headers);
  if (
    (e.code === 'SERVICE_UNAVAILABLE' || e.code === 'DATABASE_UNAVAILABLE') &&
    !reply.hasHeader('retry-after')
  )
    reply.header('retry-after', RETRY_AFTER_SECONDS);
  return reply
    .code(e.status)
    .type('application/problem+json')
    .send({
      type: `https://ocp.local/problems/${e.code.toLowerCase().replaceAll('_', '-')}`,
      title: e.title,
      status: e.status,
      detail: e.message,
      code: e.code,
      ...(e.field ? { field: e.field } : {}),
      ...e.extra,
      requestId: req.id,
    });
}

/**
 * Every error leaves as `application/problem+json`. Client mistakes say what was wrong; a 5xx
 * says only that it failed and carries the request id to find it in the logs.
 */
export const problemsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setNotFoundHandler((req, reply) =>
      sendProblem(req, reply, apiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)),
    );
    app.setErrorHandler(
      (err: FastifyError & { validation?: AjvIssue[]; validationContext?: string }, req, reply) =>
        sendProblem(req, reply, problemOf(app, err, req)),
    );
  },
  { name: 'problems' },
);
