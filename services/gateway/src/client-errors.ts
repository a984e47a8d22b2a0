import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { titleOf } from './errors.ts';

/**
 * Answers a request Node's HTTP parser refused before fastify saw it (a URL or headers over the
 * 16 KB limit, a malformed request line, a client too slow to send its headers) with the same
 * problem shape as every other error, instead of fastify's own JSON: a client learns what to change.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A connection reset: nothing is left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'the URL and headers are larger than the server takes (16 KB); send a shorter URL or fewer headers',
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time; send it again']
        : [400, 'the request is not valid HTTP/1.1'];
  const requestId = randomUUID();
  const body = JSON.stringify({
    type: 'https://ocp.local/problems/bad-request',
    title: titleOf('BAD_REQUEST'),
    status,
    detail,
    code: 'BAD_REQUEST',
    requestId,
  });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nCache-Control: no-store\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/**
 * Answers what the router refuses before any route runs (a path parameter over 300 characters, a
 * path that is not valid percent-encoded UTF-8) as a problem naming what to change, without echoing
 * the path (it may be 16 KB long).
 */
export function frameworkErrors(
  err: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | undefined {
  const [status, detail] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'a path parameter is longer than 300 characters; no identifier or domain name is that long']
      : err.code === 'FST_ERR_BAD_URL'
        ? [400, 'the path is not valid percent-encoded UTF-8']
        : [400, 'the request is not valid'];
  return reply
    .code(status)
    .type('application/problem+json')
    .header('x-request-id', req.id)
    .send({
      type: 'https://ocp.local/problems/bad-request',
      title: titleOf('BAD_REQUEST'),
      status,
      detail,
      code: 'BAD_REQUEST',
      requestId: req.id,
    });
}
