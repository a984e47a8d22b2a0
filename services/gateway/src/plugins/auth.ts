import type { Pool } from '@ocp/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Operator, operatorForToken } from '../db/operators.ts';
import { apiError } from '../errors.ts';

export const SESSION_COOKIE = 'ocp_session';

declare module 'fastify' {
  interface FastifyRequest {
    operator: Operator | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a login (the login itself). */
    public?: boolean;
  }
}

/** The session token of a request: `Authorization: Bearer` first, then the session cookie. */
export function tokenOf(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S{1,500})$/i.exec(auth);
    return m?.[1];
  }
  return req.cookies?.[SESSION_COOKIE];
}

/** Every `/api/v1` route needs a live session unless it is marked public. */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { pool: Pool }) => {
    app.decorateRequest('operator', null);
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/v1') || req.routeOptions.config?.public) return;
      const token = tokenOf(req);
      if (!token)
        throw apiError(
          'UNAUTHENTICATED',
          'log in first: POST /api/v1/auth/login, then send the token as Authorization: Bearer <token>',
        );
      const operator = await operatorForToken(opts.pool, token);
      if (!operator)
        throw apiError('UNAUTHENTICATED', 'the session token is unknown, expired or revoked; log in again');
      req.operator = operator;
    });
  },
  { name: 'auth', dependencies: ['problems'] },
);
