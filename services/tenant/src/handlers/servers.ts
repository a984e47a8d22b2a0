import { RpcError, type RpcHandler } from '@ocp/bus';
import type { DatabaseServer } from '@ocp/contracts';
import type { Queryable } from '@ocp/db';
import { connectServerSql } from '../dbserver/snapshot.ts';
import type { HandlerContext } from './context.ts';

interface ServerRow {
  id: string;
  name: string;
  max_tenants: number;
  accepting: boolean;
  tenant_count: string;
  created_at: Date;
}

const SERVERS = `SELECT s.id, s.name, s.max_tenants, s.accepting, s.created_at,
    (SELECT count(*) FROM tenants t WHERE t.database_server_id = s.id AND t.state <> 'deleted') AS tenant_count
  FROM database_servers s`;

const toServer = (r: ServerRow): DatabaseServer => ({
  id: r.id,
  name: r.name,
  maxTenants: r.max_tenants,
  accepting: r.accepting,
  tenantCount: Number(r.tenant_count),
  createdAt: r.created_at.toISOString(),
});

export async function getServer(db: Queryable, id: string): Promise<DatabaseServer | undefined> {
  const { rows } = await db.query<ServerRow>(`${SERVERS} WHERE s.id = $1`, [id]);
  return rows[0] ? toServer(rows[0]) : undefined;
}

/**
 * `rpc.tenant.server.register.v1`: checks that the URL reaches a server as a role that may create
 * databases and roles (answering what is missing), makes the default runtime role there and
 * registers the server, its URL sealed. The URL is never answered, logged or published.
 */
export function registerServerHandler(ctx: HandlerContext): RpcHandler<'tenant.server.register.v1'> {
  return async (req) => {
    let sql: Awaited<ReturnType<typeof connectServerSql>>;
    try {
      sql = await connectServerSql(req.adminUrl);
    } catch (e) {
      throw new RpcError(
        'VALIDATION_FAILED',
        `the server could not be reached with this URL: ${(e as Error).message}`,
        '/adminUrl',
      );
    }
    try {
      const { rows } = await sql.query<{ createdb: boolean; createrole: boolean }>(
        'SELECT rolcreatedb AS createdb, rolcreaterole AS createrole FROM pg_roles WHERE rolname = current_user',
      );
      const role = rows[0];
      if (!role?.createdb || !role.createrole)
        throw new RpcError(
          'VALIDATION_FAILED',
          "the URL's role must have CREATEDB and CREATEROLE on that server (it makes, copies and drops tenant databases and the runtime role)",
          '/adminUrl',
        );
    } finally {
      await sql.close();
    }
    let id: string;
    try {
      id = await ctx.servers.register(req.name, req.adminUrl, req.maxTenants);
    } catch (e) {
      if ((e as { code?: string }).code === '23505')
        throw new RpcError(
          'VALIDATION_FAILED',
          `a database server named "${req.name}" exists already`,
          '/name',
        );
      throw e;
    }
    await (await ctx.servers.admin(id)).ensureRuntimeRole(ctx.config.TENANT_DEFAULT_RUNTIME_ROLE);
    ctx.logger.info({ serverId: id, name: req.name, actor: req.actor }, 'database server registered');
    return { server: (await getServer(ctx.pool, id))! };
  };
}

export function listServersHandler(ctx: HandlerContext): RpcHandler<'tenant.server.list.v1'> {
  return async () => {
    const { rows } = await ctx.pool.query<ServerRow>(`${SERVERS} ORDER BY s.created_at, s.id LIMIT 1000`);
    return { items: rows.map(toServer) };
  };
}
