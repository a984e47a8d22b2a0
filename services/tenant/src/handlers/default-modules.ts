import type { PoolClient } from '@ocp/db';
import type { TenantRow } from '../db/rows.ts';
import { defaultModulesOf, queueOperation } from '../db/store.ts';
import type { HandlerContext } from './context.ts';

/**
 * Queues the installation of the tenant's plan's default modules, one module operation each, in
 * the transaction that activates it: they run after the provisioning, one at a time like every
 * operation of a tenant, and each shows on its own (an operator can retry one that failed).
 * Only a tenant on a registered runtime has an Odoo to install through; the plan comes from this
 * service's copy of the quota catalog (a plan it does not know installs nothing).
 */
export async function queueDefaultModules(
  client: PoolClient,
  ctx: Pick<HandlerContext, 'logger'> & { traceparent?: string | undefined },
  tenant: TenantRow,
): Promise<void> {
  if (!tenant.runtime_id) return;
  const modules = await defaultModulesOf(client, tenant.plan);
  for (const module of modules) {
    await queueOperation(
      client,
      { tenantId: tenant.id, kind: 'tenant.module_install', params: { module }, actor: 'system:quota' },
      ctx.traceparent,
    );
  }
  if (modules.length)
    ctx.logger.info(
      { tenantId: tenant.id, plan: tenant.plan, modules },
      'default modules of the plan queued',
    );
}
