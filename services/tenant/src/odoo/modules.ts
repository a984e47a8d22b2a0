import type { RpcMap } from '@ocp/contracts';
import type { ModuleRecord, ModuleState } from '@ocp/odoo';
import type pg from 'pg';
import type { TenantSession } from './tenant-session.ts';

/**
 * A tenant's Odoo modules through its runtime's JSON-RPC API (`ir.module.module`): a page of the
 * list, and one install, upgrade or uninstall with the states read before and after, since Odoo
 * answers success to `button_immediate_install` on an `uninstallable` module (or an empty id list)
 * while doing nothing. Odoo 18.0 behaviour recorded in ../shared/odoo/FACTS-more.md.
 */

export type ModuleSummary = RpcMap['tenant.modules.list.v1']['reply']['items'][number];
export type ModuleAction = 'install' | 'upgrade' | 'uninstall';

const LIST_FIELDS = [
  'name',
  'state',
  'shortdesc',
  'latest_version',
  'installed_version',
  'application',
  'auto_install',
];

/** Odoo sends `false` for an empty field. */
const text = (v: unknown, max: number): string | null =>
  typeof v === 'string' && v !== '' ? v.slice(0, max) : null;

export function toModuleSummary(r: ModuleRecord): ModuleSummary {
  return {
    name: r.name,
    state: r.state,
    shortdesc: text(r.shortdesc, 500),
    latestVersion: text(r.latest_version, 64),
    installedVersion: text(r.installed_version, 64),
    application: r.application === true,
    autoInstall: r.auto_install === true,
  };
}

/** One page of modules by name, and whether more follow. */
export async function listModules(
  s: TenantSession,
  q: { offset: number; limit: number; state?: ModuleState | undefined; search?: string | undefined },
): Promise<{ items: ModuleSummary[]; more: boolean }> {
  const domain: unknown[] = [];
  if (q.state) domain.push(['state', '=', q.state]);
  if (q.search) domain.push(['name', 'ilike', q.search]);
  const rows = await s.odoo.executeKw<ModuleRecord[]>(s.auth, 'ir.module.module', 'search_read', [domain], {
    fields: LIST_FIELDS,
    order: 'name',
    offset: q.offset,
    // One more than asked says whether another page follows.
    limit: q.limit + 1,
  });
  return { items: rows.slice(0, q.limit).map(toModuleSummary), more: rows.length > q.limit };
}

/** Each module's id, state and installed version, by name. */
export type ModuleStates = Record<string, { id?: number; state: ModuleState; version: string | null }>;

/**
 * Every module's state (a few hundred rows on a real server), in one call: each call costs Odoo a
 * check of the administrator's password hash before it tries the key.
 */
export async function readModuleStates(s: TenantSession): Promise<ModuleStates> {
  const rows = await s.odoo.searchModules(s.auth, {}, ['name', 'state', 'latest_version']);
  const out: ModuleStates = {};
  for (const r of rows) out[r.name] = { id: r.id, state: r.state, version: text(r.latest_version, 64) };
  return out;
}

/**
 * The installed modules that depend on `module`, directly or not, and the module itself: what
 * Odoo's `button_upgrade` marks `to upgrade` (it follows `ir_module_module_dependency` down from
 * the module). Read by SQL in the tenant's database, since the dependency model is not one the
 * platform calls.
 */
export async function upgradeSet(c: pg.ClientBase, module: string): Promise<string[]> {
  const { rows } = await c.query<{ name: string }>(
    `WITH RECURSIVE down(name) AS (
       SELECT $1::varchar
       UNION
       SELECT m.name FROM ir_module_module_dependency d
         JOIN ir_module_module m ON m.id = d.module_id
         JOIN down ON d.name = down.name
        WHERE m.state = 'installed')
     SELECT name FROM down`,
    [module],
  );
  return rows.map((r) => r.name);
}

/** `update_list`: Odoo reads the modules on its disk again, so a module added since is known. */
export async function updateModuleList(s: TenantSession): Promise<void> {
  await s.odoo.executeKw(s.auth, 'ir.module.module', 'update_list', []);
}

/** The button of the action (the client retries the scheduled-action lock a bounded number of times). */
export async function pressModuleButton(
  s: TenantSession,
  action: ModuleAction,
  id: number,
  timeoutMs: number,
): Promise<void> {
  const options = { timeoutMs };
  if (action === 'install') await s.odoo.installModules(s.auth, [id], options);
  else if (action === 'upgrade') await s.odoo.upgradeModules(s.auth, [id], options);
  else await s.odoo.uninstallModules(s.auth, [id], options);
}

const past: Record<ModuleAction, string> = { install: 'install', upgrade: 'upgrade', uninstall: 'uninstall' };

/**
 * Why the action did not do what it was asked (Odoo answered success all the same), or undefined
 * when it did: an install and an upgrade leave the module `installed`, an uninstall `uninstalled`.
 */
export function refusedOutcome(
  action: ModuleAction,
  module: string,
  after: ModuleStates,
): string | undefined {
  const now = after[module]?.state;
  if (now === undefined) return `module "${module}" is gone from the database after the ${action}`;
  const wanted: ModuleState = action === 'uninstall' ? 'uninstalled' : 'installed';
  if (now !== wanted) return `Odoo did not ${past[action]} "${module}": its state is ${now}`;
  return undefined;
}

/**
 * Whether the module is in the state the action leads to already (an install of an installed
 * module, an uninstall of one not installed): nothing is asked of Odoo and the operation succeeds
 * having changed nothing, so that asking twice, or a script that ensures a module, is harmless.
 */
export function alreadyDone(action: ModuleAction, module: string, before: ModuleStates): boolean {
  const was = before[module]?.state;
  if (action === 'install') return was === 'installed';
  if (action === 'uninstall') return was === 'uninstalled';
  return false;
}

/** What the action changed: modules installed, upgraded and removed, each sorted by name. */
export function moduleChanges(
  before: ModuleStates,
  after: ModuleStates,
  /** The modules an upgrade marked (upgradeSet); none for an install or an uninstall. */
  upgrading: readonly string[] = [],
): { installed: string[]; upgraded: string[]; removed: string[] } {
  const installed: string[] = [];
  const upgraded: string[] = [];
  const removed: string[] = [];
  for (const [name, now] of Object.entries(after)) {
    const was = before[name];
    const wasInstalled = was?.state === 'installed';
    if (now.state === 'installed' && !wasInstalled) installed.push(name);
    else if (now.state === 'installed' && wasInstalled) {
      if (now.version !== was.version || upgrading.includes(name)) upgraded.push(name);
    } else if (wasInstalled && now.state !== 'installed') removed.push(name);
  }
  // A module gone from the list altogether was removed too.
  for (const [name, was] of Object.entries(before))
    if (was.state === 'installed' && !after[name]) removed.push(name);
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    installed: installed.sort(byName),
    upgraded: upgraded.sort(byName),
    removed: removed.sort(byName),
  };
}
