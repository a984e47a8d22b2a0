import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';

/** A new password for a tenant's database role. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Encrypts a secret for storage (AES-256-GCM; iv, tag and text in one base64 string). */
export function sealSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const text = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), text]).toString('base64')}`;
}

/** Decrypts what sealSecret made; throws when it was changed or sealed with another key. */
export function openSecret(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed.replace(/^v1\./, ''), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
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
