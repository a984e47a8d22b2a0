import {
  type ClientRequest,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { finished, type Readable, Transform, type TransformCallback } from 'node:stream';
import { isErrorCode } from '@ocp/contracts';
import { type ApiError, apiError } from '../../errors.ts';

/** Largest JSON answer read from the transfer endpoint: a tenant and its operation, or an error. */
const MAX_ANSWER_BYTES = 1 << 20;
/** How long a download waits for the backup service's first answer (it opens the object first). */
const DOWNLOAD_HEADERS_TIMEOUT_MS = 30_000;

/** The answer of the backup service to an upload: its status and its JSON body, if any. */
export interface UploadAnswer {
  status: number;
  body: unknown;
}

/**
 * The streaming endpoint of the backup service, reached over HTTP with a single-use ticket path
 * (`backup.transfer.v1`). Bodies are piped, never held: back-pressure runs from the slower side's
 * socket through the pipe to the other side's socket.
 */
export interface BackupTransfer {
  /** GETs a download; resolves with the 200 answer to stream on, or rejects with its problem. */
  download(path: string, signal: AbortSignal): Promise<IncomingMessage>;
  /** PUTs an upload from `body`; resolves with the answer, which may come before the body ended. */
  upload(
    path: string,
    body: Readable,
    opts: { length?: number; maxBytes: number; signal: AbortSignal },
  ): Promise<UploadAnswer>;
}

/** Counts the bytes through it and fails past `max`, so an upload without a length is bounded too. */
class ByteLimit extends Transform {
  bytes = 0;
  exceeded = false;
  constructor(readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      this.exceeded = true;
      done(new Error(`upload larger than ${this.max} bytes`));
    } else done(null, chunk);
  }
}

const unreachable = (err: unknown): ApiError =>
  apiError(
    'SERVICE_UNAVAILABLE',
    `the backup service did not take the transfer (${err instanceof Error ? err.message : 'no answer'}); try again shortly`,
  );

export const uploadTooLarge = (max: number): ApiError =>
  apiError('PAYLOAD_TOO_LARGE', `the Odoo zip is larger than ${max} bytes (IMPORT_MAX_BYTES)`);

/** Reads a short answer whole; JSON is parsed, anything else is `undefined`. */
async function readAnswer(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      res.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  if (!/json/.test(String(res.headers['content-type'] ?? ''))) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The problem of an answer that is not a success: the backup service's error
 * (`{error: {code, message, field?}}`, or a problem's `code` and `detail`) with the status of its
 * code; anything else is a 503 that says only that the transfer failed. `fieldOf` names where a
 * field came from in the caller's request, or nothing.
 */
export function problemOfAnswer(body: unknown, fieldOf: (field: string) => string | undefined): ApiError {
  const outer = (body ?? {}) as { error?: unknown };
  const e = (typeof outer.error === 'object' && outer.error ? outer.error : outer) as {
    code?: unknown;
    message?: unknown;
    detail?: unknown;
    field?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : e.detail;
  if (typeof e.code === 'string' && isErrorCode(e.code) && typeof message === 'string') {
    const field = typeof e.field === 'string' ? fieldOf(e.field) : undefined;
    return apiError(e.code, message, field);
  }
  return apiError('SERVICE_UNAVAILABLE', 'the backup service failed the transfer; try again shortly');
}

/** The transfer endpoint of the backup service at `baseUrl` (http:// or https://). */
export function backupTransfer(baseUrl: string): BackupTransfer {
  const base = baseUrl.replace(/\/+$/, '');
  const send = base.startsWith('https:') ? httpsRequest : httpRequest;

  /** The URL of a ticket's path; a path that would leave the service's origin is refused. */
  function urlOf(path: string): URL {
    if (!/^\/(?!\/)[\x21-\x7e]*$/.test(path))
      throw apiError('SERVICE_UNAVAILABLE', 'the backup service handed out an unusable transfer path');
    return new URL(`${base}${path}`);
  }

  function open(path: string, options: RequestOptions): ClientRequest {
    return send(urlOf(path), options);
  }

  return {
    async download(path, signal) {
      const req = open(path, { method: 'GET', signal, headers: { accept: 'application/zip' } });
      return new Promise<IncomingMessage>((resolve, reject) => {
        const timer = setTimeout(
          () => req.destroy(new Error(`no answer within ${DOWNLOAD_HEADERS_TIMEOUT_MS} ms`)),
          DOWNLOAD_HEADERS_TIMEOUT_MS,
        );
        // Stays on for the whole download: a later failure is the body's, which the reply handles.
        req.on('error', (err) => {
          clearTimeout(timer);
          reject(unreachable(err));
        });
        req.once('response', (res) => {
          clearTimeout(timer);
          if (res.statusCode === 200) {
            // The reply's own listener reports a failure once it pipes the body; until then (the
            // audit entry is written first) a reset must not be an uncaught error.
            res.on('error', () => {});
            return resolve(res);
          }
          readAnswer(res).then(
            (body) => reject(problemOfAnswer(body, () => undefined)),
            (err: unknown) => reject(unreachable(err)),
          );
        });
        req.end();
      });
    },

    async upload(path, body, opts) {
      const req = open(path, {
        method: 'PUT',
        signal: opts.signal,
        headers: {
          'content-type': 'application/zip',
          ...(opts.length !== undefined ? { 'content-length': String(opts.length) } : {}),
        },
      });
      const limit = new ByteLimit(opts.maxBytes);
      return new Promise<UploadAnswer>((resolve, reject) => {
        let answered = false;
        req.on('error', (err) => {
          if (!answered) reject(limit.exceeded ? uploadTooLarge(opts.maxBytes) : unreachable(err));
        });
        req.once('response', (res) => {
          answered = true;
          readAnswer(res)
            .then(
              (answer) => resolve({ status: res.statusCode ?? 0, body: answer }),
              (err: unknown) => reject(unreachable(err)),
            )
            // An answer before the body ended (a refusal) stops the upload: the rest is not sent.
            .finally(() => {
              body.unpipe(limit);
              req.destroy();
            });
        });
        // Past the limit, or the caller went away: the upstream request is cut, so the backup
        // service sees an aborted upload and keeps nothing of it. The caller's body is only
        // unpiped, never destroyed, so a refusal can still be answered on its connection.
        limit.on('error', (err) => req.destroy(err));
        finished(body, (err) => {
          if (err) limit.destroy(err);
        });
        body.pipe(limit).pipe(req);
      });
    },
  };
}
