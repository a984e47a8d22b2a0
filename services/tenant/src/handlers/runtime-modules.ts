import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import type { HandlerContext } from './context.ts';

/**
 * `rpc.tenant.runtime.modules.v1`: every module an Odoo version offers, as a ready runtime of that
 * version listed them in its template when it was made (`ir_module_module` holds each module on
 * the addons path once Odoo made the database; the template accepts no connection afterwards, so
 * the list is kept then). A runtime whose template was made before the list was kept learns it at
 * its next template rebuild.
 */
export function runtimeModulesHandler(ctx: HandlerContext): RpcHandler<'tenant.runtime.modules.v1'> {
  return async (req) => {
    const { rows } = await ctx.pool.query<{ id: string; name: string; template_modules: string[] | null }>(
      `SELECT id, name, template_modules FROM odoo_runtimes
        WHERE odoo_version = $1 AND state = 'ready' AND template_database IS NOT NULL
        ORDER BY template_modules IS NULL, created_at, id`,
      [req.odooVersion],
    );
    const runtime = rows[0];
    if (!runtime)
      throw new RpcError(
        'RUNTIME_NOT_FOUND',
        `no ready Odoo runtime serves Odoo ${req.odooVersion}; register one (POST /api/v1/runtimes)`,
      );
    if (!runtime.template_modules)
      throw new RpcError(
        'RUNTIME_NOT_FOUND',
        `the template of runtime "${runtime.name}" (Odoo ${req.odooVersion}) was made before the platform kept its module list; rebuild it (POST /api/v1/runtimes/${runtime.id}/template)`,
      );
    return { odooVersion: req.odooVersion, runtimeId: runtime.id, modules: runtime.template_modules };
  };
}
