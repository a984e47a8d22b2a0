import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { AuditCheckpointV1, AuditVerifyReplyV1 } from '@ocp/contracts';
import canonicalize from 'canonicalize';
import type { Link } from './chain.ts';

/** DER of a PKCS#8 Ed25519 private key up to its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER of an SPKI Ed25519 public key up to its 32 bytes (RFC 8410). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key that signs checkpoints, and the public keys whose checkpoints are trusted. */
export interface CheckpointKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** This key's id: first 16 hex digits of the SHA-256 of its public key (SPKI DER). */
  keyId: string;
  /** Public keys by id: this key's, and earlier ones kept trusted after a rotation. */
  trusted: ReadonlyMap<string, KeyObject>;
}

export class CheckpointKeyError extends Error {
  override name = 'CheckpointKeyError';
}

function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The signing key from `AUDIT_CHECKPOINT_KEY`: base64 of a 32-byte Ed25519 seed (what the start
 * command makes), or a PKCS#8 PEM Ed25519 private key (`openssl genpkey -algorithm ed25519`).
 */
export function parsePrivateKey(text: string): KeyObject {
  const t = text.trim();
  let key: KeyObject;
  try {
    if (t.startsWith('-----BEGIN')) key = createPrivateKey({ key: t, format: 'pem' });
    else {
      const seed = Buffer.from(t, 'base64');
      if (!BASE64.test(t) || seed.length !== 32) throw new Error('not 32 bytes of base64');
      key = createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      });
    }
  } catch {
    throw new CheckpointKeyError(
      'AUDIT_CHECKPOINT_KEY is neither base64 of a 32-byte Ed25519 seed nor a PKCS#8 PEM private key; make one with: node -e "console.log(crypto.randomBytes(32).toString(\'base64\'))"',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CheckpointKeyError(
      `AUDIT_CHECKPOINT_KEY is an ${key.asymmetricKeyType} key; checkpoints are signed with Ed25519`,
    );
  return key;
}

/** A public key as base64 of its 32 bytes (the `publicKey` the service logs at start). */
export function parsePublicKey(text: string): KeyObject {
  const raw = Buffer.from(text.trim(), 'base64');
  if (!BASE64.test(text.trim()) || raw.length !== 32)
    throw new CheckpointKeyError(
      `AUDIT_CHECKPOINT_TRUSTED_KEYS: "${text.trim().slice(0, 60)}" is not base64 of a 32-byte Ed25519 public key`,
    );
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The public key as base64 of its 32 bytes: what an operator lists to keep trusting it. */
export function publicKeyText(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).subarray(SPKI_ED25519_PREFIX.length).toString('base64');
}

/** The signing key and the trusted public keys (comma-separated base64), checked once at start. */
export function loadCheckpointKeys(privateText: string, trustedText = ''): CheckpointKeys {
  const privateKey = parsePrivateKey(privateText);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  const trusted = new Map<string, KeyObject>([[keyId, publicKey]]);
  for (const part of trustedText.split(',')) {
    if (part.trim() === '') continue;
    const k = parsePublicKey(part);
    trusted.set(keyIdOf(k), k);
  }
  return { privateKey, publicKey, keyId, trusted };
}

/**
 * The exact bytes signed: RFC 8785 canonical JSON of the claim with its type, so a signature over
 * one kind of message is never taken for another's.
 */
export function signedBytes(c: Omit<AuditCheckpointV1, 'signature'>): Buffer {
  const text = canonicalize({
    hash: c.hash,
    keyId: c.keyId,
    seq: c.seq,
    signedAt: c.signedAt,
    type: 'ocp.audit.checkpoint.v1',
  });
  return Buffer.from(text ?? '', 'utf8');
}

/** A checkpoint of `head`, signed now. */
export function signCheckpoint(keys: CheckpointKeys, head: Link, at = new Date()): AuditCheckpointV1 {
  const claim = { seq: head.seq, hash: head.hash, signedAt: at.toISOString(), keyId: keys.keyId };
  return { ...claim, signature: sign(null, signedBytes(claim), keys.privateKey).toString('base64') };
}

/** Whether one of the trusted keys signed `cp` (the one its `keyId` names). */
export function signatureHolds(keys: CheckpointKeys, cp: AuditCheckpointV1): boolean {
  const key = keys.trusted.get(cp.keyId);
  if (!key) return false;
  try {
    return verify(null, signedBytes(cp), key, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}

/** A checkpoint as read back from its stream: its place there (`#n`) and what it says. */
export interface StoredCheckpoint {
  streamSeq: number;
  /** Undefined when the message is not a checkpoint at all; `problem` says why. */
  checkpoint?: AuditCheckpointV1;
  problem?: string;
}

export type CheckpointReport = AuditVerifyReplyV1['checkpoint'];

const NONE = { checkpointSeq: null, seq: null, hash: null, signedAt: null, missing: null } as const;

/** The verify report of a log without a checkpoint key. */
export const UNANCHORED: CheckpointReport = {
  outcome: 'unanchored',
  detail:
    'AUDIT_CHECKPOINT_KEY is not set, so the log is not anchored outside its database: only its chain was checked, and entries removed from its end (with audit_head moved back) would not be noticed. Set a checkpoint key to anchor it.',
  ...NONE,
};

const positions = (from: number, to: number) =>
  from === to ? `entry ${from} is` : `entries ${from}..${to} are`;

/**
 * Compares the log with its latest checkpoint: `head` is the log's head, `entryAtSeq` the entry
 * stored at the checkpoint's position (undefined when absent). `ok` of the report: the log agrees.
 */
export function compareWithCheckpoint(
  keys: CheckpointKeys,
  stored: StoredCheckpoint | null,
  head: Link,
  entryAtSeq: Link | undefined,
): CheckpointReport {
  if (!stored)
    return {
      outcome: 'no_checkpoint',
      detail:
        'no checkpoint was made yet: the first comes within AUDIT_CHECKPOINT_INTERVAL_MS of the first entry; until then only the chain is checked',
      ...NONE,
    };
  const n = stored.streamSeq;
  const cp = stored.checkpoint;
  if (!cp)
    return {
      outcome: 'bad_signature',
      detail: `checkpoint #${n} is not a checkpoint (${stored.problem ?? 'unreadable'}); the log cannot be compared with it`,
      ...NONE,
      checkpointSeq: n,
    };
  const at = { checkpointSeq: n, seq: cp.seq, hash: cp.hash, signedAt: cp.signedAt, missing: null };
  const says = `checkpoint #${n} signed at ${cp.signedAt} says the head was ${cp.seq} with hash ${cp.hash}`;
  if (!signatureHolds(keys, cp)) {
    const known = keys.trusted.has(cp.keyId)
      ? `its signature does not verify with key ${cp.keyId}`
      : `it names key ${cp.keyId}, which is not this service's (${keys.keyId}) nor a trusted one`;
    return {
      outcome: 'bad_signature',
      detail: `checkpoint #${n} was not signed by this audit service: ${known}. Someone published it who can write to the checkpoint stream; the log cannot be trusted against it (${says})`,
      ...at,
    };
  }
  if (head.seq < cp.seq) {
    const missing = { fromSeq: head.seq + 1, toSeq: cp.seq };
    return {
      outcome: 'truncated',
      detail: `${positions(missing.fromSeq, missing.toSeq)} missing: ${says}, and the log now ends at ${head.seq}`,
      ...at,
      missing,
    };
  }
  if (!entryAtSeq)
    return {
      outcome: 'missing',
      detail: `entry ${cp.seq} is missing: ${says}`,
      ...at,
      missing: { fromSeq: cp.seq, toSeq: cp.seq },
    };
  if (entryAtSeq.hash !== cp.hash)
    return {
      outcome: 'rewritten',
      detail: `entry ${cp.seq} has hash ${entryAtSeq.hash}, but ${says}: the log was rewritten at or before position ${cp.seq}`,
      ...at,
    };
  return {
    outcome: 'matches',
    detail: `entry ${cp.seq} has the hash that checkpoint #${n}, signed at ${cp.signedAt}, gives it`,
    ...at,
  };
}

/** Whether a report leaves the log valid (judged on its chain alone when it has no checkpoint). */
export const agrees = (r: CheckpointReport): boolean =>
  r.outcome === 'matches' || r.outcome === 'no_checkpoint' || r.outcome === 'unanchored';
