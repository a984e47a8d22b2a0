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
import { createLoginThrottle } from './db/login-throttle.ts';
import { apiError } from './errors.ts';
import { auditPlugin } from './plugins/audit.ts';
import { authPlugin, CSRF_HEADER, routeGuard, SESSION_COOKIE } from './plugins/auth.ts';
import { problemsPlugin } from './plugins/problems.ts';
import auditRoutes from './routes/audit/index.ts';
import authRoutes from './routes/auth/index.ts';
import operationRoutes from './routes/operations/index.ts';
import operatorRoutes from './routes/operators/index.ts';
import tenantRoutes from './routes/tenants/index.ts';
import tokenRoutes from './routes/tokens/index.ts';

export interface GatewayDeps {
  config: GatewayConfig;
  pool: Pool;
  bus: Bus;
  registry: Registry;
  checks: ReadinessCheck[];
  logger: Logger;
}

/** The contracts the route schemas point at with `$ref`. */
const sharedSchemas = [
  'common/tenant.v1',
  'common/operation.v1',
  'rpc/tenant.create.v1.request',
  'rpc/audit.verify.v1.reply',
] as const;

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
    // The source address of login limits and the audit log: the socket's, unless proxies are trusted.
    trustProxy: (_address: string, hop: number) => hop < config.TRUST_PROXY_HOPS,
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
  // Before any route: an /api/v1 route without a permission stops the start.
  await app.register(routeGuard);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Odoo control plane admin API',
        version: '1.0.0',
        description: [
          'Tenants, their operations, operators, API tokens and the audit log.',
          'Log in with POST /api/v1/auth/login and send the session token as a Bearer token, or use the session cookie; cookie writes also send the x-csrf-token header. Machines use API tokens (POST /api/v1/tokens) as Bearer tokens.',
          'Every route needs one permission (`x-permission`); GET /api/v1/me lists the caller’s. A refusal is a 403 problem naming the missing `permission`.',
        ].join('\n\n'),
      },
      servers: [{ url: config.PUBLIC_URL }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session token from the login, or an API token.',
          },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrf: {
            type: 'apiKey',
            in: 'header',
            name: CSRF_HEADER,
            description: 'With the cookie, on writes.',
          },
        },
      },
      security: [{ bearer: [] }, { cookie: [], csrf: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.title ?? `schema${i}`) },
    transform: ({ schema, url, route }) => {
      if (!url.startsWith('/api/')) return { schema: { ...schema, hide: true }, url };
      const permission = route.config?.permission;
      if (!permission) return { schema, url };
      const needs = `Needs the permission \`${permission}\`.`;
      return {
        schema: {
          ...schema,
          description: schema?.description ? `${schema.description}\n\n${needs}` : needs,
          'x-permission': permission,
        },
        url,
      };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(auditPlugin, { pool: deps.pool });
  await app.register(authPlugin, { pool: deps.pool });

  app.addHook('preValidation', async (req) => {
    if (hasNul(req.body) || hasNul(req.query) || hasNul(req.params)) {
      throw apiError('VALIDATION_FAILED', 'text must not contain NUL characters (\\u0000)');
    }
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-request-id', req.id);
  });

  await app.register(opsRoutes, { registry: deps.registry, checks: deps.checks });
  await app.register(authRoutes, {
    pool: deps.pool,
    throttle: createLoginThrottle(deps.pool, {
      accountFailures: config.LOGIN_MAX_FAILURES,
      ipFailures: config.LOGIN_IP_MAX_FAILURES,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
      lockSeconds: config.LOGIN_LOCKOUT_SECONDS,
    }),
    ttlHours: config.SESSION_TTL_HOURS,
    secureCookies: config.PUBLIC_URL.startsWith('https:'),
  });
  await app.register(tenantRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  await app.register(operationRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  await app.register(operatorRoutes, { pool: deps.pool });
  await app.register(tokenRoutes, { pool: deps.pool });
  await app.register(auditRoutes, {
    bus: deps.bus,
    timeoutMs: config.RPC_TIMEOUT_MS,
    verifyTimeoutMs: config.AUDIT_VERIFY_TIMEOUT_MS,
  });
  return app;
}
