import type { ErrorCode } from '@ocp/contracts';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** Sends an RFC 9457 problem. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  title: string,
  detail: string,
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title, status, detail, code });
}

/**
 * Every refusal as a problem: a body that fails its schema or is no JSON says what is wrong, a
 * route that does not exist says so, and a failure of ours says nothing of its insides.
 */
export function problemHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      404,
      'NOT_FOUND',
      'Not found',
      `nothing answers ${req.method} ${req.url.split('?')[0]}`,
    ),
  );
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation)
      return sendProblem(
        reply,
        400,
        'VALIDATION_FAILED',
        'The request is not valid',
        `${err.message}; send Alertmanager's webhook body (version 4)`,
      );
    const status = err.statusCode ?? 500;
    if (status === 415)
      return sendProblem(
        reply,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'Unsupported content type',
        'send application/json',
      );
    if (status === 413)
      return sendProblem(reply, 413, 'PAYLOAD_TOO_LARGE', 'Request body too large', err.message);
    if (status >= 400 && status < 500)
      return sendProblem(reply, status, 'BAD_REQUEST', 'The request is not valid', err.message);
    req.log.error({ err }, 'request failed');
    return sendProblem(reply, 500, 'INTERNAL', 'Internal error', 'the notifier failed; see its log');
  });
}
