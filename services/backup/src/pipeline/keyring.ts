import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  getClient,
  type KeyringNode,
  KMS,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { BackupKeyError } from './errors.ts';

/** Where the key that wraps each backup's data key lives. */
export type KeySource =
  /** 32 random bytes in a file, made on first use with mode 0600; a raw AES-256 keyring. */
  | { kind: 'local'; keyFile: string }
  | {
      kind: 'kms';
      keyId: string;
      region: string;
      endpoint?: string;
      accessKeyId?: string;
      secretAccessKey?: string;
    };

export interface BackupKeyring {
  keyring: KeyringNode;
  /** 'local:<key name>' or 'kms:<key id>': says which key, never the key. */
  describe: string;
}

const KEY_NAMESPACE = 'ocp-backup';
const KEY_BYTES = 32;

/** The 32-byte key in `keyFile`, made (exclusively, mode 0600) when the file does not exist yet. */
async function loadOrCreateKey(keyFile: string): Promise<Buffer> {
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails when the file exists, so two processes starting at once cannot both make a key.
    const fh = await open(keyFile, 'wx', 0o600);
    try {
      const key = randomBytes(KEY_BYTES);
      await fh.writeFile(key);
      await fh.sync();
      return key;
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = await readFile(keyFile);
  if (key.length !== KEY_BYTES)
    throw new BackupKeyError(
      `the backup key file ${keyFile} holds ${key.length} bytes, not ${KEY_BYTES}: restore it from where it is kept`,
    );
  return key;
}

/**
 * The keyring every backup is encrypted and decrypted with. A local key is named after a digest of
 * itself, so a backup made with another key fails to decrypt saying so rather than with garbage.
 */
export async function createBackupKeyring(source: KeySource): Promise<BackupKeyring> {
  if (source.kind === 'local') {
    const key = await loadOrCreateKey(source.keyFile);
    const keyName = `key-${createHash('sha256').update('ocp-backup key name\0').update(key).digest('hex').slice(0, 16)}`;
    const keyring = new RawAesKeyringNode({
      keyNamespace: KEY_NAMESPACE,
      keyName,
      unencryptedMasterKey: new Uint8Array(key),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    });
    key.fill(0);
    return { keyring, describe: `local:${keyName}` };
  }
  const credentials =
    source.accessKeyId && source.secretAccessKey
      ? { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey }
      : undefined;
  const clientProvider = getClient(KMS, {
    region: source.region,
    ...(source.endpoint ? { endpoint: source.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const keyring = new KmsKeyringNode({ generatorKeyId: source.keyId, clientProvider });
  return { keyring, describe: `kms:${source.keyId}` };
}
