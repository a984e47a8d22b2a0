import { RpcError } from '@ocp/bus';
import type { Queryable } from '@ocp/db';
import { placeTenant as placeOnServer } from '../db/store.ts';
import type { RuntimeRow } from './registry.ts';

/** Where a new tenant goes: a runtime (its server, role and template), or the default server alone. */
export type Placement =
  | { kind: 'runtime'; runtime: RuntimeRow; serverId: string; owner: string }
  | { kind: 'default'; serverId: string; owner: string };

export interface PlacementRequest {
  /** The runtime asked for by the caller, if any. */
  runtimeId?: string | undefined;
  /** The Odoo series asked for, if any. */
  odooVersion?: string | undefined;
}

/** The Odoo series of the built-in template's table shapes. */
const BUILT_IN_VERSION = '18.0';

type Candidate = RuntimeRow & { tenant_count: number; accepting: boolean };

/**
 * The placement rule, in one function so that it is easy to replace:
 * 1. the runtime the request names, which must be ready, on a server that accepts tenants, with room;
 * 2. else the ready runtimes (of the requested Odoo series, when one is asked for) on accepting
 *    servers with room, the one with the fewest tenants first;
 * 3. else, when no runtime is registered at all, the default placement: the accepting server with
 *    the most room, the built-in template and the default runtime role (`defaultRole`).
 * Registered runtimes none of which can take the tenant: NO_CAPACITY saying why.
 */
export async function placeTenant(
  db: Queryable,
  req: PlacementRequest,
  defaultRole: string,
): Promise<Placement> {
  const { rows: runtimes } = await db.query<Candidate>(
    `SELECT r.*, s.accepting,
            (SELECT count(*)::int FROM tenants t WHERE t.runtime_id = r.id AND t.state <> 'deleted') AS tenant_count
       FROM odoo_runtimes r JOIN database_servers s ON s.id = r.database_server_id
      ORDER BY r.created_at, r.id`,
  );
  const hasRoom = (r: Candidate) => r.tenant_count < r.max_tenants;
  const take = (r: Candidate): Placement => ({
    kind: 'runtime',
    runtime: r,
    serverId: r.database_server_id,
    owner: r.db_role,
  });

  if (req.runtimeId) {
    const r = runtimes.find((x) => x.id === req.runtimeId);
    if (!r) throw new RpcError('RUNTIME_NOT_FOUND', `no runtime ${req.runtimeId}`, '/runtimeId');
    if (r.state !== 'ready' || !r.template_database)
      throw new RpcError(
        'INVALID_STATE',
        `runtime "${r.name}" is ${r.state}${r.state === 'preparing' ? ' (its template is being made; try again shortly)' : ''}; only a ready runtime takes new tenants`,
        '/runtimeId',
      );
    if (req.odooVersion && req.odooVersion !== r.odoo_version)
      throw new RpcError(
        'VALIDATION_FAILED',
        `runtime "${r.name}" serves Odoo ${r.odoo_version}, not ${req.odooVersion}`,
        '/odooVersion',
      );
    if (!r.accepting)
      throw new RpcError(
        'INVALID_STATE',
        `the database server of runtime "${r.name}" accepts no new tenants`,
        '/runtimeId',
      );
    if (!hasRoom(r))
      throw new RpcError(
        'NO_CAPACITY',
        `runtime "${r.name}" is full (${r.tenant_count} of ${r.max_tenants} tenants)`,
      );
    return take(r);
  }

  const fit = runtimes
    .filter(
      (r) =>
        r.state === 'ready' &&
        r.template_database !== null &&
        r.accepting &&
        hasRoom(r) &&
        (!req.odooVersion || r.odoo_version === req.odooVersion),
    )
    .sort((a, b) => a.tenant_count - b.tenant_count);
  if (fit[0]) return take(fit[0]);

  if (runtimes.length === 0) {
    if (req.odooVersion && req.odooVersion !== BUILT_IN_VERSION)
      throw new RpcError(
        'NO_RUNTIME',
        `no Odoo runtime is registered, and the built-in template is Odoo ${BUILT_IN_VERSION}, not ${req.odooVersion}; register a runtime of ${req.odooVersion}`,
        '/odooVersion',
      );
    const serverId = await placeOnServer(db);
    if (!serverId)
      throw new RpcError(
        'NO_CAPACITY',
        'no database server accepts new tenants; register one or raise a limit',
      );
    return { kind: 'default', serverId, owner: defaultRole };
  }

  const why = runtimes
    .map((r) => {
      const reason =
        r.state !== 'ready'
          ? r.state
          : !r.accepting
            ? 'its database server accepts no new tenants'
            : !hasRoom(r)
              ? `full (${r.tenant_count} of ${r.max_tenants})`
              : `Odoo ${r.odoo_version}`;
      return `"${r.name}": ${reason}`;
    })
    .join('; ');
  const version = req.odooVersion ? ` of Odoo ${req.odooVersion}` : '';
  throw new RpcError('NO_CAPACITY', `no runtime${version} is ready with room for a new tenant (${why})`);
}
