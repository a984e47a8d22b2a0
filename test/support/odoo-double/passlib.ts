/**
 * passlib's `pbkdf2_sha512` format, as Odoo stores passwords (`res_users.password`, 600,000 rounds)
 * and API keys (`res_users_apikeys.key`, 6,000 rounds): `$pbkdf2-sha512$<rounds>$<salt>$<checksum>`,
 * salt and checksum in passlib's adapted base64 (standard base64, `+` written `.`, no `=` padding).
 * Written here for the double on purpose: a test must not check the platform's hashes with the
 * platform's own helpers.
 */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);
const PREFIX = '$pbkdf2-sha512$';

/** passlib's adapted base64 of `bytes`. */
export function ab64Encode(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
}

/** The bytes of passlib's adapted base64 `text`. */
export function ab64Decode(text: string): Buffer {
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

/** A new hash of `secret` with a random 16-byte salt, as passlib makes it. */
export async function hashPbkdf2Sha512(secret: string, rounds: number): Promise<string> {
  const salt = randomBytes(16);
  const checksum = await pbkdf2Async(secret, salt, rounds, 64, 'sha512');
  return `${PREFIX}${rounds}$${ab64Encode(salt)}$${ab64Encode(checksum)}`;
}

/** Whether `secret` matches `stored`; anything not in the format (NULL, plain text) never matches. */
export async function verifyPbkdf2Sha512(
  secret: string,
  stored: string | null | undefined,
): Promise<boolean> {
  if (!stored?.startsWith(PREFIX)) return false;
  const [rounds, salt, checksum] = stored.slice(PREFIX.length).split('$');
  if (!rounds || !/^\d+$/.test(rounds) || salt === undefined || !checksum) return false;
  const expected = ab64Decode(checksum);
  if (expected.length !== 64) return false;
  const actual = await pbkdf2Async(secret, ab64Decode(salt), Number(rounds), 64, 'sha512');
  return timingSafeEqual(actual, expected);
}
