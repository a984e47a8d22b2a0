import type { Duplex } from 'node:stream';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  type EncryptionContext,
  type MessageHeader,
} from '@aws-crypto/client-node';
import type { BackupKeyring } from './keyring.ts';

/**
 * AES-256-GCM with a key-committing HKDF and no signature. Committing: a ciphertext decrypts under
 * one data key only. Unsigned: whoever may decrypt a backup may also write one (the same key does
 * both), so an ECDSA signature would prove nothing more, and it would let the reader release
 * plaintext only as "unverified until the end"; without it every frame the SDK releases is already
 * authenticated, and decryptUnsignedMessageStream refuses anything signed.
 */
export const BACKUP_SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

/**
 * Plaintext per frame. Each frame is one GCM call with 28 bytes of overhead, and the reader holds
 * one frame before it releases it. Measured on a 204 MB uncompressed dump to s3rver: 64 KiB wrote
 * in 6.2 s and read in 2.7 s; 1 MiB in 5.7 s and 2.2 s; 4 MiB in 5.5 s and 1.8 s but with 35 MB
 * more peak RSS. 1 MiB is the knee.
 */
export const FRAME_LENGTH = 1024 * 1024;

/** One data key per message, as written here: more in a stored message means it was not ours. */
const client = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

/** Bound into every backup: a backup decrypts only where the caller expects this tenant and backup. */
export function backupEncryptionContext(ids: { tenantId: string; backupId: string }): EncryptionContext {
  return { tenant: ids.tenantId, backup: ids.backupId, purpose: 'ocp-backup' };
}

export function encryptBackupStream(k: BackupKeyring, ids: { tenantId: string; backupId: string }): Duplex {
  return client.encryptStream(k.keyring, {
    suiteId: BACKUP_SUITE,
    encryptionContext: backupEncryptionContext(ids),
    frameLength: FRAME_LENGTH,
  });
}

/** Why a stored context is not the expected one, or null when it is. */
export function contextMismatch(found: EncryptionContext, expected: EncryptionContext): string | null {
  const keys = new Set([...Object.keys(found), ...Object.keys(expected)]);
  for (const k of keys)
    if (found[k] !== expected[k])
      return `its ${k} is ${JSON.stringify(found[k] ?? null)}, not ${JSON.stringify(expected[k] ?? null)}`;
  return null;
}

/**
 * A decrypting stream. `header` resolves with the message header, which the SDK parses (and
 * authenticates) before it releases any plaintext.
 */
export function decryptBackupStream(k: BackupKeyring): { stream: Duplex; header: Promise<MessageHeader> } {
  const stream = client.decryptUnsignedMessageStream(k.keyring);
  const header = new Promise<MessageHeader>((resolve) => stream.once('MessageHeader', resolve));
  return { stream, header };
}
