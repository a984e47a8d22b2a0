import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { apiError } from '../errors.ts';

export interface RateLimitOptions {
  /** Requests to the API, /docs and unknown paths from one source address per window. */
  max: number;
  /** Provider webhooks from one source address per window: a budget of their own. */
  webhookMax: number;
  windowMs: number;
}

/**
 * Probes and scrapes come from the platform, often many at once and from one address; refusing
 * them would make an orchestrator restart a healthy gateway.
 */
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);

const pathOf = (req: FastifyRequest) => req.url.split('?')[0] ?? '';

/**
 * Per source address limits (`req.ip`: the socket's, or what `TRUST_PROXY_HOPS` trusts; IPv6 by
 * /64), counted in memory per replica by `@fastify/rate-limit`. The check runs in `onRequest`
 * before authentication, so a flood costs no database query, and a refusal is the same 429
 * problem as every other error, with `Retry-After`.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, opts: RateLimitOptions) => {
    // Only the limiters made below: no route gets a hook of its own.
    await app.register(rateLimit, { global: false, timeWindow: opts.windowMs });
    const api = app.createRateLimit({ max: opts.max, timeWindow: opts.windowMs });
    // Each limiter counts in a store of its own.
    const webhooks = app.createRateLimit({ max: opts.webhookMax, timeWindow: opts.windowMs });

    app.addHook('onRequest', async (req, reply) => {
      const path = pathOf(req);
      if (EXEMPT.has(path)) return;
      const limited = await (path.startsWith('/webhooks/') ? webhooks : api)(req);
      if (limited.isAllowed || !limited.isExceeded) return;
      const seconds = Math.max(1, limited.ttlInSeconds);
      reply.header('x-ratelimit-limit', String(limited.max));
      req.audit.reason = `rate limited: more than ${limited.max} requests from this address within ${opts.windowMs / 1000} s`;
      throw apiError(
        'TOO_MANY_ATTEMPTS',
        `more than ${limited.max} requests from this address within ${opts.windowMs / 1000} s; try again in ${seconds} s`,
        undefined,
        { headers: { 'retry-after': String(seconds) } },
      );
    });
  },
  { name: 'rate-limit', dependencies: ['problems', 'audit'] },
);
