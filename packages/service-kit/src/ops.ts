import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ReadinessCheck } from './types.ts';

/**
 * `/healthz` (the process answers), `/readyz` (every dependency answers; 503 naming the ones that
 * do not) and `/metrics` (Prometheus text), as a plugin for any fastify app.
 */
export const opsRoutes: FastifyPluginAsync<{
  registry: Registry;
  checks: readonly ReadinessCheck[];
}> = async (app, opts) => {
  app.get('/healthz', { config: { ops: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { ops: true } }, async (_req, reply) => {
    const results = await Promise.all(
      opts.checks.map(async (c) => {
        try {
          return [c.name, await c.check()] as const;
        } catch {
          return [c.name, false] as const;
        }
      }),
    );
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    if (failing.length > 0) return reply.code(503).send({ status: 'not ready', failing });
    return { status: 'ready' };
  });
  app.get('/metrics', { config: { ops: true } }, async (_req, reply) => {
    reply.header('content-type', opts.registry.contentType);
    return opts.registry.metrics();
  });
};

/** A small HTTP server with only the ops routes, for services without an HTTP API of their own. */
export async function startOpsServer(opts: {
  host: string;
  port: number;
  registry: Registry;
  checks: readonly ReadinessCheck[];
  logger: Logger;
  /** Called with the app before it listens (the runtime's HTTP metrics). */
  observe?: (app: FastifyInstance) => void;
}): Promise<FastifyInstance> {
  const app = Fastify({
    // Probes and scrapes come every few seconds: only problems are worth a line.
    loggerInstance: opts.logger.child({ component: 'ops-http' }, { level: 'warn' }) as FastifyBaseLogger,
  });
  opts.observe?.(app);
  await app.register(opsRoutes, { registry: opts.registry, checks: opts.checks });
  await app.listen({ host: opts.host, port: opts.port });
  return app;
}
