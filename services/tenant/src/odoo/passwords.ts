import { pbkdf2, randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** The rounds Odoo 16-18 hash a user's password with (passlib's pbkdf2_sha512 as Odoo configures it). */
export const ODOO_PASSWORD_ROUNDS = 600_000;
/** The rounds Odoo hashes an API key with (`res_users_apikeys.key`). */
export const ODOO_API_KEY_ROUNDS = 6_000;

/** passlib's "adapted base64": standard base64 with `.` in place of `+` and no `=` padding. */
export function ab64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replaceAll('+', '.').replace(/=+$/, '');
}

/**
 * A password hash as passlib's `pbkdf2_sha512` writes it and Odoo checks it:
 * `$pbkdf2-sha512$<rounds>$<salt>$<checksum>`, a 16-byte random salt and the 64-byte
 * PBKDF2-HMAC-SHA512 of the UTF-8 password, both in adapted base64. Computed off the main thread
 * (600,000 rounds take about 0.3 s).
 */
export async function odooPasswordHash(password: string, rounds = ODOO_PASSWORD_ROUNDS): Promise<string> {
  const salt = randomBytes(16);
  const checksum = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, rounds, 64, 'sha512');
  return `$pbkdf2-sha512$${rounds}$${ab64Encode(salt)}$${ab64Encode(checksum)}`;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A password for a tenant's administrator: 20 characters of letters and digits without the ones
 * read alike (about 116 bits), easy to type once from the reply that shows it.
 */
export function generateAdminPassword(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** Where a tenant administrator's sealed password lives until the tenant is active (then cleared). */
export const adminPasswordPlace = (tenantId: string) => ({
  table: 'tenants',
  rowId: tenantId,
  column: 'admin_password_sealed',
});
