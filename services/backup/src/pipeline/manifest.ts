import { createHash, type Hash } from 'node:crypto';
import { BackupIntegrityError } from './errors.ts';

export const MANIFEST_FORMAT = 'ocp-backup/1';

/** What a backup holds, written as the archive's last entry (`manifest.json`). */
export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  tenantId: string;
  backupId: string;
  databaseName: string;
  createdAt: string;
  /** Installed modules -> latest_version from ir_module_module; {} when the table is absent. */
  odoo: { version: string | null; versionInfo: unknown[] | null; modules: Record<string, string> };
  postgres: { serverVersion: string; pgDumpVersion: string };
  /** `tables`: exact row counts per "schema.table", counted in the snapshot pg_dump dumped. */
  database: { format: 'pg_dump-custom'; bytes: number; sha256: string; tables: Record<string, number> };
  /** `sha256` over, for each file in archive order: path \0 size \0 content. */
  filestore: { files: number; bytes: number; sha256: string };
}

/**
 * The filestore digest: for each file in archive order, its posix path, NUL, its size in decimal,
 * NUL, its content. Path and size are in it so that renaming or splitting files changes it.
 */
export class FilestoreDigest {
  files = 0;
  bytes = 0;
  readonly #hash: Hash = createHash('sha256');

  beginFile(path: string, size: number): void {
    this.files += 1;
    this.#hash.update(path, 'utf8').update('\0').update(String(size)).update('\0');
  }

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.#hash.update(chunk);
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

const isRecordOf = (v: unknown, test: (x: unknown) => boolean): boolean =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(test);
const isCount = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
const isSha = (x: unknown): boolean => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);

/** Parses `manifest.json`; BackupIntegrityError when it is not a manifest this code wrote. */
export function parseManifest(raw: Buffer): BackupManifest {
  let m: unknown;
  try {
    m = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BackupIntegrityError('the backup manifest is not JSON', { cause: err });
  }
  const problems: string[] = [];
  const o = (m ?? {}) as Record<string, unknown>;
  const db = (o.database ?? {}) as Record<string, unknown>;
  const fs = (o.filestore ?? {}) as Record<string, unknown>;
  const odoo = (o.odoo ?? {}) as Record<string, unknown>;
  const pgv = (o.postgres ?? {}) as Record<string, unknown>;
  if (o.format !== MANIFEST_FORMAT)
    problems.push(`format is ${JSON.stringify(o.format)}, not ${MANIFEST_FORMAT}`);
  for (const k of ['tenantId', 'backupId', 'databaseName', 'createdAt'] as const)
    if (typeof o[k] !== 'string') problems.push(`${k} is missing`);
  if (db.format !== 'pg_dump-custom') problems.push('database.format is not pg_dump-custom');
  if (!isCount(db.bytes) || !isSha(db.sha256)) problems.push('database size or sha256 is missing');
  if (!isRecordOf(db.tables, isCount)) problems.push('database.tables is not a map of row counts');
  if (!isCount(fs.files) || !isCount(fs.bytes) || !isSha(fs.sha256))
    problems.push('filestore files, bytes or sha256 is missing');
  if (!isRecordOf(odoo.modules, (x) => typeof x === 'string')) problems.push('odoo.modules is missing');
  if (typeof pgv.serverVersion !== 'string' || typeof pgv.pgDumpVersion !== 'string')
    problems.push('postgres versions are missing');
  if (problems.length > 0)
    throw new BackupIntegrityError(`the backup manifest is malformed: ${problems.join('; ')}`);
  return m as BackupManifest;
}
