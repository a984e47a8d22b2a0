import type { Runtime } from '@ocp/contracts';
import type { Pool, Queryable } from '@ocp/db';
import type { Logger } from 'pino';
import { type Keyring, needsReseal, openSecret, type SealedPlace, sealSecret } from '../domain/secrets.ts';
import { adminPasswordPlace } from '../odoo/passwords.ts';

/** A row of `odoo_runtimes`. */
export interface RuntimeRow {
  id: string;
  name: string;
  odoo_version: Runtime['odooVersion'];
  rpc_url: string;
  /** Null: at the rpc_url's host on port 8072 (defaultWebsocketUrl). */
  websocket_url: string | null;
  master_password_sealed: string;
  database_server_id: string;
  db_role: string;
  filestore_path: string;
  max_tenants: number;
  state: Runtime['state'];
  template_database: string | null;
  template_building: string | null;
  template_step: string | null;
  template_error: string | null;
  template_leased_by: string | null;
  template_lease_expires_at: Date | null;
  template_attempts: number;
  created_at: Date;
  updated_at: Date;
  disabled_at: Date | null;
}

/** A runtime row with the number of its tenants that are not deleted. */
export type CountedRuntimeRow = RuntimeRow & { tenant_count: number };

/** Where a runtime's sealed master password lives: the seal is bound to it. */
export const masterPasswordPlace = (runtimeId: string): SealedPlace => ({
  table: 'odoo_runtimes',
  rowId: runtimeId,
  column: 'master_password_sealed',
});

/** The runtime's master password, unsealed; it is never logged or answered. */
export const masterPasswordOf = (ring: Keyring, row: RuntimeRow) =>
  openSecret(ring, row.master_password_sealed, masterPasswordPlace(row.id));

/** Odoo's gevent port (8072) at the host of its HTTP address: where /websocket is unless told. */
export function defaultWebsocketUrl(rpcUrl: string): string {
  try {
    const u = new URL(rpcUrl);
    return `${u.protocol}//${u.hostname}:8072`;
  } catch {
    return rpcUrl;
  }
}

/** `host:port` of an address, the port its scheme's when not written, for an upstream. */
export function hostPortOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return undefined;
  }
}

/** The public shape of a runtime: never its master password. */
export function toRuntime(r: CountedRuntimeRow): Runtime {
  return {
    id: r.id,
    name: r.name,
    odooVersion: r.odoo_version,
    rpcUrl: r.rpc_url,
    websocketUrl: r.websocket_url ?? defaultWebsocketUrl(r.rpc_url),
    databaseServerId: r.database_server_id,
    dbRole: r.db_role,
    filestorePath: r.filestore_path,
    state: r.state,
    templateDatabase: r.template_database,
    templateError: r.template_error ? r.template_error.slice(0, 2000) : null,
    templateStep: r.template_step ? r.template_step.slice(0, 200) : null,
    maxTenants: r.max_tenants,
    tenantCount: r.tenant_count,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    disabledAt: r.disabled_at ? r.disabled_at.toISOString() : null,
  };
}

const COUNTED = `SELECT r.*, (SELECT count(*)::int FROM tenants t
                   WHERE t.runtime_id = r.id AND t.state <> 'deleted') AS tenant_count
                 FROM odoo_runtimes r`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One runtime by id or by name, with its tenant count. */
export async function getRuntime(db: Queryable, idOrName: string): Promise<CountedRuntimeRow | undefined> {
  const { rows } = UUID.test(idOrName)
    ? await db.query<CountedRuntimeRow>(`${COUNTED} WHERE r.id = $1`, [idOrName])
    : await db.query<CountedRuntimeRow>(`${COUNTED} WHERE r.name = $1`, [idOrName]);
  return rows[0];
}

/** A page of runtimes, oldest first, after the (created_at, id) of the previous page's last. */
export async function listRuntimes(
  db: Queryable,
  opts: { limit: number; after?: { t: string; id: string }; includeDisabled?: boolean },
): Promise<CountedRuntimeRow[]> {
  const where: string[] = [];
  const args: unknown[] = [opts.limit];
  if (!opts.includeDisabled) where.push("r.state <> 'disabled'");
  if (opts.after) {
    args.push(opts.after.t, opts.after.id);
    where.push('(r.created_at, r.id) > ($2::timestamptz, $3::uuid)');
  }
  const { rows } = await db.query<CountedRuntimeRow>(
    `${COUNTED} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY r.created_at, r.id LIMIT $1`,
    args,
  );
  return rows;
}

/** Whether any runtime is registered at all (disabled ones too). */
export async function anyRuntime(db: Queryable): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM odoo_runtimes LIMIT 1');
  return (rowCount ?? 0) > 0;
}

/** `ocp_tpl_<first 8 hex of the runtime id>_<n>`: the reserved name of a runtime's n-th template. */
export function templateName(runtimeId: string, n: number): string {
  return `ocp_tpl_${runtimeId.replaceAll('-', '').slice(0, 8)}_${n}`;
}

/** The number of the template after `current` (1 for a runtime's first). */
export function nextTemplateNumber(current: string | null): number {
  const n = current ? Number(/_(\d+)$/.exec(current)?.[1] ?? 0) : 0;
  return n + 1;
}

/**
 * Seals again, under the keyring's newest key, the runtimes' master passwords and the
 * administrator passwords still kept for tenants not yet active, so that an older key can leave
 * the keyring. A row changed by another replica meanwhile keeps that change. Returns how many.
 */
export async function resealRuntimeSecrets(pool: Pool, ring: Keyring, logger: Logger): Promise<number> {
  let count = 0;
  const runtimes = await pool.query<{ id: string; sealed: string }>(
    'SELECT id, master_password_sealed AS sealed FROM odoo_runtimes',
  );
  for (const r of runtimes.rows) {
    if (!needsReseal(ring, r.sealed)) continue;
    const place = masterPasswordPlace(r.id);
    const { rowCount } = await pool.query(
      'UPDATE odoo_runtimes SET master_password_sealed = $2 WHERE id = $1 AND master_password_sealed = $3',
      [r.id, sealSecret(ring, openSecret(ring, r.sealed, place), place), r.sealed],
    );
    count += rowCount ?? 0;
  }
  const tenants = await pool.query<{ id: string; sealed: string }>(
    'SELECT id, admin_password_sealed AS sealed FROM tenants WHERE admin_password_sealed IS NOT NULL',
  );
  for (const t of tenants.rows) {
    if (!needsReseal(ring, t.sealed)) continue;
    const place = adminPasswordPlace(t.id);
    const { rowCount } = await pool.query(
      'UPDATE tenants SET admin_password_sealed = $2 WHERE id = $1 AND admin_password_sealed = $3',
      [t.id, sealSecret(ring, openSecret(ring, t.sealed, place), place), t.sealed],
    );
    count += rowCount ?? 0;
  }
  if (count > 0) logger.info({ secrets: count }, 'sealed runtime and administrator passwords again');
  return count;
}
