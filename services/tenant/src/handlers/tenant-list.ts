import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import {
  encodeCursor,
  filtersFingerprint,
  readCursor,
  type TenantListRequestV1,
  UUID_PATTERN,
} from '@ocp/contracts';
import { type TenantRow, toTenant } from '../db/rows.ts';
import type { HandlerContext } from './context.ts';

type SortName = NonNullable<TenantListRequestV1['sort']>;
type SortField = 'createdAt' | 'updatedAt' | 'slug' | 'displayName' | 'state';

/**
 * How each sort orders rows and writes its key: `order` is what ORDER BY and the keyset compare (the
 * expression of its index, see the migration tenant-lists), `key` the exact value a cursor carries
 * (timestamps to the microsecond, in UTC), `cast` the type it is read back as.
 */
const FIELDS: Record<SortField, { order: string; key: string; cast: string }> = {
  createdAt: {
    order: 'created_at',
    key: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    cast: 'timestamptz',
  },
  updatedAt: {
    order: 'updated_at',
    key: `to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    cast: 'timestamptz',
  },
  slug: { order: 'slug COLLATE "C"', key: 'slug', cast: 'text COLLATE "C"' },
  displayName: {
    order: 'lower(display_name) COLLATE "C"',
    key: 'lower(display_name)',
    cast: 'text COLLATE "C"',
  },
  state: { order: 'state COLLATE "C"', key: 'state', cast: 'text COLLATE "C"' },
};

/** A sort by name: its field and direction. */
export function sortOf(name: SortName): { field: SortField; descending: boolean } {
  const descending = name.startsWith('-');
  return { field: (descending ? name.slice(1) : name) as SortField, descending };
}

/** Where a page ends: the sort it was made under, its filters' fingerprint, the key and id of its last row. */
interface TenantCursor {
  s: SortName;
  f: string;
  k: string;
  id: string;
}

/** The filters of a request in one short string: a cursor only continues the list it came from. */
function fingerprint(req: TenantListRequestV1): string {
  const filters = [
    req.state ?? null,
    req.plan ?? null,
    req.slugPrefix ?? null,
    req.includeDeleted ?? false,
    req.runtimeId ?? null,
    req.q ?? null,
    req.tenantIds ? [...req.tenantIds].sort() : null,
    // Appended only when given, so that a cursor made before ids existed still continues its list.
    ...(req.ids ? [[...req.ids].sort()] : []),
  ];
  return filtersFingerprint(filters);
}

const badCursor = (why: string) =>
  new RpcError(
    'VALIDATION_FAILED',
    `cursor ${why}; pass nextCursor from the previous page of the same list, or leave cursor out to start from the first page`,
    '/cursor',
  );

function decodeTenantCursor(s: string, sort: SortName, filters: string): TenantCursor {
  const c = readCursor(s) as Partial<TenantCursor> | undefined;
  if (
    !c ||
    typeof c.s !== 'string' ||
    typeof c.f !== 'string' ||
    typeof c.k !== 'string' ||
    typeof c.id !== 'string' ||
    !UUID_PATTERN.test(c.id) ||
    c.k.length > 1000
  )
    throw badCursor('is not one this API gave out');
  if (c.s !== sort) throw badCursor(`was made for sort=${c.s}, not sort=${sort}`);
  if (c.f !== filters)
    throw badCursor('was made for other filters (state, plan, slugPrefix, runtimeId, q, includeDeleted, id)');
  if (FIELDS[sortOf(sort).field].cast === 'timestamptz' && Number.isNaN(Date.parse(c.k)))
    throw badCursor('is not one this API gave out');
  return c as TenantCursor;
}

/** The shortest free text searched for anywhere in the fields (a trigram); shorter is a prefix. */
const SUBSTRING_MIN = 3;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The SQL of one page of the list and its arguments (the benchmark runs the same statement). */
export function tenantListQuery(req: TenantListRequestV1): { sql: string; args: unknown[] } {
  const sort = req.sort ?? '-createdAt';
  const { field, descending } = sortOf(sort);
  const f = FIELDS[field];
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (req.state) where.push(`state = ${arg(req.state)}`);
  // Tenants asked for by id are named somewhere (an operation, an audit entry), deleted or not.
  else if (!req.includeDeleted && !req.ids) where.push("state <> 'deleted'");
  if (req.plan) where.push(`plan = ${arg(req.plan)}`);
  if (req.runtimeId) where.push(`runtime_id = ${arg(req.runtimeId)}::uuid`);
  // Both apply when both are given: ids only ever narrow the scope of tenantIds.
  if (req.tenantIds) where.push(`id = ANY(${arg(req.tenantIds)}::uuid[])`);
  if (req.ids) where.push(`id = ANY(${arg(req.ids)}::uuid[])`);
  if (req.slugPrefix) where.push(`slug COLLATE "C" LIKE ${arg(`${likeEscape(req.slugPrefix)}%`)}`);
  // Lowercased by PostgreSQL, as search_text is; the pattern is a constant the trigram index reads.
  // Under three characters there is no trigram to look up, and a substring would be searched for
  // through every row: such a search matches the start of the slug or of the name instead, two
  // ranges of their sort indexes.
  if (req.q && [...req.q].length >= SUBSTRING_MIN)
    where.push(`search_text LIKE lower(${arg(`%${likeEscape(req.q)}%`)})`);
  else if (req.q) {
    const prefix = arg(`${likeEscape(req.q)}%`);
    where.push(
      `(slug COLLATE "C" LIKE lower(${prefix}) OR lower(display_name) COLLATE "C" LIKE lower(${prefix}))`,
    );
  }
  if (req.cursor) {
    const c = decodeTenantCursor(req.cursor, sort, fingerprint(req));
    where.push(`(${f.order}, id) ${descending ? '<' : '>'} (${arg(c.k)}::${f.cast}, ${arg(c.id)}::uuid)`);
  }
  const dir = descending ? 'DESC' : 'ASC';
  const sql = `SELECT *, ${f.key} AS sort_key FROM tenants
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${f.order} ${dir}, id ${dir} LIMIT ${arg(req.limit + 1)}`;
  return { sql, args };
}

/**
 * `rpc.tenant.list.v1`: a page in any of the list's sorts, keyset-paginated on (sort key, id), so a
 * page costs the same at any depth and ties never repeat or skip a tenant. The cursor names its
 * sort and filters: used with others it is refused, never read as a position it is not.
 */
export function listTenantsHandler(ctx: HandlerContext): RpcHandler<'tenant.list.v1'> {
  return async (req) => {
    const { sql, args } = tenantListQuery(req);
    const { rows } = await ctx.pool.query<TenantRow & { sort_key: string }>(sql, args);
    const page = rows.slice(0, req.limit);
    const last = page.at(-1);
    const cursor: TenantCursor | undefined =
      rows.length > req.limit && last
        ? { s: req.sort ?? '-createdAt', f: fingerprint(req), k: last.sort_key, id: last.id }
        : undefined;
    return {
      items: page.map(toTenant),
      nextCursor: cursor ? encodeCursor(cursor) : null,
    };
  };
}

/** `rpc.tenant.stats.v1`: tenants by state, in one GROUP BY. */
export function tenantStatsHandler(ctx: HandlerContext): RpcHandler<'tenant.stats.v1'> {
  return async (req) => {
    const { rows } = await ctx.pool.query<{ state: TenantRow['state']; n: number }>(
      `SELECT state, count(*)::int AS n FROM tenants
        ${req.tenantIds ? 'WHERE id = ANY($1::uuid[])' : ''} GROUP BY state`,
      req.tenantIds ? [req.tenantIds] : [],
    );
    const byState = {
      pending: 0,
      provisioning: 0,
      active: 0,
      suspended: 0,
      failed: 0,
      restoring: 0,
      migrating: 0,
      deleting: 0,
      deleted: 0,
    };
    for (const r of rows) byState[r.state] = r.n;
    return { byState, total: rows.reduce((n, r) => n + r.n, 0) };
  };
}
