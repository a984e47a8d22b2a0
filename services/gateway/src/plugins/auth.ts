import { timingSafeEqual } from 'node:crypto';
import type { Pool } from '@ocp/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Operator, type OperatorRow, toOperator } from '../db/operators.ts';
import { sessionFor } from '../db/sessions.ts';
import { tokenFor, touchToken } from '../db/tokens.ts';
import { tokenHash } from '../domain/passwords.ts';
import { accountPermissions, isPermission, type Permission, whyDenied } from '../domain/permissions.ts';
import { apiError, forbidden } from '../errors.ts';

export const SESSION_COOKIE = 'ocp_session';
/** Readable by the page's script, which sends it back as the `x-csrf-token` header. */
export const CSRF_COOKIE = 'ocp_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** API tokens carry this prefix; session tokens `ocps_`. */
export const API_TOKEN_PREFIX = 'ocpt';

/** Who is asking, and what they may do now. */
export interface Principal {
  operator: Operator;
  /** How the credential came: the session cookie, a session token as Bearer, or an API token. */
  via: 'cookie' | 'bearer' | 'token';
  sessionId: string | null;
  token: { id: string; scopes: string[] } | null;
  /** The role's permissions, less the global ones for a limited account, within the token's scopes. */
  permissions: ReadonlySet<Permission>;
  /** As the audit log names it: operator:<id> or token:<id>. */
  actor: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a login (the login itself). */
    public?: boolean;
    /** The one permission of the table that a caller needs for this route. */
    permission?: Permission;
    /** What the audit log calls a request to this route, e.g. tenant.suspend. */
    action?: string;
    /** Audit every request, reads too (the audit export). */
    auditReads?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The credential of a request: `Authorization: Bearer` first, then the session cookie. */
export function credentialOf(req: FastifyRequest): { token: string; via: 'cookie' | 'bearer' } | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S{1,500})$/i.exec(auth);
    return m?.[1] ? { token: m[1], via: 'bearer' } : undefined;
  }
  const cookie = req.cookies?.[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Refuses a tenant outside the caller's tenants with 403 naming the permission. Unknown tenants
 * are refused the same way, so a limited account learns nothing about tenants it may not see.
 */
export function checkTenantScope(req: FastifyRequest, tenantId: string, permission: Permission): void {
  const scope = req.principal?.operator.tenantIds;
  if (scope && !scope.includes(tenantId))
    throw forbidden(
      permission,
      `this needs the permission ${permission} for tenant ${tenantId}, which is not one of the ${scope.length} tenant(s) this account is limited to`,
    );
}

/** The tenants a caller is limited to, or undefined when it sees every tenant. */
export const tenantScopeOf = (req: FastifyRequest): string[] | undefined =>
  req.principal?.operator.tenantIds ?? undefined;

/**
 * At start: every `/api/v1` route must name a permission of the table or be marked public, or the
 * gateway does not start. A new route cannot be forgotten open.
 */
export const routeGuard = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/v1')) return;
      const { permission, public: isPublic } = route.config ?? {};
      if (isPublic && permission === undefined) return;
      if (isPublic)
        throw new Error(`${route.method} ${route.url} is public and names a permission; choose one`);
      if (permission === undefined)
        throw new Error(
          `${route.method} ${route.url} names no permission: add config.permission (one of the table in domain/permissions.ts) or config.public`,
        );
      if (!isPermission(permission))
        throw new Error(`${route.method} ${route.url} names the unknown permission ${permission}`);
    });
  },
  { name: 'route-guard' },
);

function principalOf(
  operator: OperatorRow,
  via: Principal['via'],
  sessionId: string | null,
  token: Principal['token'],
): Principal {
  const own = accountPermissions(operator.role, operator.tenant_ids);
  const permissions = token ? new Set([...own].filter((p) => token.scopes.includes(p))) : own;
  return {
    operator: toOperator(operator),
    via,
    sessionId,
    token,
    permissions,
    actor: token ? `token:${token.id}` : `operator:${operator.id}`,
  };
}

/**
 * The principal of a credential as it stands now, or null when it no longer authenticates: the
 * session was ended or ran out, the token was revoked or expired, the account was disabled or
 * deleted. A request that lasts (the event stream) asks again while it runs; a changed role or
 * tenant scope comes back changed.
 */
export async function principalNow(
  pool: Pool,
  cred: { token: string; via: 'cookie' | 'bearer' },
): Promise<Principal | null> {
  const hash = tokenHash(cred.token);
  if (cred.token.startsWith(`${API_TOKEN_PREFIX}_`)) {
    if (cred.via === 'cookie') return null;
    const t = await tokenFor(pool, hash);
    if (!t || t.revokedAt || t.expired || t.operator.disabled_at) return null;
    return principalOf(t.operator, 'token', null, { id: t.id, scopes: t.scopes });
  }
  const s = await sessionFor(pool, hash);
  if (!s || s.operator.disabled_at) return null;
  return principalOf(s.operator, cred.via, s.sessionId, null);
}

/**
 * Every `/api/v1` route needs a live session or API token unless it is public; a write that a
 * cookie authenticates needs the CSRF token too; then the route's permission is checked.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { pool: Pool }) => {
    app.decorateRequest('principal', null);

    /** Double submit, bound to the session: header and cookie agree and are the session's token. */
    function checkCsrf(req: FastifyRequest, expected: Buffer | null): void {
      const header = req.headers[CSRF_HEADER];
      const cookie = req.cookies?.[CSRF_COOKIE];
      if (
        typeof header !== 'string' ||
        !cookie ||
        !expected ||
        !sameSecret(header, cookie) ||
        !tokenHash(header).equals(expected)
      )
        throw apiError(
          'CSRF_FAILED',
          `a write authenticated by the session cookie must send the ${CSRF_HEADER} header with the csrfToken of the login (also in the ${CSRF_COOKIE} cookie)`,
        );
    }

    /** Sets `req.principal` (before the CSRF check, so a refusal is audited with its actor). */
    async function authenticate(req: FastifyRequest): Promise<Principal> {
      const cred = credentialOf(req);
      if (!cred)
        throw apiError(
          'UNAUTHENTICATED',
          'log in first: POST /api/v1/auth/login, then send the token as Authorization: Bearer <token> (or use the session cookie)',
        );
      const hash = tokenHash(cred.token);
      if (cred.token.startsWith(`${API_TOKEN_PREFIX}_`)) {
        if (cred.via === 'cookie')
          throw apiError(
            'UNAUTHENTICATED',
            'send an API token as Authorization: Bearer <token>, never as a cookie',
          );
        const t = await tokenFor(opts.pool, hash);
        if (!t)
          throw apiError('UNAUTHENTICATED', 'this API token is unknown; make one with POST /api/v1/tokens');
        // A refused token is still named in the audit log, so its owner can be told.
        req.audit.actor = `token:${t.id}`;
        req.audit.actorEmail = t.operator.email;
        if (t.revokedAt)
          throw apiError(
            'UNAUTHENTICATED',
            `this API token was revoked at ${t.revokedAt.toISOString()}; make a new one with POST /api/v1/tokens`,
          );
        if (t.expired)
          throw apiError(
            'UNAUTHENTICATED',
            `this API token expired at ${t.expiresAt.toISOString()}; make a new one with POST /api/v1/tokens`,
          );
        if (t.operator.disabled_at)
          throw apiError('UNAUTHENTICATED', 'the account this API token acts for is disabled');
        if (t.stale) await touchToken(opts.pool, t.id);
        req.principal = principalOf(t.operator, 'token', null, { id: t.id, scopes: t.scopes });
        return req.principal;
      }
      const s = await sessionFor(opts.pool, hash);
      if (!s) throw apiError('UNAUTHENTICATED', 'the session is unknown, expired or ended; log in again');
      if (s.operator.disabled_at) throw apiError('UNAUTHENTICATED', 'this account is disabled');
      const principal = principalOf(s.operator, cred.via, s.sessionId, null);
      req.principal = principal;
      if (cred.via === 'cookie' && !SAFE_METHODS.has(req.method)) checkCsrf(req, s.csrfHash);
      return principal;
    }

    app.addHook('onRequest', async (req) => {
      const config = req.routeOptions.config;
      if (!req.url.startsWith('/api/v1') || config?.public) return;
      const principal = await authenticate(req);
      const permission = config?.permission;
      if (permission && !principal.permissions.has(permission))
        throw forbidden(
          permission,
          whyDenied(
            permission,
            principal.operator.role,
            principal.operator.tenantIds,
            principal.token?.scopes ?? null,
          ),
        );
    });
  },
  { name: 'auth', dependencies: ['problems', 'route-guard', 'audit'] },
);
