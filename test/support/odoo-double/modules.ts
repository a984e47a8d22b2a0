/**
 * `ir.module.module`'s `button_immediate_install|upgrade|uninstall`, following Odoo 18's
 * `_button_immediate_function` and `button_install|upgrade|uninstall`: the scheduled-action lock
 * first (`SELECT ... FROM ir_cron FOR UPDATE NOWAIT`), then the states are marked (`to install`,
 * `to upgrade`, `to remove`) with dependencies, auto-install modules and dependants, and settled
 * as the registry reload settles them (`installed` with `latest_version`, or `uninstalled`).
 * A module "on disk" is one in MANIFEST_VERSIONS; its manifest version is `installed_version`.
 */
import type pg from 'pg';
import { OdooFault, userError } from './faults.ts';

/** Manifest versions of the template's modules, after the series (`base` is `18.0` + `.1.3`). */
const MANIFEST_VERSIONS: Record<string, string> = {
  base: '1.3',
  web: '1.0',
  base_setup: '1.0',
  bus: '1.0',
  web_tour: '1.0',
  html_editor: '1.0',
  iap: '1.1',
  auth_totp: '1.0',
  base_import: '2.0',
  mail: '1.18',
  contacts: '1.0',
  uom: '1.0',
  product: '1.2',
  sales_team: '1.1',
  account: '1.3',
  sale: '1.2',
  sale_management: '1.0',
  crm: '1.8',
  sale_crm: '1.0',
};

/** A module's version on disk; Odoo answers `<series>.1.0` for a record without a manifest. */
export const diskVersion = (serie: string) => (name: string) =>
  `${serie}.${MANIFEST_VERSIONS[name] ?? '1.0'}`;
export const isOnDisk = (name: string) => Object.hasOwn(MANIFEST_VERSIONS, name);

/** Odoo's refusal while a scheduled action holds `ir_cron` (what `@ocp/odoo`'s retry detects). */
export const SCHEDULED_ACTION_LOCK_ERROR =
  'Odoo is currently processing a scheduled action.\nModule operations are not possible at this time, please try again later or contact your system administrator.';

/** `server_wide_modules` of a default Odoo configuration: never uninstalled. */
const SERVER_WIDE = ['base', 'web'];
const INSTALL_STATES = new Set(['installed', 'to install', 'to upgrade']);

interface Mod {
  id: number;
  name: string;
  state: string;
  autoInstall: boolean;
  deps: { name: string; required: boolean }[];
}

export type ModuleButton =
  | 'button_immediate_install'
  | 'button_immediate_upgrade'
  | 'button_immediate_uninstall';

/** Modules whose state the button changed, by what happened to them. */
export interface ModuleChanges {
  installed: string[];
  upgraded: string[];
  removed: string[];
}

export async function runModuleButton(
  c: pg.ClientBase,
  button: ModuleButton,
  recordIds: unknown,
  uid: number,
  version: (name: string) => string,
): Promise<ModuleChanges> {
  const ids = (Array.isArray(recordIds) ? recordIds : [recordIds]).map(Number);
  const busy = await c.query(
    "SELECT 1 FROM ir_module_module WHERE state IN ('to install', 'to upgrade', 'to remove') LIMIT 1",
  );
  if (busy.rowCount)
    throw userError(
      'Odoo is currently processing another module operation.\nPlease try again later or contact your system administrator.',
    );
  try {
    await c.query('SELECT id FROM ir_cron FOR UPDATE NOWAIT');
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') throw userError(SCHEDULED_ACTION_LOCK_ERROR);
    throw err;
  }

  const { rows } = await c.query<{ id: number; name: string; state: string; auto_install: boolean | null }>(
    'SELECT id, name, state, auto_install FROM ir_module_module ORDER BY id',
  );
  const deps = await c.query<{ module_id: number; name: string; auto_install_required: boolean | null }>(
    'SELECT module_id, name, auto_install_required FROM ir_module_module_dependency ORDER BY id',
  );
  const byId = new Map<number, Mod>();
  const byName = new Map<string, Mod>();
  for (const r of rows) {
    const mod = {
      id: r.id,
      name: r.name,
      state: r.state,
      autoInstall: !!r.auto_install,
      deps: [],
    };
    byId.set(r.id, mod);
    byName.set(r.name, mod);
  }
  for (const d of deps.rows)
    byId.get(d.module_id)?.deps.push({ name: d.name, required: d.auto_install_required !== false });
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) {
    const repr = missing.length === 1 ? `${missing[0]},` : missing.join(', ');
    throw new OdooFault(
      'odoo.exceptions.MissingError',
      `Record does not exist or has been deleted.\n(Record: ir.module.module(${repr}), User: ${uid})`,
    );
  }
  const selected = ids.map((id) => byId.get(id) as Mod);
  const all = [...byId.values()];

  /** `button_install`: dependencies first, then auto-install modules until none is left. */
  const markInstall = (mods: Mod[]) => {
    const visiting = new Set<Mod>();
    const mark = (m: Mod) => {
      if (m.state !== 'uninstalled' || visiting.has(m)) return;
      visiting.add(m);
      for (const d of m.deps) {
        const dep = byName.get(d.name);
        if (!dep)
          throw userError(
            `You try to install module “${m.name}” that depends on module “${d.name}”.\nBut the latter module is not available in your system.`,
          );
        mark(dep);
      }
      m.state = 'to install';
    };
    const mustInstall = (m: Mod) => {
      const states = new Set(
        m.deps.filter((d) => d.required).map((d) => byName.get(d.name)?.state ?? 'unknown'),
      );
      return [...states].every((s) => INSTALL_STATES.has(s)) && states.has('to install');
    };
    for (let batch = mods; batch.length; ) {
      batch.forEach(mark);
      batch = all.filter((m) => m.state === 'uninstalled' && m.autoInstall && mustInstall(m));
    }
  };
  const dependants = (m: Mod) => all.filter((o) => o.deps.some((d) => d.name === m.name));

  if (button === 'button_immediate_install') {
    markInstall(selected);
  } else if (button === 'button_immediate_upgrade' && selected.length) {
    const todo = [...selected];
    if (selected.some((m) => m.name === 'base'))
      todo.push(...all.filter((m) => m.state === 'installed' && !todo.includes(m)));
    for (let i = 0; i < todo.length; i++) {
      const m = todo[i] as Mod;
      if (m.state !== 'installed' && m.state !== 'to upgrade')
        throw userError(`Cannot upgrade module “${m.name}”. It is not installed.`);
      todo.push(...dependants(m).filter((o) => o.state === 'installed' && !todo.includes(o)));
    }
    for (const m of todo) m.state = 'to upgrade';
    markInstall(
      todo.flatMap((m) =>
        m.deps.map((d) => byName.get(d.name)).filter((d): d is Mod => d?.state === 'uninstalled'),
      ),
    );
  } else if (button === 'button_immediate_uninstall') {
    const serverWide = selected.filter((m) => SERVER_WIDE.includes(m.name)).map((m) => m.name);
    if (serverWide.length) throw userError(`Those modules cannot be uninstalled: ${serverWide.join(', ')}`);
    if (selected.some((m) => m.state !== 'installed' && m.state !== 'to upgrade'))
      throw userError(
        'One or more of the selected modules have already been uninstalled, if you believe this to be an error, you may try again later or contact support.',
      );
    const removing = new Set(selected);
    for (let grew = true; grew; ) {
      grew = false;
      for (const m of all) {
        if (removing.has(m) || ['uninstalled', 'uninstallable', 'to remove'].includes(m.state)) continue;
        if (m.deps.some((d) => [...removing].some((r) => r.name === d.name))) {
          removing.add(m);
          grew = true;
        }
      }
    }
    for (const m of removing) m.state = 'to remove';
  }

  // The registry reload settles every marked module.
  const changes: ModuleChanges = { installed: [], upgraded: [], removed: [] };
  for (const m of all) {
    if (m.state === 'to install' || m.state === 'to upgrade') {
      (m.state === 'to install' ? changes.installed : changes.upgraded).push(m.name);
      await c.query(
        "UPDATE ir_module_module SET state = 'installed', latest_version = $2, write_date = now() at time zone 'utc', write_uid = $3 WHERE id = $1",
        [m.id, version(m.name), uid],
      );
    } else if (m.state === 'to remove') {
      changes.removed.push(m.name);
      await c.query(
        "UPDATE ir_module_module SET state = 'uninstalled', latest_version = NULL, write_date = now() at time zone 'utc', write_uid = $2 WHERE id = $1",
        [m.id, uid],
      );
    }
  }
  return changes;
}

/**
 * `update_list`: reconciles the records with the modules on disk (a record without a manifest
 * becomes `uninstallable`, one whose manifest is back becomes `uninstalled`) and answers
 * `[updated, added]`; `updated` counts the records on disk, all of which Odoo re-reads.
 */
export async function updateModuleList(c: pg.ClientBase): Promise<[number, number]> {
  const { rows } = await c.query<{ id: number; name: string; state: string }>(
    'SELECT id, name, state FROM ir_module_module',
  );
  let updated = 0;
  for (const r of rows) {
    if (isOnDisk(r.name)) updated++;
    const next =
      !isOnDisk(r.name) && r.state === 'uninstalled'
        ? 'uninstallable'
        : isOnDisk(r.name) && r.state === 'uninstallable'
          ? 'uninstalled'
          : r.state;
    if (next !== r.state) await c.query('UPDATE ir_module_module SET state = $2 WHERE id = $1', [r.id, next]);
  }
  return [updated, 0];
}
