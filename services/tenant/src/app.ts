import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { durables, streams } from '@ocp/contracts';
import { startReconciler } from '@ocp/operations';
import { defineService, type Logger, type RunningService, runService } from '@ocp/service-kit';
import { checkConfig, configSchema, type TenantConfig } from './config.ts';
import { runtimeGrants } from './db/grants.ts';
import { pruneIdempotencyKeys } from './db/idempotency.ts';
import { DbServers } from './dbserver/registry.ts';
import { updateStoredSecretsAndMarks } from './dbserver/upkeep.ts';
import { keyringOf } from './domain/secrets.ts';
import { BILLING_CUSTOMER_TYPES, billingCustomerHandler } from './handlers/billing-customers.ts';
import {
  BILLING_DECISION_TYPES,
  BILLING_DURABLE,
  billingDecisionHandler,
} from './handlers/billing-decisions.ts';
import type { HandlerContext } from './handlers/context.ts';
import { duplicateTenantHandler, renameTenantHandler } from './handlers/copy-commands.ts';
import { createTenantHandler } from './handlers/create-tenant.ts';
import {
  addDomainHandler,
  listDomainsHandler,
  removeDomainHandler,
  verifyDomainHandler,
} from './handlers/domains.ts';
import {
  deleteTenantHandler,
  resumeTenantHandler,
  retryTenantHandler,
  suspendTenantHandler,
  undeleteTenantHandler,
} from './handlers/lifecycle-commands.ts';
import { listModulesHandler, moduleOperationHandler } from './handlers/module-commands.ts';
import { getOperationHandler, getTenantHandler, listOperationsHandler } from './handlers/queries.ts';
import { reconcileTenants } from './handlers/reconcile-tenants.ts';
import { backupSourceHandler, beginRestoreHandler, endRestoreHandler } from './handlers/restore-hold.ts';
import { getRouteHandler, listRoutesHandler } from './handlers/routes.ts';
import { operationWakeHandler, startTenantWorker } from './handlers/run-operation.ts';
import { runtimeModulesHandler } from './handlers/runtime-modules.ts';
import {
  disableRuntimeHandler,
  getRuntimeHandler,
  listRuntimesHandler,
  rebuildTemplateHandler,
  registerRuntimeHandler,
} from './handlers/runtimes.ts';
import { listServersHandler, registerServerHandler } from './handlers/servers.ts';
import { listTenantsHandler, tenantStatsHandler } from './handlers/tenant-list.ts';
import { registerTenantMetrics } from './metrics.ts';
import { AdminPasswordPool } from './odoo/password-pool.ts';
import { resealRuntimeSecrets } from './runtime/registry.ts';
import { startTemplateBuilder } from './runtime/template.ts';

const templateSql = fileURLToPath(new URL('./template/odoo-core.sql', import.meta.url));

/** The durable consumer of the tenant workers, shared by every replica. */
export const WORKER_DURABLE = durables.tenantWorker.durable;

/**
 * The tenant service: the database servers and the template, the request/reply methods, the
 * operation workers and the billing decisions; its lifecycle events leave through its outbox.
 */
export const tenantService = defineService({
  name: 'tenant',
  configSchema,
  checkConfig,
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  grants: runtimeGrants,
  poolMax: (c) => c.WORKER_CONCURRENCY + 5,
  outbox: { pollMs: (c) => c.OUTBOX_POLL_MS },
  async start(rt) {
    const { config, logger, pool, bus } = rt;
    const secrets = keyringOf(config);
    const servers = new DbServers(pool, logger, config.WORKER_CONCURRENCY + 1, secrets);
    // The admin pools close after the workers that use them have stopped.
    rt.onClose('database servers', 'database', () => servers.close());
    const serverId = await servers.registerDefault(config.TENANT_DB_ADMIN_URL);
    await updateStoredSecretsAndMarks(pool, servers, secrets, logger);
    await resealRuntimeSecrets(pool, secrets, logger);
    // The built-in template (tenants on no registered runtime), owned by the default runtime role.
    const made = await (await servers.admin(serverId)).ensureTemplate(
      config.TENANT_TEMPLATE_DB,
      await readFile(templateSql, 'utf8'),
      config.TENANT_DEFAULT_RUNTIME_ROLE,
    );
    if (made !== 'existed')
      logger.info(
        { template: config.TENANT_TEMPLATE_DB, owner: config.TENANT_DEFAULT_RUNTIME_ROLE },
        made === 'created'
          ? 'created the tenant template database'
          : 'gave the tenant template database to the default runtime role',
      );

    const passwords = new AdminPasswordPool(config.TENANT_ADMIN_PASSWORD_POOL, (err) =>
      logger.warn({ err }, 'a generated administrator password could not be hashed ahead'),
    );
    rt.onClose('administrator password pool', 'work', () => passwords.close());
    const ctx: HandlerContext = {
      operationMetrics: registerTenantMetrics(rt.registry, pool),
      pool,
      servers,
      config,
      secrets,
      passwords,
      logger,
      bus,
      tracer: rt.tracer,
      dispatch: (command) => {
        bus
          .publish(command)
          .catch((err: unknown) =>
            logger.debug({ err }, 'direct dispatch failed; the outbox will publish it'),
          );
      },
    };
    bus.serve('tenant.create.v1', createTenantHandler(ctx));
    bus.serve('tenant.get.v1', getTenantHandler(ctx));
    bus.serve('tenant.list.v1', listTenantsHandler(ctx));
    bus.serve('tenant.stats.v1', tenantStatsHandler(ctx));
    bus.serve('tenant.suspend.v1', suspendTenantHandler(ctx));
    bus.serve('tenant.resume.v1', resumeTenantHandler(ctx));
    bus.serve('tenant.delete.v1', deleteTenantHandler(ctx));
    bus.serve('tenant.undelete.v1', undeleteTenantHandler(ctx));
    bus.serve('tenant.server.register.v1', registerServerHandler(ctx));
    bus.serve('tenant.server.list.v1', listServersHandler(ctx));
    bus.serve('tenant.retry.v1', retryTenantHandler(ctx));
    bus.serve('operation.get.v1', getOperationHandler(ctx));
    bus.serve('operation.list.v1', listOperationsHandler(ctx));
    // Runtimes' templates are prepared through the runtimes by a job of their own (a lease per runtime).
    const templates = startTemplateBuilder(ctx, config.OPERATION_POLL_MS);
    rt.onClose('runtime template job', 'work', () =>
      templates.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.5)),
    );
    const runtimeCtx = { ...ctx, wakeTemplates: () => templates.wake() };
    bus.serve('tenant.runtime.register.v1', registerRuntimeHandler(runtimeCtx));
    bus.serve('tenant.runtime.get.v1', getRuntimeHandler(ctx));
    bus.serve('tenant.runtime.list.v1', listRuntimesHandler(ctx));
    bus.serve('tenant.runtime.modules.v1', runtimeModulesHandler(ctx));
    bus.serve('tenant.runtime.disable.v1', disableRuntimeHandler(ctx));
    bus.serve('tenant.runtime.template.v1', rebuildTemplateHandler(runtimeCtx));
    bus.serve('tenant.modules.list.v1', listModulesHandler(ctx));
    bus.serve('tenant.module.v1', moduleOperationHandler(ctx));
    bus.serve('tenant.duplicate.v1', duplicateTenantHandler(ctx));
    bus.serve('tenant.rename.v1', renameTenantHandler(ctx));
    bus.serve('tenant.backup.source.v1', backupSourceHandler(ctx));
    bus.serve('tenant.restore.begin.v1', beginRestoreHandler(ctx));
    bus.serve('tenant.restore.end.v1', endRestoreHandler(ctx));
    bus.serve('tenant.domains.list.v1', listDomainsHandler(ctx));
    bus.serve('tenant.domains.add.v1', addDomainHandler(ctx));
    bus.serve('tenant.domains.verify.v1', verifyDomainHandler(ctx));
    bus.serve('tenant.domains.remove.v1', removeDomainHandler(ctx));
    bus.serve('tenant.routes.list.v1', listRoutesHandler(ctx));
    bus.serve('tenant.routes.get.v1', getRouteHandler(ctx));
    // Operations are claimed from the database (see @ocp/operations). The worker stops in the
    // work phase, before the pools close: it waits for its runners up to most of the stop's time,
    // and what a stop interrupts is resumed on the next start, never failed.
    const worker = startTenantWorker(ctx, ctx.operationMetrics);
    rt.onClose('operation worker', 'work', () => worker.stop(Math.floor(config.SHUTDOWN_TIMEOUT_MS * 0.7)));
    const reconciler = startReconciler({
      name: 'tenant databases',
      intervalMs: config.RECONCILE_INTERVAL_MS,
      pass: () => reconcileTenants(ctx),
      logger,
    });
    rt.onClose('tenant reconciler', 'work', () => reconciler.stop());
    // The work command only wakes a worker; its consumer's lag is what an autoscaler watches.
    await bus.consume(
      {
        durable: WORKER_DURABLE,
        stream: streams.tenantWork,
        types: ['ocp.tenant.operation.run.v1'],
        ackWaitMs: config.WORK_ACK_WAIT_MS,
        maxDeliver: -1,
        concurrency: config.WORKER_CONCURRENCY,
      },
      operationWakeHandler(worker),
    );
    const decisions = billingDecisionHandler(ctx);
    const customers = billingCustomerHandler(ctx);
    await bus.consume(
      {
        durable: BILLING_DURABLE,
        stream: streams.billingEvents,
        types: [...BILLING_DECISION_TYPES, ...BILLING_CUSTOMER_TYPES],
        deliverFrom: 'all',
        maxDeliver: -1,
        // One at a time: a tenant's decisions apply in the order billing made them.
        concurrency: 1,
      },
      (event, delivery) =>
        event.type === 'ocp.billing.subscription_changed.v1'
          ? customers(event as Parameters<typeof customers>[0], delivery)
          : decisions(event as Parameters<typeof decisions>[0], delivery),
    );
    rt.every('idempotency key pruning', 60 * 60 * 1000, () => pruneIdempotencyKeys(pool));
  },
});

/** A started tenant service: its logger, bus, port and close. */
export type TenantService = RunningService<TenantConfig, void>;

/** Starts the tenant service with a parsed config (as `main` does, without the process wiring). */
export async function startTenantService(config: TenantConfig, logger?: Logger): Promise<TenantService> {
  return await runService(tenantService, config, logger ? { logger } : {});
}
