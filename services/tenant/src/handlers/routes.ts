import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { encodeCursor, type Route, readCursor, UUID_PATTERN } from '@ocp/contracts';
import type { Queryable } from '@ocp/db';
import { hostOfUrl } from '../domain/custom-domain.ts';
import { baseUrlFor } from '../odoo/personalise.ts';
import { defaultWebsocketUrl, hostPortOf } from '../runtime/registry.ts';
import type { HandlerContext } from './context.ts';

const DEFAULT_LIMIT = 500;

interface RouteRow {
  id: string;
  slug: string;
  state: Route['state'];
  database_name: string;
  base_url: string | null;
  custom_domains: string[];
  rpc_url: string | null;
  websocket_url: string | null;
}

// The states in which a tenant has a database to route to (served, or answered by the router);
// written out as the partial index tenants_routable is, so the list reads that index.
const ROUTES = `SELECT t.id, t.slug, t.state, t.database_name, t.base_url, t.custom_domains,
                       r.rpc_url, r.websocket_url
                  FROM tenants t LEFT JOIN odoo_runtimes r ON r.id = t.runtime_id
                 WHERE t.state IN ('active', 'suspended', 'restoring', 'migrating')`;

/** A host the router can match: what the schema of a route's hosts allows. */
const ROUTE_HOST = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9])?$/;

function toRoute(r: RouteRow, template: string): Route {
  const own = hostOfUrl(r.base_url ?? baseUrlFor(template, r.slug));
  // An address at an IPv6 literal has no name to match; its custom domains still route.
  const hosts = [...new Set([...(own ? [own] : []), ...r.custom_domains])].filter((h) => ROUTE_HOST.test(h));
  const http = r.rpc_url ? hostPortOf(r.rpc_url) : undefined;
  const websocket = r.rpc_url ? hostPortOf(r.websocket_url ?? defaultWebsocketUrl(r.rpc_url)) : undefined;
  return {
    tenantId: r.id,
    slug: r.slug,
    state: r.state,
    database: r.database_name,
    hosts,
    upstream: http && websocket ? { http, websocket } : null,
  };
}

async function routePage(db: Queryable, limit: number, after: string | undefined): Promise<RouteRow[]> {
  const { rows } = after
    ? await db.query<RouteRow>(`${ROUTES} AND t.id > $2 ORDER BY t.id LIMIT $1`, [limit, after])
    : await db.query<RouteRow>(`${ROUTES} ORDER BY t.id LIMIT $1`, [limit]);
  return rows;
}

/** The tenant id a cursor of this list holds, or a 400 naming the field. */
function afterOf(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = readCursor(cursor)?.id;
  if (typeof id === 'string' && UUID_PATTERN.test(id)) return id;
  throw new RpcError(
    'VALIDATION_FAILED',
    'after is not a cursor this list gave out; pass next from the previous page',
    '/after',
  );
}

/**
 * `rpc.tenant.routes.list.v1`: every routable tenant once, in tenant-id order, a page at a time.
 * The position is the last tenant id of the page, so a tenant created or gone between two pages
 * moves no other tenant to another page.
 */
export function listRoutesHandler(ctx: HandlerContext): RpcHandler<'tenant.routes.list.v1'> {
  return async (req) => {
    const limit = req.limit ?? DEFAULT_LIMIT;
    const rows = await routePage(ctx.pool, limit + 1, afterOf(req.after));
    const page = rows.slice(0, limit);
    const routes = page.map((r) => toRoute(r, ctx.config.TENANT_BASE_URL));
    return rows.length > limit ? { routes, next: encodeCursor({ id: page.at(-1)!.id }) } : { routes };
  };
}

/** `rpc.tenant.routes.get.v1`: one tenant's route; null when it has nothing to route to. */
export function getRouteHandler(ctx: HandlerContext): RpcHandler<'tenant.routes.get.v1'> {
  return async (req) => {
    const { rows } = await ctx.pool.query<RouteRow>(`${ROUTES} AND t.id = $1`, [req.tenantId]);
    return { route: rows[0] ? toRoute(rows[0], ctx.config.TENANT_BASE_URL) : null };
  };
}
