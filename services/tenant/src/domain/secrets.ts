import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';

/** A new password for a tenant's database role. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** One key of the keyring: 32 bytes for AES-256-GCM, and the id sealed values name it by. */
export interface SealingKey {
  id: string;
  key: Buffer;
}

/**
 * The keys that seal secrets at rest, newest first: the first seals every new value, each one
 * opens what was sealed under it. Rotating is adding a key in front; an old key can go once
 * nothing is sealed under it any more (the service re-seals stale values at start).
 */
export interface Keyring {
  readonly keys: readonly [SealingKey, ...SealingKey[]];
}

/**
 * Where a sealed value lives. It is authenticated with the value (AES-GCM additional data), so a
 * value copied into another row or column does not open there.
 */
export interface SealedPlace {
  table: string;
  rowId: string;
  column: string;
}

/** A sealed value that does not open: changed, moved, or sealed under a key the ring lacks. */
export class SealedSecretError extends Error {
  override name = 'SealedSecretError';
}

/** The id `TENANT_SECRETS_KEY` has in the keyring, behind the keys of `TENANT_SECRETS_KEYS`. */
export const SINGLE_KEY_ID = 'default';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The keyring from its two settings: `keys` is `id:base64key` pairs, comma-separated, newest first;
 * `key` is one base64 key, kept under the id `default` after them (the setting before key ids).
 * Returns every problem at once, for the configuration check.
 */
export function parseKeyring(opts: { keys?: string | undefined; key?: string | undefined }): {
  keyring?: Keyring;
  problems: string[];
} {
  const problems: string[] = [];
  const keys: SealingKey[] = [];
  const add = (setting: string, id: string, base64: string) => {
    const key = Buffer.from(base64, 'base64');
    if (!KEY_ID.test(id)) problems.push(`${setting}: key id "${id}" must be 1 to 32 letters, digits, - or _`);
    else if (keys.some((k) => k.id === id)) problems.push(`${setting}: key id "${id}" appears twice`);
    if (key.length !== 32)
      problems.push(
        `${setting}: key "${id}" must decode to 32 bytes (make one with \`openssl rand -base64 32\`)`,
      );
    keys.push({ id, key });
  };
  for (const pair of opts.keys ? opts.keys.split(',') : []) {
    const at = pair.indexOf(':');
    if (at < 0) problems.push(`TENANT_SECRETS_KEYS: "${pair.slice(0, 8)}..." is not an id:key pair`);
    else add('TENANT_SECRETS_KEYS', pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  if (opts.key) add('TENANT_SECRETS_KEY', SINGLE_KEY_ID, opts.key);
  if (keys.length === 0)
    problems.push('set TENANT_SECRETS_KEYS (id:base64key pairs, newest first) or TENANT_SECRETS_KEY');
  const [first, ...rest] = keys;
  return problems.length > 0 || !first ? { problems } : { keyring: { keys: [first, ...rest] }, problems };
}

const additionalData = (keyId: string, place: SealedPlace) =>
  Buffer.from(JSON.stringify(['ocp-sealed', 2, keyId, place.table, place.column, place.rowId]), 'utf8');

/**
 * Encrypts a secret for storage in one place (AES-256-GCM under the ring's newest key):
 * `v2.<key id>.<base64 of iv, tag and text>`, bound to its table, row and column.
 */
export function sealSecret(ring: Keyring, plain: string, place: SealedPlace): string {
  const { id, key } = ring.keys[0];
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(id, place));
  const text = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v2.${id}.${Buffer.concat([iv, cipher.getAuthTag(), text]).toString('base64')}`;
}

function decrypt(key: Buffer, raw: Buffer, aad?: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/**
 * Decrypts what sealSecret made for this place. Values of the first format (`v1.`, no key id, no
 * place) still open, under any key of the ring; `needsReseal` tells they should be sealed again.
 * Throws SealedSecretError when the value was changed, moved from another place, or sealed under
 * a key the ring does not have.
 */
export function openSecret(ring: Keyring, sealed: string, place: SealedPlace): string {
  const where = `${place.table}.${place.column} of ${place.rowId}`;
  const v2 = /^v2\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9+/=]+)$/.exec(sealed);
  if (v2) {
    const [, keyId, body] = v2 as unknown as [string, string, string];
    const found = ring.keys.find((k) => k.id === keyId);
    if (!found)
      throw new SealedSecretError(
        `${where} is sealed under key "${keyId}", which is not in the keyring; add that key to TENANT_SECRETS_KEYS`,
      );
    try {
      return decrypt(found.key, Buffer.from(body, 'base64'), additionalData(keyId, place));
    } catch (e) {
      throw new SealedSecretError(`${where} does not open: it was changed, or sealed for another row`, {
        cause: e,
      });
    }
  }
  const raw = Buffer.from(sealed.replace(/^v1\./, ''), 'base64');
  for (const { key } of ring.keys) {
    try {
      return decrypt(key, raw);
    } catch {
      // Sealed under another key of the ring, or changed: the next key, then the error below.
    }
  }
  throw new SealedSecretError(`${where} does not open under any key of the keyring`);
}

/** True when a value is not sealed under the ring's newest key in the current format. */
export function needsReseal(ring: Keyring, sealed: string): boolean {
  return !sealed.startsWith(`v2.${ring.keys[0].id}.`);
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password. Sent in `CREATE ROLE ... PASSWORD`,
 * it keeps the clear password out of the server's statement log.
 */
export async function scramVerifier(password: string, iterations = 4096): Promise<string> {
  const salt = randomBytes(16);
  // Off the event loop: 4096 rounds of HMAC is a few milliseconds of CPU per tenant.
  const salted = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password.normalize('NFKC'), salt, iterations, 32, 'sha256', (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** The keyring of a configuration that passed its check. */
export function keyringOf(c: {
  TENANT_SECRETS_KEYS?: string | undefined;
  TENANT_SECRETS_KEY?: string | undefined;
}): Keyring {
  const { keyring, problems } = parseKeyring({ keys: c.TENANT_SECRETS_KEYS, key: c.TENANT_SECRETS_KEY });
  if (!keyring) throw new Error(`no secrets keyring: ${problems.join('; ')}`);
  return keyring;
}
