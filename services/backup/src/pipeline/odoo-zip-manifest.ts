import type { BackupManifest } from './manifest.ts';
import { OdooZipError } from './odoo-zip-errors.ts';

/** manifest.json of an Odoo database-manager zip, keys in the order Odoo writes them. */
export interface OdooManifest {
  odoo_dump: '1';
  db_name: string;
  version: string;
  version_info: unknown[];
  major_version: string;
  pg_version: string;
  modules: Record<string, string>;
}

/** "18.0" -> [18, 0, 0, 'final', 0, ''], "saas~17.4" -> ['saas~17', 4, 0, 'final', 0, ''], as odoo/release.py has them. */
function versionInfoOf(version: string): unknown[] | null {
  const m = /^((?:saas~)?\d+)\.(\d+)$/.exec(version);
  if (!m?.[1] || !m[2]) return null;
  const major = /^\d+$/.test(m[1]) ? Number(m[1]) : m[1];
  return [major, Number(m[2]), 0, 'final', 0, ''];
}

/**
 * The server version as Odoo's dump_db_manifest writes it, "%d.%d" % divmod(server_version / 100, 100):
 * "15.0" for any 15.x (the minor is lost by that arithmetic), "9.6" for 9.6.x.
 */
function odooPgVersion(serverVersion: string): string {
  const m = /(\d+)(?:\.(\d+))?/.exec(serverVersion);
  const major = Number(m?.[1] ?? 0);
  return major >= 10 ? `${major}.0` : `${major}.${Number(m?.[2] ?? 0)}`;
}

/**
 * The Odoo manifest for a backup. The Odoo version is the backup's own; failing that, the series
 * of the installed `base` module ("18.0.1.3" is series 18.0), which is the version that wrote it.
 */
export function odooManifestOf(m: BackupManifest): OdooManifest {
  const baseSeries = /^((?:saas~)?\d+\.\d+)\./.exec(m.odoo.modules.base ?? '')?.[1];
  const version = m.odoo.version ?? baseSeries;
  if (!version)
    throw new OdooZipError(
      `backup ${m.backupId} records no Odoo version and has no installed base module: it is not an Odoo database`,
    );
  const versionInfo = m.odoo.versionInfo ?? versionInfoOf(version);
  if (!versionInfo)
    throw new OdooZipError(`backup ${m.backupId} has Odoo version "${version}", which is not a release name`);
  return {
    odoo_dump: '1',
    db_name: m.databaseName,
    version,
    version_info: versionInfo,
    major_version: versionInfo.slice(0, 2).join('.'),
    pg_version: odooPgVersion(m.postgres.serverVersion),
    modules: m.odoo.modules,
  };
}

/** Module versions; Odoo writes null for an installed module without latest_version, which is left out. */
const isModuleMap = (v: unknown): v is Record<string, string | null> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'string' || x === null);

/**
 * Parses an uploaded manifest.json. Odoo's own restore does not read it; this import requires it,
 * so that the version is known before anything is kept.
 */
export function parseOdooManifest(raw: Buffer): OdooManifest {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new OdooZipError('manifest.json in the zip is not JSON', { cause: e });
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw new OdooZipError('manifest.json in the zip is not a JSON object');
  if (m.odoo_dump !== '1')
    throw new OdooZipError(
      `manifest.json says odoo_dump ${JSON.stringify(m.odoo_dump)}, not "1": this is not a dump made by Odoo's database manager`,
    );
  const problems: string[] = [];
  for (const k of ['db_name', 'version', 'major_version', 'pg_version'] as const)
    if (typeof m[k] !== 'string') problems.push(`${k} is not a string`);
  if (!Array.isArray(m.version_info)) problems.push('version_info is not a list');
  if (!isModuleMap(m.modules)) problems.push('modules is not a map of module names to versions');
  if (problems.length > 0)
    throw new OdooZipError(`manifest.json in the zip is malformed: ${problems.join('; ')}`);
  return {
    odoo_dump: '1',
    db_name: m.db_name as string,
    version: m.version as string,
    version_info: m.version_info as unknown[],
    major_version: m.major_version as string,
    pg_version: m.pg_version as string,
    modules: Object.fromEntries(
      Object.entries(m.modules as Record<string, string | null>).filter(
        (e): e is [string, string] => e[1] !== null,
      ),
    ),
  };
}
