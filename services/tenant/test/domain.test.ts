import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addReason, clearReason, databaseNameFor, refuseOperation } from '../src/domain/lifecycle.ts';
import { scramVerifier } from '../src/domain/secrets.ts';

test('a tenant stays suspended while any reason stands, and resuming for one reason never clears another', () => {
  const first = addReason([], 'billing');
  assert.deepEqual(first, { reasons: ['billing'], changed: true, lock: true });
  const second = addReason(first.reasons, 'manual');
  assert.deepEqual(second, { reasons: ['billing', 'manual'], changed: true, lock: false });
  assert.equal(addReason(second.reasons, 'manual').changed, false);
  const cleared = clearReason(second.reasons, 'manual');
  assert.deepEqual(cleared, { reasons: ['billing'], changed: true, unlock: false });
  assert.deepEqual(clearReason(cleared.reasons, 'quota'), {
    reasons: ['billing'],
    changed: false,
    unlock: false,
  });
  assert.deepEqual(clearReason(cleared.reasons, 'billing'), { reasons: [], changed: true, unlock: true });
});

test('operations are refused from states they cannot start from, saying which states they can', () => {
  assert.equal(refuseOperation('tenant.suspend', 'active'), undefined);
  assert.match(
    refuseOperation('tenant.suspend', 'provisioning') ?? '',
    /cannot be asked to suspend; allowed from: active, suspended/,
  );
  assert.match(refuseOperation('tenant.resume', 'active') ?? '', /allowed from: suspended/);
  assert.equal(refuseOperation('tenant.delete', 'failed'), undefined);
  assert.ok(refuseOperation('tenant.delete', 'deleted'));
});

test('database names are the prefix and the slug with hyphens as underscores', () => {
  assert.equal(databaseNameFor('t_', 'acme-north-2'), 't_acme_north_2');
});

test('the SCRAM verifier has the shape PostgreSQL stores and never contains the password', async () => {
  const v = await scramVerifier('correct horse');
  assert.match(v, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  assert.ok(!v.includes('correct horse'));
  assert.notEqual(v, await scramVerifier('correct horse'), 'salted');
});
