import { fileURLToPath } from 'node:url';
import { streams } from '@ocp/contracts';
import { defineService, type Logger, runService } from '@ocp/service-kit';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { configSchema, type GatewayConfig } from './config.ts';
import { runtimeGrants } from './db/grants.ts';
import { ensureFirstOwner } from './db/operators.ts';

/**
 * The gateway: the admin API, the webhook ingress and the first owner. Its outbox (audit entries,
 * rejected webhooks) is published to the AUDIT and WEBHOOKS streams, and its event streams follow
 * the tenant, operation and backup events: it makes all of them itself so that it does not wait for
 * another service to make them.
 */
export const gatewayService = defineService({
  name: 'gateway',
  configSchema,
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  grants: runtimeGrants,
  streams: [
    streams.audit,
    streams.webhooks,
    streams.tenantEvents,
    streams.operationEvents,
    streams.backupEvents,
  ],
  outbox: { pollMs: (c) => c.OUTBOX_POLL_MS },
  async start(rt) {
    const firstOwner = await ensureFirstOwner(
      rt.pool,
      rt.config.BOOTSTRAP_OWNER_EMAIL,
      rt.config.BOOTSTRAP_OWNER_PASSWORD,
    );
    return { firstOwner };
  },
  http: (rt) =>
    buildApp({
      config: rt.config,
      pool: rt.pool,
      bus: rt.bus,
      registry: rt.registry,
      logger: rt.logger,
      checks: rt.checks,
      tracing: rt.tracing,
    }),
});

export interface Gateway {
  app: FastifyInstance;
  url: string;
  /** The first owner's credentials, when this start created the account. */
  firstOwner?: { email: string; password: string };
  close(reason?: string): Promise<void>;
}

/** Starts the gateway with a parsed config (as `main` does, without the process wiring). */
export async function startGateway(config: GatewayConfig, logger?: Logger): Promise<Gateway> {
  const service = await runService(gatewayService, config, logger ? { logger } : {});
  const { firstOwner } = service.parts;
  return {
    app: service.http,
    url: service.url,
    ...(firstOwner ? { firstOwner } : {}),
    close: service.close,
  };
}
