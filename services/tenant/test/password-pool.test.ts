import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { test } from 'node:test';
import { AdminPasswordPool } from '../src/odoo/password-pool.ts';
import { odooPasswordHash } from '../src/odoo/passwords.ts';

const ROUNDS = 1000;
const quickHash = (password: string) => odooPasswordHash(password, ROUNDS);

/** passlib's check, written here: `$pbkdf2-sha512$<rounds>$<salt>$<checksum>` in adapted base64. */
function verifies(password: string, hash: string): boolean {
  const [, scheme, rounds, salt, sum] = hash.split('$');
  assert.equal(scheme, 'pbkdf2-sha512');
  const b64 = (s: string) => Buffer.from(s.replaceAll('.', '+'), 'base64');
  const expected = b64(sum!);
  return pbkdf2Sync(password, b64(salt!), Number(rounds), 64, 'sha512').equals(expected);
}

test('the pool hashes passwords ahead up to its size, hands each out once, and refills', async () => {
  const hashed: string[] = [];
  const pool = new AdminPasswordPool(
    3,
    (e) => assert.fail(String(e)),
    async (p) => {
      hashed.push(p);
      return await quickHash(p);
    },
  );
  await pool.settled();
  assert.equal(pool.available, 3);
  assert.equal(hashed.length, 3, 'no more than its size');

  const taken = [pool.take(), pool.take()];
  for (const t of taken) {
    assert.ok(t);
    assert.match(t.password, /^[A-Za-z0-9]{20}$/);
    assert.ok(verifies(t.password, t.hash), 'the hash is of the password handed out');
    assert.ok(!verifies(`${t.password}x`, t.hash));
  }
  assert.notEqual(taken[0]?.password, taken[1]?.password);
  await pool.settled();
  assert.equal(pool.available, 3, 'refilled after the takes');
  assert.equal(new Set(hashed).size, hashed.length, 'every password is new');
  await pool.close();
  assert.equal(pool.available, 0);
  assert.equal(pool.take(), undefined, 'a closed pool hands out nothing');
});

test('a pool of size 0 hashes nothing ahead; a failed hash is reported and tried again at the next take', async () => {
  let calls = 0;
  const off = new AdminPasswordPool(
    0,
    (e) => assert.fail(String(e)),
    async (p) => {
      calls++;
      return await quickHash(p);
    },
  );
  assert.equal(off.take(), undefined);
  await off.settled();
  assert.equal(calls, 0);

  const errors: unknown[] = [];
  let fail = true;
  const flaky = new AdminPasswordPool(
    1,
    (e) => errors.push(e),
    async (p) => {
      if (fail) throw new Error('no thread to hash on');
      return await quickHash(p);
    },
  );
  await flaky.settled();
  assert.equal(errors.length, 1);
  assert.equal(flaky.take(), undefined, 'none ready: the caller hashes its own');
  await flaky.settled();
  fail = false;
  assert.equal(flaky.take(), undefined);
  await flaky.settled();
  assert.equal(flaky.available, 1, 'filled once hashing works again');
  await flaky.close();
});
