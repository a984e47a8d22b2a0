/**
 * The backup pipeline's failures. Each names what went wrong and what to do; the failure of the
 * tool or server underneath is kept as `cause`.
 */

/** The store has no object under the key asked for. */
export class ObjectMissingError extends Error {
  override name = 'ObjectMissingError';
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`no stored object at ${key}`, options);
  }
}

/** The object store refused or could not be reached; `cause` is the store's own error. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/**
 * A backup decrypted but is not whole: a part's size or SHA-256 differs from its manifest, the
 * archive ends early, or the manifest is missing or malformed.
 */
export class BackupIntegrityError extends Error {
  override name = 'BackupIntegrityError';
}

/**
 * A backup does not decrypt: it was made with another key, its ciphertext was changed or cut, or it
 * belongs to another tenant or backup than the caller expects.
 */
export class BackupKeyError extends Error {
  override name = 'BackupKeyError';
}

/** No pg_dump/pg_restore/psql new enough for the server; the message names the package to install. */
export class PgToolsMissingError extends Error {
  override name = 'PgToolsMissingError';
}

/** pg_dump failed; `exitCode` and the last lines it wrote to stderr say why. */
export class DumpFailedError extends Error {
  override name = 'DumpFailedError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** pg_restore or psql failed while loading a backup; the target database is to be dropped. */
export class RestoreFailedError extends Error {
  override name = 'RestoreFailedError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
