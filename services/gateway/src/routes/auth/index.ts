import type { Pool } from '@ocp/db';
import type { FastifyInstance } from 'fastify';
import { createSession, findOperatorByEmail, revokeSession } from '../../db/operators.ts';
import { DUMMY_HASH, newToken, verifyPassword } from '../../domain/passwords.ts';
import { apiError } from '../../errors.ts';
import { SESSION_COOKIE, tokenOf } from '../../plugins/auth.ts';
import { loginBody, loginReply, meReply } from '../../schemas/auth.ts';

/** Login (a session token, also set as an httpOnly SameSite=Strict cookie), logout, and who am I. */
export default async function authRoutes(
  app: FastifyInstance,
  opts: { pool: Pool; ttlHours: number; secureCookies: boolean },
) {
  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'Log in', body: loginBody, response: { 200: loginReply } },
    },
    async (req, reply) => {
      const operator = await findOperatorByEmail(opts.pool, req.body.email);
      const ok = await verifyPassword(req.body.password, operator?.password_hash ?? DUMMY_HASH);
      if (!operator || !ok) throw apiError('UNAUTHENTICATED', 'the email or the password is wrong');
      const { token, hash } = newToken('ocps');
      const expiresAt = await createSession(opts.pool, operator.id, hash, opts.ttlHours);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.secureCookies,
        path: '/',
        expires: expiresAt,
      });
      return {
        token,
        expiresAt: expiresAt.toISOString(),
        operator: { id: operator.id, email: operator.email, role: operator.role },
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'Log out (revokes the session)' } },
    async (req, reply) => {
      const token = tokenOf(req);
      if (token) await revokeSession(opts.pool, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    { schema: { tags: ['auth'], summary: 'The caller', response: { 200: meReply } } },
    async (req) => ({
      operator: req.operator,
    }),
  );
}
