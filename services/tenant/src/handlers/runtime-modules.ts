import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { withServerSql } from '../dbserver/snapshot.ts';
import type { HandlerContext } from './context.ts';

/**
 * `rpc.tenant.runtime.modules.v1`: every module an Odoo version offers, as the template database of
 * a ready runtime of that version lists them (`ir_module_module` holds each module on the addons
 * path once Odoo made the database). Read by SQL: the template is no tenant with an administrator
 * to call Odoo as, and the list is what Odoo itself wrote.
 */
export function runtimeModulesHandler(ctx: HandlerContext): RpcHandler<'tenant.runtime.modules.v1'> {
  return async (req) => {
    const { rows } = await ctx.pool.query<{
      id: string;
      database_server_id: string;
      template_database: string;
    }>(
      `SELECT id, database_server_id, template_database FROM odoo_runtimes
        WHERE odoo_version = $1 AND state = 'ready' AND template_database IS NOT NULL
        ORDER BY created_at, id LIMIT 1`,
      [req.odooVersion],
    );
    const runtime = rows[0];
    if (!runtime)
      throw new RpcError(
        'RUNTIME_NOT_FOUND',
        `no ready Odoo runtime serves Odoo ${req.odooVersion}; register one (POST /api/v1/runtimes)`,
      );
    const modules = await withServerSql(ctx, runtime.database_server_id, (sql) =>
      sql.inDatabase(runtime.template_database, async (c) => {
        const r = await c.query<{ name: string }>('SELECT name FROM ir_module_module ORDER BY name');
        return r.rows.map((m) => m.name);
      }),
    );
    return { odooVersion: req.odooVersion, runtimeId: runtime.id, modules };
  };
}
