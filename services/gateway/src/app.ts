import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { adminAppDir } from '@ocp/admin-app';
import type { Bus } from '@ocp/bus';
import { schemaFiles } from '@ocp/contracts';
import type { Pool } from '@ocp/db';
import { opsRoutes, type ReadinessCheck } from '@ocp/service-kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { clientErrorHandler, frameworkErrors } from './client-errors.ts';
import { type GatewayConfig, secretList } from './config.ts';
import { createLoginThrottle } from './db/login-throttle.ts';
import {
  paddleSignatureCheck,
  type SignatureCheck,
  stripeSignatureCheck,
  type WebhookProvider,
} from './domain/webhook-signatures.ts';
import { apiError } from './errors.ts';
import { operationIdOf, problemResponses, problemSchema, rawBodySchema } from './openapi.ts';
import { adminAppPlugin } from './plugins/admin-app.ts';
import { auditPlugin } from './plugins/audit.ts';
import { authPlugin, CSRF_HEADER, routeGuard, SESSION_COOKIE } from './plugins/auth.ts';
import { eventFeedPlugin } from './plugins/event-feed.ts';
import { otelPlugin } from './plugins/otel.ts';
import { problemsPlugin } from './plugins/problems.ts';
import { rateLimitPlugin } from './plugins/rate-limit.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import auditRoutes from './routes/audit/index.ts';
import authRoutes from './routes/auth/index.ts';
import backupRoutes from './routes/backups/index.ts';
import { backupTransfer } from './routes/backups/transfer.ts';
import billingRoutes from './routes/billing/index.ts';
import domainRoutes from './routes/domains/index.ts';
import eventRoutes from './routes/events/index.ts';
import moduleRoutes from './routes/modules/index.ts';
import operationRoutes from './routes/operations/index.ts';
import operatorRoutes from './routes/operators/index.ts';
import quotaRoutes from './routes/quota/index.ts';
import roleRoutes from './routes/roles/index.ts';
import runtimeRoutes from './routes/runtimes/index.ts';
import tenantRoutes from './routes/tenants/index.ts';
import tokenRoutes from './routes/tokens/index.ts';
import webhookRoutes from './routes/webhooks/index.ts';
import { buildValidator, refusedText } from './validation.ts';

export interface GatewayDeps {
  config: GatewayConfig;
  pool: Pool;
  bus: Bus;
  registry: Registry;
  checks: readonly ReadinessCheck[];
  logger: Logger;
  /** Whether the service traces: the requests get spans (`plugins/otel.ts`). */
  tracing?: boolean;
}

/** The contracts the route schemas point at with `$ref`. */
const sharedSchemas = [
  'common/tenant.v1',
  'common/operation.v1',
  'common/runtime.v1',
  'common/tenant-domain.v1',
  'common/backup.v1',
  'common/backup-window.v1',
  'common/database-server.v1',
  'rpc/tenant.create.v1.request',
  'rpc/tenant.modules.list.v1.reply',
  'rpc/audit.verify.v1.reply',
  'rpc/backup.overdue.v1.reply',
  'common/billing-subscription.v1',
  'rpc/billing.subscriptions.get.v1.reply',
  'rpc/billing.webhooks.list.v1.request',
  'rpc/billing.webhooks.list.v1.reply',
  'rpc/billing.checkout.create.v1.reply',
  'common/plan.v1',
  'common/usage-sample.v1',
  'common/tenant-quota.v1',
  'rpc/quota.plans.list.v1.reply',
  'rpc/quota.usage.history.v1.reply',
  'rpc/quota.measure.now.v1.reply',
] as const;

/**
 * A contract with its relative `$ref`s (`../common/x.json#...`) made absolute against its `$id`:
 * the response serializer resolves only ids it was given, not paths relative to them.
 */
function absoluteRefs(value: unknown, base: string): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) =>
        k === '$ref' && typeof x === 'string' && !x.startsWith('#')
          ? [k, new URL(x, base).href]
          : [k, walk(x)],
      ),
    );
  };
  return walk(value) as Record<string, unknown>;
}

/** The signature check of each provider that has at least one secret configured. */
function webhookChecks(config: GatewayConfig): Partial<Record<WebhookProvider, SignatureCheck>> {
  const stripe = secretList(config.STRIPE_WEBHOOK_SECRETS);
  const paddle = secretList(config.PADDLE_WEBHOOK_SECRETS);
  return {
    ...(stripe.length ? { stripe: stripeSignatureCheck(stripe) } : {}),
    ...(paddle.length ? { paddle: paddleSignatureCheck(paddle) } : {}),
  };
}

/** The gateway as a fastify app a test can build, listen on and close. */
export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // A custom domain in the path (/tenants/{tenant}/domains/{domain}) is up to 253 characters.
    routerOptions: { maxParamLength: 300 },
    // The source address of login limits and the audit log: the socket's, unless proxies are trusted.
    trustProxy: (_address: string, hop: number) => hop < config.TRUST_PROXY_HOPS,
    // Unknown fields are refused, never silently stripped; every problem is reported at once; a
    // body is never coerced and a number in the query string is a plain decimal (validation.ts).
    // (fastify's type of the factory is ajv-compiler's, whose compiler takes a bare schema; fastify
    // itself calls it with `{ schema, httpPart }`, which is what buildValidator takes.)
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
    // What Node's HTTP parser or the router refuses (a URL over 16 KB, a path parameter over 100
    // characters, bad percent-encoding) is a problem too (client-errors.ts).
    clientErrorHandler,
    frameworkErrors,
  });
  for (const key of sharedSchemas) app.addSchema(absoluteRefs(schemaFiles[key], schemaFiles[key].$id));

  // First: it instruments the routes and handlers declared after it.
  if (deps.tracing) await app.register(otelPlugin());
  await app.register(problemsPlugin);
  // Before any route: an /api/v1 route without a permission stops the start.
  await app.register(routeGuard);
  await app.register(cookie);
  await app.register(helmet, securityHeaders(config.PUBLIC_URL));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Odoo control plane admin API',
        version: '1.0.0',
        description: [
          'Tenants, their operations, Odoo modules and backups, Odoo runtimes, operators, API tokens, the audit log, billing, and plans with quotas and trials.',
          'Log in with POST /api/v1/auth/login and send the session token as a Bearer token, or use the session cookie; cookie writes also send the x-csrf-token header. Machines use API tokens (POST /api/v1/tokens) as Bearer tokens.',
          'Every route needs one permission (`x-permission`); GET /api/v1/me lists the caller’s. A refusal is a 403 problem naming the missing `permission`.',
        ].join('\n\n'),
      },
      servers: [{ url: config.PUBLIC_URL }],
      components: {
        schemas: { Problem: { ...problemSchema, required: [...problemSchema.required] } },
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
      const method = String(route.method);
      const config = route.config ?? {};
      const documented = {
        ...schema,
        // Documentation only: a raw body is a stream that no JSON schema validates.
        ...(config.rawBody ? { body: rawBodySchema(config.rawBody) } : {}),
        operationId: operationIdOf({ method, url, action: config.action }),
        response: {
          ...problemResponses({ method, url, public: config.public }),
          ...(schema?.response as object | undefined),
        },
      };
      const permission = config.permission;
      if (!permission) return { schema: documented, url };
      const needs = `Needs the permission \`${permission}\`.`;
      return {
        schema: {
          ...documented,
          description: schema?.description ? `${schema.description}\n\n${needs}` : needs,
          'x-permission': permission,
        },
        url,
      };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(auditPlugin, {
    pool: deps.pool,
    refusalWindowMs: config.AUDIT_REFUSAL_WINDOW_SECONDS * 1000,
    refusalSources: config.AUDIT_REFUSAL_SOURCES,
  });
  // Before authentication: a flood is refused before it costs a database query.
  await app.register(rateLimitPlugin, {
    max: config.RATE_LIMIT_MAX,
    webhookMax: config.WEBHOOK_RATE_LIMIT_MAX,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
  });
  await app.register(authPlugin, { pool: deps.pool });

  app.addHook('preValidation', async (req) => {
    const refused = refusedText(req.body) ?? refusedText(req.query) ?? refusedText(req.params);
    if (refused) throw apiError('VALIDATION_FAILED', refused);
  });
  app.addHook('onSend', async (req, reply) => {
    // The web app's files set their own caching; every API answer is not to be stored.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-request-id', req.id);
  });

  await app.register(adminAppPlugin, { dir: config.ADMIN_APP_DIR ?? adminAppDir });
  await app.register(opsRoutes, { registry: deps.registry, checks: deps.checks });
  const throttle = createLoginThrottle(deps.pool, {
    pairFailures: config.LOGIN_MAX_FAILURES,
    accountFailures: config.LOGIN_ACCOUNT_MAX_FAILURES,
    ipFailures: config.LOGIN_IP_MAX_FAILURES,
    windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    lockSeconds: config.LOGIN_LOCKOUT_SECONDS,
  });
  await app.register(authRoutes, {
    pool: deps.pool,
    throttle,
    ttlHours: config.SESSION_TTL_HOURS,
    secureCookies: config.PUBLIC_URL.startsWith('https:'),
  });
  await app.register(tenantRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  await app.register(domainRoutes, {
    bus: deps.bus,
    timeoutMs: config.RPC_TIMEOUT_MS,
    verifyTimeoutMs: config.DOMAIN_VERIFY_TIMEOUT_MS,
  });
  const odoo = { timeoutMs: config.RPC_TIMEOUT_MS, odooTimeoutMs: config.ODOO_REQUEST_TIMEOUT_MS };
  await app.register(moduleRoutes, { bus: deps.bus, ...odoo });
  await app.register(runtimeRoutes, { bus: deps.bus, ...odoo });
  await app.register(operationRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  await app.register(backupRoutes, {
    bus: deps.bus,
    timeoutMs: config.RPC_TIMEOUT_MS,
    transfer: backupTransfer(config.BACKUP_SERVICE_URL),
    importMaxBytes: config.IMPORT_MAX_BYTES,
  });
  await app.register(operatorRoutes, { pool: deps.pool, throttle });
  await app.register(roleRoutes);
  await app.register(tokenRoutes, { pool: deps.pool });
  await app.register(auditRoutes, {
    bus: deps.bus,
    timeoutMs: config.RPC_TIMEOUT_MS,
    verifyTimeoutMs: config.AUDIT_VERIFY_TIMEOUT_MS,
  });
  await app.register(billingRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  await app.register(quotaRoutes, { bus: deps.bus, timeoutMs: config.RPC_TIMEOUT_MS });
  await app.register(eventFeedPlugin, { bus: deps.bus });
  await app.register(eventRoutes, {
    pool: deps.pool,
    registry: deps.registry,
    heartbeatMs: config.EVENTS_HEARTBEAT_MS,
    retryMs: config.EVENTS_RETRY_MS,
    maxPerPrincipal: config.EVENTS_MAX_STREAMS_PER_PRINCIPAL,
    maxBufferBytes: config.EVENTS_MAX_BUFFER_BYTES,
    replayMax: config.EVENTS_REPLAY_MAX,
  });
  await app.register(webhookRoutes, {
    bus: deps.bus,
    pool: deps.pool,
    registry: deps.registry,
    checks: webhookChecks(config),
    bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
  });
  return app;
}
