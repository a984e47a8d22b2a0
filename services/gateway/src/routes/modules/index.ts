import type { Bus } from '@ocp/bus';
import type { TenantModulesListRequestV1 } from '@ocp/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type ModuleAction,
  moduleActions,
  moduleListQuery,
  moduleListReply,
  moduleParams,
} from '../../schemas/modules.ts';
import { tenantAndOperation, tenantIdParams } from '../../schemas/tenants.ts';
import { lookupTenant } from '../tenant-lookup.ts';

type ListQuery = Omit<TenantModulesListRequestV1, 'tenantId'>;

const summaries: Record<ModuleAction, string> = {
  install: 'Install an Odoo module in a tenant',
  upgrade: 'Upgrade an Odoo module of a tenant',
  uninstall: 'Uninstall an Odoo module of a tenant',
};

const descriptions: Record<ModuleAction, string> = {
  install:
    "Queues the install of the module with the modules it depends on; Odoo's auto-install modules whose dependencies are then all installed come too. The operation's result lists every module installed. Refused with 403 QUOTA_MODULE_NOT_ALLOWED when the tenant's plan does not allow the module, and 403 QUOTA_EXCEEDED while the tenant has reached a limit of its plan.",
  upgrade:
    "Queues the upgrade of an installed module (and of the modules that depend on it, as Odoo does). Refused with 403 QUOTA_MODULE_NOT_ALLOWED when the tenant's plan does not allow the module.",
  uninstall:
    "Queues the uninstall of the module and of every installed module that depends on it. The operation's result lists every module removed. Never refused by the plan: uninstalling is how a tenant gets back inside it.",
};

/**
 * A tenant's Odoo modules, read and changed through the runtime that serves it. A change is an
 * operation of the tenant (one at a time): a fast copy of the database is kept before it and put
 * back when Odoo fails, so a failed change leaves the tenant as it was, with Odoo's own message.
 * A tenant no registered runtime serves answers 409 NO_RUNTIME: nobody could run Odoo's code.
 * The tenant service refuses what the tenant's plan does not allow (403 QUOTA_MODULE_NOT_ALLOWED,
 * QUOTA_EXCEEDED: the codes carry their status).
 */
export default async function moduleRoutes(
  app: FastifyInstance,
  opts: { bus: Bus; timeoutMs: number; odooTimeoutMs: number },
) {
  const { bus } = opts;
  const rpc = { timeoutMs: opts.timeoutMs };
  // The listing asks the tenant's Odoo, and waits as long as the tenant service may.
  const odooRpc = { timeoutMs: opts.odooTimeoutMs };
  const actor = (req: FastifyRequest) => req.principal?.actor ?? 'anonymous';

  app.get<{ Params: { tenant: string }; Querystring: ListQuery }>(
    '/api/v1/tenants/:tenant/modules',
    {
      config: { permission: 'modules:read', action: 'tenant.modules.list' },
      schema: {
        tags: ['modules'],
        summary: "List a tenant's Odoo modules with their states",
        description:
          "Reads `ir.module.module` of the tenant's database through its runtime, by name. States are Odoo's: installed, uninstalled, to install, to upgrade, to remove, uninstallable. A tenant no runtime serves answers 409 NO_RUNTIME.",
        params: tenantIdParams,
        querystring: moduleListQuery,
        response: { 200: moduleListReply },
      },
    },
    async (req) => {
      const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'modules:read');
      return bus.request('tenant.modules.list.v1', { tenantId: tenant.id, ...req.query }, odooRpc);
    },
  );

  for (const action of moduleActions) {
    app.post<{ Params: { tenant: string; module: string } }>(
      `/api/v1/tenants/:tenant/modules/:module/${action}`,
      {
        config: { permission: 'modules:write', action: `tenant.module.${action}` },
        schema: {
          tags: ['modules'],
          summary: summaries[action],
          description: `${descriptions[action]} Answers 202 with the operation to follow; a failed change leaves the tenant as it was and the operation says why, in Odoo's words. A tenant no runtime serves answers 409 NO_RUNTIME; one that is not active, or busy with another operation, answers 409 naming its state.`,
          params: moduleParams,
          response: { 202: tenantAndOperation },
        },
      },
      async (req, reply) => {
        const tenant = await lookupTenant(bus, rpc, req, req.params.tenant, 'modules:write');
        const result = await bus.request(
          'tenant.module.v1',
          { tenantId: tenant.id, module: req.params.module, action, actor: actor(req) },
          rpc,
        );
        // The module is in the recorded path and action; the tenant before and after, as for suspend.
        req.audit.target = `tenant:${tenant.id}`;
        req.audit.tenantId = tenant.id;
        req.audit.before = tenant;
        req.audit.after = result.tenant;
        return reply.code(202).header('location', `/api/v1/operations/${result.operation.id}`).send(result);
      },
    );
  }
}
