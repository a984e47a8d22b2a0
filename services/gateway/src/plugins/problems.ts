import { RpcError, RpcUnavailableError } from '@ocp/bus';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, apiError } from '../errors.ts';

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
 * Every error leaves as `application/problem+json`. Client mistakes say what was wrong; a 5xx
 * says only that it failed and carries the request id to find it in the logs.
 */
export const problemsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setNotFoundHandler((req, reply) => {
      reply
        .code(404)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: 'Not found',
          status: 404,
          detail: `no route ${req.method} ${req.url.split('?')[0]}`,
        });
    });
    app.setErrorHandler(
      (err: FastifyError & { validation?: AjvIssue[]; validationContext?: string }, req, reply) => {
        let e: ApiError;
        if (err instanceof ApiError) e = err;
        else if (err.validation) {
          const { detail, field } = describeValidation(err.validation, err.validationContext);
          e = apiError('VALIDATION_FAILED', detail, field);
        } else if (err instanceof RpcError) {
          const rpcErr = err as unknown as RpcError;
          e = apiError(rpcErr.code, rpcErr.message, rpcErr.field ? `body${rpcErr.field}` : undefined);
        } else if (err instanceof RpcUnavailableError)
          e = apiError('SERVICE_UNAVAILABLE', `${err.message}; try again shortly`);
        else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
          e = apiError('PAYLOAD_TOO_LARGE', `the body is larger than ${app.initialConfig.bodyLimit} bytes`);
        else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
          e = apiError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
        // The parser's own message quotes the body, which may hold a password: never echo it.
        else if (
          err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
          (err instanceof SyntaxError && err.statusCode === 400)
        )
          e = apiError('BAD_REQUEST', 'the body is not valid JSON');
        else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
          e = apiError('BAD_REQUEST', 'the body is empty; send a JSON object, or no content-type header');
        else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
          e = apiError('BAD_REQUEST', err.message);
        else {
          req.log.error({ err }, 'request failed');
          e = apiError('INTERNAL', `the request failed; quote request id ${req.id} to find it in the logs`);
        }
        if (e.status >= 500 && e.code !== 'INTERNAL')
          req.log.warn({ code: e.code, detail: e.message }, 'service unavailable');
        if (e.headers) reply.headers(e.headers);
        reply
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
      },
    );
  },
  { name: 'problems' },
);
