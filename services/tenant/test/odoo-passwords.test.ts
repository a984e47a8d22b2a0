import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { describe, test } from 'node:test';
import { ab64Encode, generateAdminPassword, odooPasswordHash } from '../src/odoo/passwords.ts';

/**
 * An independent check of passlib's pbkdf2_sha512 format, written here from its description
 * (not from the code under test): `$pbkdf2-sha512$<rounds>$<salt>$<checksum>`, salt and checksum
 * in adapted base64 (the standard alphabet with `.` for `+`, no padding).
 */
function parse(hash: string) {
  const m = /^\$pbkdf2-sha512\$([1-9][0-9]*)\$([A-Za-z0-9./]+)\$([A-Za-z0-9./]+)$/.exec(hash);
  assert.ok(m, `not passlib's pbkdf2-sha512 format: ${hash}`);
  const decode = (s: string) => Buffer.from(s.replaceAll('.', '+'), 'base64');
  return {
    rounds: Number(m[1]),
    salt: decode(m[2]!),
    checksum: decode(m[3]!),
    saltText: m[2]!,
    sumText: m[3]!,
  };
}

function verify(password: string, hash: string): boolean {
  const { rounds, salt, checksum } = parse(hash);
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, rounds, 64, 'sha512').equals(checksum);
}

describe("administrator passwords in Odoo's hash format", () => {
  test('600,000 rounds, a 16-byte salt and a 64-byte digest, as passlib writes them, verified here', async () => {
    const password = 'correct horse battery staple — é';
    const hash = await odooPasswordHash(password);
    const { rounds, salt, checksum, saltText, sumText } = parse(hash);
    assert.equal(rounds, 600_000);
    assert.equal(salt.length, 16);
    assert.equal(checksum.length, 64);
    // No padding: 22 and 86 characters of the adapted alphabet.
    assert.equal(saltText.length, 22);
    assert.equal(sumText.length, 86);
    assert.ok(!hash.includes('=') && !hash.includes('+'));
    assert.ok(verify(password, hash));
    assert.ok(!verify('correct horse battery staple', hash));
  });

  test('every hash has its own salt', async () => {
    const [a, b] = await Promise.all([odooPasswordHash('same', 1000), odooPasswordHash('same', 1000)]);
    assert.notEqual(a, b);
    assert.ok(verify('same', a) && verify('same', b));
  });

  test("adapted base64: '.' for '+', no padding", () => {
    assert.equal(ab64Encode(Buffer.from([0xfb, 0xef, 0xbe])), '....');
    assert.equal(ab64Encode(Buffer.from([0xfb])), '.w');
    assert.equal(
      ab64Encode(Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex')),
      'AAECAwQFBgcICQoLDA0ODw',
    );
  });

  test('generated passwords are long, varied and easy to type', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generateAdminPassword();
      assert.ok(p.length >= 16);
      assert.match(p, /^[A-Za-z2-9]+$/);
      assert.doesNotMatch(p, /[0O1lI]/);
      seen.add(p);
    }
    assert.equal(seen.size, 200);
  });
});
