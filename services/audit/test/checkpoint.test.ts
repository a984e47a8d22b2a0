import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { checkConfig, parseConfig } from '../src/config.ts';
import {
  compareWithCheckpoint,
  loadCheckpointKeys,
  publicKeyText,
  signatureHolds,
  signCheckpoint,
} from '../src/domain/checkpoint.ts';

const seed = () => randomBytes(32).toString('base64');
const head = { seq: 57, hash: 'a'.repeat(64) };

test('a checkpoint key is base64 of a 32-byte seed or a PKCS#8 PEM, and signs what it verifies', () => {
  const fromSeed = loadCheckpointKeys(seed());
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const fromPem = loadCheckpointKeys(pem);
  for (const keys of [fromSeed, fromPem]) {
    const cp = signCheckpoint(keys, head, new Date('2026-01-01T00:00:00Z'));
    assert.equal(cp.keyId, keys.keyId);
    assert.equal(signatureHolds(keys, cp), true);
    assert.equal(signatureHolds(keys, { ...cp, seq: 40 }), false, 'a changed position breaks the signature');
    assert.equal(signatureHolds(keys, { ...cp, signature: 'AAAA' }), false);
  }
  assert.equal(signatureHolds(fromPem, signCheckpoint(fromSeed, head)), false, 'another key is not trusted');
});

test('a wrong key is refused at start with what to do, without echoing it', () => {
  const bad = 'not-a-key-at-all';
  const env = { DATABASE_URL: 'postgres://x@127.0.0.1/x', AUDIT_CHECKPOINT_KEY: bad };
  assert.throws(
    () => parseConfig(env),
    (e: Error) => {
      assert.match(
        e.message,
        /AUDIT_CHECKPOINT_KEY is neither base64 of a 32-byte Ed25519 seed nor a PKCS#8 PEM/,
      );
      assert.doesNotMatch(e.message, new RegExp(bad));
      return true;
    },
  );
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  assert.match(checkConfig(parseConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x' })).join(), /^$/);
  assert.throws(
    () => loadCheckpointKeys(rsa.toString()),
    /is an rsa key; checkpoints are signed with Ed25519/,
  );
});

test('after a key change, checkpoints of a key kept in AUDIT_CHECKPOINT_TRUSTED_KEYS still verify', () => {
  const old = loadCheckpointKeys(seed());
  const cp = signCheckpoint(old, head);
  const current = loadCheckpointKeys(seed(), publicKeyText(old.publicKey));
  assert.equal(signatureHolds(current, cp), true);
  assert.equal(signatureHolds(loadCheckpointKeys(seed()), cp), false);
});

test('the log is compared with its last checkpoint: matches, truncated, missing, rewritten, forged', () => {
  const keys = loadCheckpointKeys(seed());
  const checkpoint = signCheckpoint(keys, head);
  const stored = { streamSeq: 3, checkpoint };
  const says = `checkpoint #3 signed at ${checkpoint.signedAt} says the head was 57 with hash ${head.hash}`;

  assert.equal(
    compareWithCheckpoint(keys, stored, { seq: 60, hash: 'b'.repeat(64) }, head).outcome,
    'matches',
  );
  const cut = compareWithCheckpoint(keys, stored, { seq: 40, hash: 'c'.repeat(64) }, undefined);
  assert.equal(cut.outcome, 'truncated');
  assert.deepEqual(cut.missing, { fromSeq: 41, toSeq: 57 });
  assert.equal(cut.detail, `entries 41..57 are missing: ${says}, and the log now ends at 40`);
  assert.equal(
    compareWithCheckpoint(keys, stored, { seq: 56, hash: 'c'.repeat(64) }, undefined).detail,
    `entry 57 is missing: ${says}, and the log now ends at 56`,
  );
  const absent = compareWithCheckpoint(keys, stored, { seq: 60, hash: 'b'.repeat(64) }, undefined);
  assert.equal(absent.outcome, 'missing');
  assert.deepEqual(absent.missing, { fromSeq: 57, toSeq: 57 });
  const rewritten = compareWithCheckpoint(
    keys,
    stored,
    { seq: 60, hash: 'b'.repeat(64) },
    {
      seq: 57,
      hash: 'd'.repeat(64),
    },
  );
  assert.equal(rewritten.outcome, 'rewritten');
  assert.match(rewritten.detail, new RegExp(`entry 57 has hash ${'d'.repeat(64)}, but ${says}`));

  const forged = { streamSeq: 4, checkpoint: { ...signCheckpoint(loadCheckpointKeys(seed()), head) } };
  const report = compareWithCheckpoint(keys, forged, { seq: 57, hash: head.hash }, head);
  assert.equal(report.outcome, 'bad_signature');
  assert.match(
    report.detail,
    /checkpoint #4 was not signed by this audit service: it names key [0-9a-f]{16}/,
  );
  const tampered = { streamSeq: 5, checkpoint: { ...checkpoint, seq: 40 } };
  assert.match(
    compareWithCheckpoint(keys, tampered, { seq: 40, hash: 'c'.repeat(64) }, undefined).detail,
    new RegExp(`its signature does not verify with key ${keys.keyId}`),
  );
  assert.equal(compareWithCheckpoint(keys, null, head, undefined).outcome, 'no_checkpoint');
});
