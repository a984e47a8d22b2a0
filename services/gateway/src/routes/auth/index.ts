import { randomBytes } from 'node:crypto';
import type { Pool } from '@ocp/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LoginThrottle } from '../../db/login-throttle.ts';
import { findLoginAccount, passwordHashOf, setPassword, toOperator } from '../../db/operators.ts';
import { createSession, revokeOtherSessions, revokeSession } from '../../db/sessions.ts';
import { judgePassword } from '../../domain/password-strength.ts';
import { DUMMY_HASH, hashPassword, newToken, tokenHash, verifyPassword } from '../../domain/passwords.ts';
import { allPermissions } from '../../domain/permissions.ts';
import { apiError } from '../../errors.ts';
import { auditedTransaction } from '../../plugins/audit.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../plugins/auth.ts';
import { loginBody, loginReply, meReply, passwordBody } from '../../schemas/auth.ts';

function tooMany(retryAfterSeconds: number) {
  return apiError(
    'TOO_MANY_ATTEMPTS',
    `too many failed logins (of this account from this address, of this account, or from this address); try again in ${retryAfterSeconds} s, or ask an owner to lift the account's lock`,
    undefined,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );
}

/**
 * Login (a session: an httpOnly SameSite=Strict cookie and the same token for Bearer use, with a
 * CSRF token for cookie writes), logout, who am I, and the password change.
 */
export default async function authRoutes(
  app: FastifyInstance,
  opts: { pool: Pool; throttle: LoginThrottle; ttlHours: number; secureCookies: boolean },
) {
  const { pool, throttle } = opts;

  function clearCookies(reply: FastifyReply) {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/auth/login',
    {
      config: { public: true, action: 'auth.login' },
      schema: {
        tags: ['auth'],
        summary: 'Log in',
        description:
          "Answers a session token and sets it as an httpOnly, SameSite=Strict cookie, with a CSRF token for cookie writes. Repeated failures lock the account at the source address, the source address, and past a much higher ceiling the account everywhere, for a while (429 with Retry-After); DELETE /api/v1/operators/{id}/login-lock lifts an account's locks.",
        security: [],
        body: loginBody,
        response: { 200: loginReply },
      },
    },
    async (req, reply) => {
      const { email, password } = req.body;
      const admission = await throttle.admit(email, req.ip);
      if (!admission.ok) {
        req.audit.reason = 'login refused: locked after repeated failures';
        throw tooMany(admission.retryAfterSeconds);
      }
      // An unknown email costs the same scrypt as a known one: the answer and its timing match.
      const account = await findLoginAccount(pool, email);
      const ok = await verifyPassword(password, account?.password_hash ?? DUMMY_HASH);
      if (!account || !ok) {
        await throttle.failed(email, req.ip);
        // A checked guess is its own entry even when anonymous: the login limits bound how many.
        req.audit.keepSeparate = true;
        if (account) {
          req.audit.target = `operator:${account.id}`;
          req.audit.actorEmail = account.email;
        }
        req.audit.reason = account ? 'wrong password' : 'no enabled account with this email';
        throw apiError('UNAUTHENTICATED', 'the email or the password is wrong');
      }
      await throttle.succeeded(email, req.ip);
      const session = newToken('ocps');
      const csrfToken = randomBytes(32).toString('base64url');
      Object.assign(req.audit, {
        actor: `operator:${account.id}`,
        actorEmail: account.email,
        target: `operator:${account.id}`,
      });
      const expiresAt = await auditedTransaction(pool, req, 200, (c) =>
        createSession(c, {
          operatorId: account.id,
          tokenHash: session.hash,
          csrfHash: tokenHash(csrfToken),
          ttlHours: opts.ttlHours,
        }),
      );
      const cookie = {
        sameSite: 'strict',
        secure: opts.secureCookies,
        path: '/',
        expires: expiresAt,
      } as const;
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookie, httpOnly: true });
      // Readable by the page's script on purpose: it sends it back as x-csrf-token.
      reply.setCookie(CSRF_COOKIE, csrfToken, { ...cookie, httpOnly: false });
      return {
        token: session.token,
        csrfToken,
        expiresAt: expiresAt.toISOString(),
        operator: toOperator(account),
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { permission: 'self', action: 'auth.logout' },
      schema: { tags: ['auth'], summary: 'Log out (ends the session)', response: { 204: { type: 'null' } } },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (!p.sessionId)
        throw apiError(
          'BAD_REQUEST',
          'an API token is not a session: revoke it with DELETE /api/v1/tokens/{id}',
        );
      const sessionId = p.sessionId;
      req.audit.target = `operator:${p.operator.id}`;
      await auditedTransaction(pool, req, 204, (c) => revokeSession(c, sessionId));
      clearCookies(reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { permission: 'self', action: 'me.read' },
      schema: {
        tags: ['auth'],
        summary: 'The caller: account, role, permissions and tenant scope',
        description: 'A UI shows only what `permissions` allows.',
        response: { 200: meReply },
      },
    },
    async (req) => {
      const p = req.principal!;
      return {
        operator: p.operator,
        permissions: allPermissions.filter((x) => p.permissions.has(x)),
        tenantScope: p.operator.tenantIds,
        authenticatedBy: p.via,
        ...(p.token ? { token: { id: p.token.id, scopes: p.token.scopes } } : {}),
      };
    },
  );

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/v1/me/password',
    {
      config: { permission: 'self', action: 'operator.password-change' },
      schema: {
        tags: ['auth'],
        summary: 'Change my password',
        description:
          'Needs the current password (failures count toward the login lockout). The new password must not be easy to guess (zxcvbn score 3 or more; the problem says why one is refused). Ends every other session of the account.',
        body: passwordBody,
        response: { 204: { type: 'null' } },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      req.audit.target = `operator:${p.operator.id}`;
      if (p.operator.kind !== 'human' || !p.operator.email)
        throw apiError('INVALID_STATE', 'a service account has no password; it acts only through API tokens');
      const email = p.operator.email;
      const admission = await throttle.admit(email, req.ip);
      if (!admission.ok) throw tooMany(admission.retryAfterSeconds);
      const stored = await passwordHashOf(pool, p.operator.id);
      if (!(await verifyPassword(req.body.currentPassword, stored ?? DUMMY_HASH))) {
        await throttle.failed(email, req.ip);
        throw apiError(
          'VALIDATION_FAILED',
          'body/currentPassword is not your current password',
          'body/currentPassword',
        );
      }
      await throttle.succeeded(email, req.ip);
      if (req.body.newPassword === req.body.currentPassword)
        throw apiError(
          'VALIDATION_FAILED',
          'body/newPassword must differ from the current password',
          'body/newPassword',
        );
      const verdict = judgePassword(req.body.newPassword, [email]);
      if (!verdict.ok)
        throw apiError('VALIDATION_FAILED', `body/newPassword ${verdict.why}`, 'body/newPassword');
      const hash = await hashPassword(req.body.newPassword);
      await auditedTransaction(pool, req, 204, async (c) => {
        await setPassword(c, p.operator.id, hash);
        await revokeOtherSessions(c, p.operator.id, p.sessionId);
      });
      return reply.code(204).send();
    },
  );
}
