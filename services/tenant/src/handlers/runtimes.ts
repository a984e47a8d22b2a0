import { randomBytes, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { createOdooClient, OdooError } from '@ocp/odoo';
import { sealSecret } from '../domain/secrets.ts';
import {
  type CountedRuntimeRow,
  getRuntime,
  listRuntimes,
  masterPasswordPlace,
  nextTemplateNumber,
  type RuntimeRow,
  templateName,
  toRuntime,
} from '../runtime/registry.ts';
import type { HandlerContext } from './context.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** What the runtime handlers are given besides the service's context. */
export interface RuntimeContext extends HandlerContext {
  /** Starts a pass of the template job at once. */
  wakeTemplates(): void;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/** What kept an answer from arriving, in words, naming the runtime's URL. */
function unreachable(url: string, call: string, err: unknown): RpcError {
  const what =
    err instanceof OdooError
      ? `it answered ${call} with an error (${err.name}: ${err.odooMessage})`
      : `${call} failed: ${err instanceof Error ? err.message : String(err)}`;
  return new RpcError(
    'RUNTIME_UNREACHABLE',
    `the Odoo runtime at ${url} could not be used: ${what}`,
    '/rpcUrl',
  );
}

/**
 * Checks a runtime before it is registered, with the real client: `common.version` must answer
 * as Odoo does with the series asked for, and the master password must be accepted. The master
 * password is tried with `db.drop` of a reserved name that cannot exist (`ocp_probe_<random>`):
 * Odoo checks the password first (AccessDenied when wrong) and answers false for a database that
 * is not there, so nothing is changed either way.
 */
export async function checkRuntime(opts: {
  url: string;
  odooVersion: string;
  masterPassword: string;
  timeoutMs: number;
}): Promise<void> {
  const odoo = createOdooClient({ url: opts.url, timeoutMs: opts.timeoutMs });
  let version: Awaited<ReturnType<typeof odoo.version>>;
  try {
    version = await odoo.version();
  } catch (err) {
    throw unreachable(opts.url, 'common.version', err);
  }
  if (typeof version?.server_serie !== 'string')
    throw new RpcError(
      'RUNTIME_UNREACHABLE',
      `the server at ${opts.url} answered common.version, but not as Odoo does (no server_serie); is it an Odoo server's JSON-RPC address?`,
      '/rpcUrl',
    );
  if (version.server_serie !== opts.odooVersion)
    throw new RpcError(
      'RUNTIME_REFUSED',
      `the runtime at ${opts.url} runs Odoo ${version.server_serie} (${version.server_version}), not ${opts.odooVersion}`,
      '/odooVersion',
    );
  const probe = `ocp_probe_${randomBytes(8).toString('hex')}`;
  try {
    await odoo.db.drop(opts.masterPassword, probe);
  } catch (err) {
    if (err instanceof OdooError) {
      const says =
        err.odooMessage && err.odooMessage !== 'Access Denied' ? ` (Odoo: ${err.odooMessage})` : '';
      if (err.name === 'odoo.exceptions.AccessDenied')
        throw new RpcError('RUNTIME_REFUSED', `the master password was refused${says}`, '/masterPassword');
      throw new RpcError(
        'RUNTIME_REFUSED',
        `the runtime refused db.drop, by which the master password is checked: ${err.name}: ${err.odooMessage}`,
        '/masterPassword',
      );
    }
    throw unreachable(opts.url, 'db.drop', err);
  }
}

/** `rpc.tenant.runtime.register.v1`: checks the runtime, stores it (preparing) and starts its template. */
export function registerRuntimeHandler(ctx: RuntimeContext): RpcHandler<'tenant.runtime.register.v1'> {
  return async (req) => {
    if (await getRuntime(ctx.pool, req.name))
      throw new RpcError('RUNTIME_EXISTS', `a runtime named "${req.name}" exists already`, '/name');
    const { rows: servers } = await ctx.pool.query<{ id: string; name: string }>(
      req.databaseServerId
        ? 'SELECT id, name FROM database_servers WHERE id = $1'
        : "SELECT id, name FROM database_servers WHERE name = 'default'",
      req.databaseServerId ? [req.databaseServerId] : [],
    );
    const server = servers[0];
    if (!server)
      throw new RpcError(
        'VALIDATION_FAILED',
        req.databaseServerId ? `no database server ${req.databaseServerId}` : 'no default database server',
        '/databaseServerId',
      );
    for (const [field, url] of [
      ['/rpcUrl', req.rpcUrl],
      ['/websocketUrl', req.websocketUrl],
    ] as const)
      if (url !== undefined && !URL.canParse(url))
        throw new RpcError('VALIDATION_FAILED', `${url} is not a URL`, field);
    const admin = await ctx.servers.admin(server.id);
    const role = await admin.roleInfo(req.dbRole);
    if (!role.exists)
      throw new RpcError(
        'VALIDATION_FAILED',
        `role "${req.dbRole}" does not exist on database server "${server.name}"; give the role the runtime's Odoo connects as`,
        '/dbRole',
      );
    if (role.superuser)
      throw new RpcError(
        'VALIDATION_FAILED',
        `role "${req.dbRole}" is a superuser; Odoo refuses to run as one, and the platform does not act as one`,
        '/dbRole',
      );
    try {
      await admin.joinRuntimeRole(req.dbRole);
    } catch (err) {
      throw new RpcError('VALIDATION_FAILED', (err as Error).message, '/dbRole');
    }
    const dir = await stat(req.filestorePath).catch(() => undefined);
    if (!dir?.isDirectory())
      throw new RpcError(
        'VALIDATION_FAILED',
        `${req.filestorePath} is not a directory the tenant service can see; give where the runtime's <data_dir>/filestore is mounted`,
        '/filestorePath',
      );
    await checkRuntime({
      url: req.rpcUrl,
      odooVersion: req.odooVersion,
      masterPassword: req.masterPassword,
      timeoutMs: ctx.config.ODOO_RPC_TIMEOUT_MS,
    });
    const id = randomUUID();
    try {
      const { rows } = await ctx.pool.query<RuntimeRow>(
        `INSERT INTO odoo_runtimes (id, name, odoo_version, rpc_url, master_password_sealed, database_server_id,
           db_role, filestore_path, max_tenants, state, template_building, template_step, websocket_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'preparing', $10, 'queued', $11) RETURNING *`,
        [
          id,
          req.name,
          req.odooVersion,
          req.rpcUrl.replace(/\/+$/, ''),
          sealSecret(ctx.secrets, req.masterPassword, masterPasswordPlace(id)),
          server.id,
          req.dbRole,
          req.filestorePath,
          req.maxTenants ?? 1000,
          templateName(id, 1),
          req.websocketUrl ? req.websocketUrl.replace(/\/+$/, '') : null,
        ],
      );
      ctx.logger.info({ runtimeId: id, name: req.name, actor: req.actor }, 'registered an Odoo runtime');
      ctx.wakeTemplates();
      return { runtime: toRuntime({ ...rows[0]!, tenant_count: 0 }) };
    } catch (e) {
      if (isUniqueViolation(e))
        throw new RpcError('RUNTIME_EXISTS', `a runtime named "${req.name}" exists already`, '/name');
      throw e;
    }
  };
}

async function mustGet(ctx: HandlerContext, idOrName: string): Promise<CountedRuntimeRow> {
  const row = await getRuntime(ctx.pool, idOrName);
  if (!row) throw new RpcError('RUNTIME_NOT_FOUND', `no runtime ${idOrName}`);
  return row;
}

/** `rpc.tenant.runtime.get.v1`: by id or name. */
export function getRuntimeHandler(ctx: HandlerContext): RpcHandler<'tenant.runtime.get.v1'> {
  return async (req) => ({ runtime: toRuntime(await mustGet(ctx, req.runtime)) });
}

/** `rpc.tenant.runtime.list.v1`: oldest first, keyset-paginated. */
export function listRuntimesHandler(ctx: HandlerContext): RpcHandler<'tenant.runtime.list.v1'> {
  return async (req) => {
    const rows = await listRuntimes(ctx.pool, {
      limit: req.limit + 1,
      ...(req.cursor ? { after: decodeCursor(req.cursor) } : {}),
      includeDisabled: req.includeDisabled ?? false,
    });
    const page = rows.slice(0, req.limit);
    const last = page.at(-1);
    return {
      items: page.map(toRuntime),
      nextCursor:
        rows.length > req.limit && last
          ? encodeCursor({ t: last.created_at.toISOString(), id: last.id })
          : null,
    };
  };
}

/** `rpc.tenant.runtime.disable.v1`: it takes no new tenants; its tenants stay. */
export function disableRuntimeHandler(ctx: HandlerContext): RpcHandler<'tenant.runtime.disable.v1'> {
  return async (req) => {
    const runtime = await mustGet(ctx, req.runtimeId);
    if (runtime.state !== 'disabled') {
      await ctx.pool.query(
        "UPDATE odoo_runtimes SET state = 'disabled', disabled_at = now(), updated_at = now() WHERE id = $1",
        [runtime.id],
      );
      ctx.logger.info({ runtimeId: runtime.id, actor: req.actor }, 'disabled an Odoo runtime');
    }
    return { runtime: toRuntime(await mustGet(ctx, runtime.id)) };
  };
}

/**
 * `rpc.tenant.runtime.template.v1`: prepares the runtime's template again (a new Odoo release)
 * beside the current one, which new tenants keep using until the new one is ready. A runtime
 * whose template is being prepared already answers as it is.
 */
export function rebuildTemplateHandler(ctx: RuntimeContext): RpcHandler<'tenant.runtime.template.v1'> {
  return async (req) => {
    const runtime = await mustGet(ctx, req.runtimeId);
    if (runtime.state === 'disabled')
      throw new RpcError('INVALID_STATE', `runtime "${runtime.name}" is disabled; it needs no template`);
    if (!runtime.template_building) {
      const next = templateName(runtime.id, nextTemplateNumber(runtime.template_database));
      await ctx.pool.query(
        `UPDATE odoo_runtimes SET template_building = $2, template_step = 'queued', template_error = NULL,
                template_attempts = 0, template_lease_expires_at = NULL, updated_at = now(),
                state = CASE WHEN state = 'failed' THEN 'preparing' ELSE state END
          WHERE id = $1 AND template_building IS NULL`,
        [runtime.id, next],
      );
      ctx.logger.info(
        { runtimeId: runtime.id, template: next, actor: req.actor },
        'preparing a runtime template',
      );
      ctx.wakeTemplates();
    }
    return { runtime: toRuntime(await mustGet(ctx, runtime.id)) };
  };
}
