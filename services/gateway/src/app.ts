import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Bus } from '@ocp/bus';
import { schemaFiles } from '@ocp/contracts';
import type { Pool } from '@ocp/db';
import { opsRoutes, type ReadinessCheck } from '@ocp/service-kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GatewayConfig } from './config.ts';
import { apiError } from './errors.ts';
import { authPlugin } from './plugins/auth.ts';
import { problemsPlugin } from './plugins/problems.ts';
import authRoutes from './routes/auth/index.ts';
import operationRoutes from './routes/operations/index.ts';
import tenantRoutes from './routes/tenants/index.ts';

export interface GatewayDeps {
  config: GatewayConfig;
  pool: Pool;
  bus: Bus;
  registry: Registry;
  checks: ReadinessCheck[];
  logger: Logger;
}

/** The contracts the route schemas point at with `$ref`. */
const sharedSchemas = ['common/tenant.v1', 'common/operation.v1', 'rpc/tenant.create.v1.request'] as const;

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
}

/** The gateway as a fastify app a test can build, listen on and close. */
export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    ajv: {
      // Unknown fields are refused, never silently stripped; every problem is reported at once.
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
        verbose: true,
      },
    },
  });
  for (const key of sharedSchemas) app.addSchema(schemaFiles[key] as unknown as Record<string, unknown>);

  await app.register(problemsPlugin);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Odoo control plane admin API',
        version: '1.0.0',
        description:
          'Tenants and their operations. Log in with POST /api/v1/auth/login and send the token as a Bearer token.',
      },
      servers: [{ url: config.PUBLIC_URL }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'ocp_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.title ?? `schema${i}`) },
    transform: ({ schema, url }) => ({
      schema: url.startsWith('/api/') ? schema : { ...schema, hide: true },
      url,
    }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, { pool: deps.pool });

  app.addHook('preValidation', async (req) => {
    if (hasNul(req.body) || hasNul(req.query) || hasNul(req.params)) {
      throw apiError('VALIDATION_FAILED', 'text must not contain NUL characters (\\u0000)');
    }
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });

  await app.register(opsRoutes, { registry: deps.registry, checks: deps.checks });
  await app.register(authRoutes, {
    pool: deps.pool,
    ttlHours: config.SESSION_TTL_HOURS,
    secureCookies: config.PUBLIC_URL.startsWith('https:'),
  });
  await app.register(tenantRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  await app.register(operationRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  return app;
}
