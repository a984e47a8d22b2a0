import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  type Keyring,
  needsReseal,
  openSecret,
  parseKeyring,
  SealedSecretError,
  sealSecret,
} from '../src/domain/secrets.ts';

const b64 = () => randomBytes(32).toString('base64');
const ring = (...pairs: Array<[string, string]>): Keyring => {
  const { keyring, problems } = parseKeyring({ keys: pairs.map(([id, k]) => `${id}:${k}`).join(',') });
  assert.deepEqual(problems, []);
  return keyring!;
};
const row = (rowId: string) => ({ table: 'tenants', rowId, column: 'db_password_sealed' });

/** A value in the first sealed format: no key id, no place bound to it. */
function sealFirstFormat(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const text = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), text]).toString('base64')}`;
}

test('a sealed secret names its key, opens in its place with its keyring, and a changed byte is detected', () => {
  const keys = ring(['k1', b64()]);
  const sealed = sealSecret(keys, 'p@ss', row('a'));
  assert.match(sealed, /^v2\.k1\./);
  assert.notEqual(sealed, sealSecret(keys, 'p@ss', row('a')), 'each seal has its own nonce');
  assert.equal(openSecret(keys, sealed, row('a')), 'p@ss');
  assert.throws(() => openSecret(ring(['k1', b64()]), sealed, row('a')), SealedSecretError);
  const raw = Buffer.from(sealed.slice('v2.k1.'.length), 'base64');
  raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
  assert.throws(() => openSecret(keys, `v2.k1.${raw.toString('base64')}`, row('a')), /was changed/);
});

test('a sealed value copied to another row or column does not open there', () => {
  const keys = ring(['k1', b64()]);
  const sealed = sealSecret(keys, 'p@ss', row('tenant-a'));
  assert.throws(
    () => openSecret(keys, sealed, row('tenant-b')),
    /tenants\.db_password_sealed of tenant-b does not open: it was changed, or sealed for another row/,
  );
  assert.throws(() => openSecret(keys, sealed, { ...row('tenant-a'), column: 'other' }), SealedSecretError);
  assert.throws(
    () =>
      openSecret(keys, sealed, {
        table: 'database_servers',
        rowId: 'tenant-a',
        column: 'db_password_sealed',
      }),
    SealedSecretError,
  );
});

test('after a new key is added first, values sealed under the old one still open and new ones use the new key', () => {
  const old = b64();
  const before = ring(['k1', old]);
  const sealed = sealSecret(before, 'p@ss', row('a'));
  const after = ring(['k2', b64()], ['k1', old]);
  assert.equal(openSecret(after, sealed, row('a')), 'p@ss');
  assert.ok(needsReseal(after, sealed), 'a value under an older key is to be sealed again');
  const resealed = sealSecret(after, 'p@ss', row('a'));
  assert.match(resealed, /^v2\.k2\./);
  assert.ok(!needsReseal(after, resealed));
  assert.throws(
    () => openSecret(ring(['k2', b64()]), sealed, row('a')),
    /sealed under key "k1", which is not in the keyring; add that key to TENANT_SECRETS_KEYS/,
  );
});

test('values of the first format (no key id, no row) still open under the single key, and are due to be sealed again', () => {
  const single = b64();
  const sealed = sealFirstFormat(Buffer.from(single, 'base64'), 'legacy');
  const { keyring } = parseKeyring({ key: single });
  assert.equal(openSecret(keyring!, sealed, row('any')), 'legacy');
  assert.ok(needsReseal(keyring!, sealed));
  const rotated = parseKeyring({ keys: `k2:${b64()}`, key: single }).keyring!;
  assert.equal(openSecret(rotated, sealed, row('any')), 'legacy', 'the single key stays in the ring, last');
  assert.throws(() => openSecret(ring(['k9', b64()]), sealed, row('any')), /does not open under any key/);
});

test('the keyring takes id:key pairs newest first, the single key as id default after them, and reports every problem', () => {
  const single = b64();
  const { keyring } = parseKeyring({ keys: `new:${b64()},old:${b64()}`, key: single });
  assert.deepEqual(
    keyring!.keys.map((k) => k.id),
    ['new', 'old', 'default'],
  );
  assert.deepEqual(
    parseKeyring({ key: single }).keyring!.keys.map((k) => k.id),
    ['default'],
  );
  const bad = parseKeyring({ keys: `a:${b64()},a:${b64()},b:${randomBytes(16).toString('base64')}` });
  assert.equal(bad.keyring, undefined);
  assert.equal(bad.problems.length, 2, bad.problems.join('\n'));
  assert.match(bad.problems.join('\n'), /key id "a" appears twice/);
  assert.match(bad.problems.join('\n'), /key "b" must decode to 32 bytes/);
  assert.match(parseKeyring({}).problems.join(''), /set TENANT_SECRETS_KEYS .* or TENANT_SECRETS_KEY/);
});
