export { DUMP_PART_BYTES } from './archive-layout.ts';
export {
  type ArchiveEntry,
  type ReadBackupOptions,
  type RestoreBackupOptions,
  readBackup,
  restoreBackup,
} from './backup-reader.ts';
export { DUMP_COMPRESSION, type WriteBackupOptions, writeBackup } from './backup-writer.ts';
export { BACKUP_SUITE, backupEncryptionContext, FRAME_LENGTH } from './envelope.ts';
export {
  BackupIntegrityError,
  BackupKeyError,
  DumpFailedError,
  ObjectMissingError,
  PgToolsMissingError,
  RestoreFailedError,
  StoreError,
} from './errors.ts';
export { type BackupKeyring, createBackupKeyring, type KeySource } from './keyring.ts';
export { type BackupManifest, MANIFEST_FORMAT } from './manifest.ts';
export { OdooZipError } from './odoo-zip-errors.ts';
export { type OdooManifest, odooManifestOf, parseOdooManifest } from './odoo-zip-manifest.ts';
export { type ImportOdooZipOptions, type ImportOdooZipResult, importOdooZip } from './odoo-zip-reader.ts';
export { type WriteOdooZipOptions, writeOdooZip } from './odoo-zip-writer.ts';
export { restoreCustomDump, verifyRowCounts } from './pg-restore.ts';
export { connectionFromUrl, findPgTools, type PgConnection, type PgTools, pgEnv } from './pg-tools.ts';
export {
  createDirStore,
  createS3Store,
  type ObjectStore,
  type S3StoreOptions,
  type StoredObject,
} from './store.ts';
