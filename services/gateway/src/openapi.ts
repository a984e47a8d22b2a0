import { type ErrorCode, errorCodes } from '@ocp/contracts';

/** RFC 9457 problem details as every error of the admin API answers them. */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'https://ocp.local/problems/<code>.' },
    title: { type: 'string', description: 'The same for every problem of a code.' },
    status: { type: 'integer', description: 'The HTTP status, as answered.' },
    detail: { type: 'string', description: 'What was wrong and what to do.' },
    code: {
      type: 'string',
      enum: Object.keys(errorCodes),
      description: 'The stable code (proto-schemas/common/error-code.v1.json).',
    },
    field: { type: 'string', description: 'Where the value at fault is: querystring/cursor, body/slug, ...' },
    permission: { type: 'string', description: 'With FORBIDDEN: the permission the caller lacks.' },
    reason: { type: 'string', description: 'With a refused webhook: why, as counted in the metrics.' },
    requestId: { type: 'string', description: 'Quote it to find the request in the logs.' },
  },
} as const;

/** The one problem schema of the document, under `components.schemas`. */
export const problemRef = { $ref: '#/components/schemas/Problem' } as const;

/** The codes a client status can carry, for each 4xx status, as the contracts list them. */
function codesOf(status: number): ErrorCode[] {
  return (Object.entries(errorCodes) as Array<[ErrorCode, { status: number }]>)
    .filter(([, e]) => e.status === status)
    .map(([code]) => code);
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The body is a stream of these media types, handed through unread (no JSON schema can
     * validate it); the OpenAPI document declares it as binary.
     */
    rawBody?: { mediaTypes: readonly string[]; description: string };
  }
}

/** The OpenAPI request body of a route whose body is a raw stream. */
export function rawBodySchema(raw: { mediaTypes: readonly string[]; description: string }) {
  const schema = { type: 'string', format: 'binary', description: raw.description };
  return { content: Object.fromEntries(raw.mediaTypes.map((t) => [t, { schema }])) };
}

/**
 * Routes that read a backup or an Odoo zip, and answer 422 BACKUP_UNUSABLE when it cannot be
 * restored.
 */
const READS_BACKUP = /^\/api\/v1\/(backups\/:backup\/(restore|drill|download)|tenants\/import)$/;

/** The verification of a custom domain: 422 when its DNS TXT record is not there. */
const VERIFIES_DOMAIN = /^\/api\/v1\/tenants\/:tenant\/domains\/:domain\/verify$/;

/**
 * The 4xx answers a route can give, as problem details: 400 for any input, 401 and 403 where a
 * caller must be someone, 404 where the path names something, 409 for changes, 413 and 415 where a
 * body is read, 422 for a reused Idempotency-Key, a refused runtime registration, an unusable
 * backup or a custom domain whose DNS record is missing, 429 everywhere (the rate limit per source address, and the login's limits). The route's
 * own responses win.
 */
export function problemResponses(route: {
  method: string;
  url: string;
  public?: boolean;
}): Record<string, unknown> {
  const statuses = [400];
  if (!route.public) statuses.push(401, 403, 429);
  else statuses.push(401, 429);
  if (route.url.includes(':')) statuses.push(404);
  if (route.method !== 'GET' && !route.public) statuses.push(409);
  if (WITH_BODY.has(route.method)) statuses.push(413, 415);
  // A reused Idempotency-Key; a runtime that refuses its registration (a wrong master password);
  // a backup or Odoo zip that cannot be restored; a custom domain's TXT record not found.
  if (
    ((route.url === '/api/v1/tenants' || route.url === '/api/v1/runtimes') && route.method === 'POST') ||
    READS_BACKUP.test(route.url) ||
    VERIFIES_DOMAIN.test(route.url)
  )
    statuses.push(422);
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: `Problem details; code ${codesOf(status).join(', ')}.`,
        content: { 'application/problem+json': { schema: problemRef } },
      },
    ]),
  );
}

/** A stable operationId: the route's audit action in camelCase (`tenant.create` is `tenantCreate`). */
export function operationIdOf(route: { method: string; url: string; action?: string }): string {
  const words = route.action
    ? route.action.split(/[.\-_]/)
    : [route.method.toLowerCase(), ...route.url.split(/[/:{}\-_]/)];
  return words
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
}
