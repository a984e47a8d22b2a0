/**
 * An Odoo database-manager zip could not be written or imported; the message says what was wrong
 * with the zip (missing manifest, unsupported version, unsafe entry name, dump that failed to load).
 */
export class OdooZipError extends Error {
  override name = 'OdooZipError';
}
