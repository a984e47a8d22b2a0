import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { parseLimit } from '../src/commands/plans.ts';
import { parseTrialEnd } from '../src/commands/tenant-quota.ts';

describe('the values of the quota flags', () => {
  test('a limit is a whole number, a size with a 1024-based unit, or unlimited', () => {
    assert.equal(parseLimit('2', false), 2);
    assert.equal(parseLimit('0', false), 0);
    assert.equal(parseLimit('unlimited', false), 'unlimited');
    assert.equal(parseLimit('1073741824', true), 1024 ** 3);
    assert.equal(parseLimit('500MB', true), 500 * 1024 ** 2);
    assert.equal(parseLimit('2GiB', true), 2 * 1024 ** 3);
    assert.equal(parseLimit('1.5k', true), 1536);
    for (const [text, bytes] of [
      ['two', false],
      ['-1', false],
      ['2.5', false],
      ['5MB', false],
      ['1e3', true],
      ['12 parsecs', true],
      ['0.1b', true],
      ['1.1MB', true],
      ['', true],
    ] as const)
      assert.throws(() => parseLimit(text, bytes), InvalidArgumentError, `${text} is refused`);
  });

  test('a trial end: a bare date runs through that day (UTC); a date and time is taken as it is', () => {
    assert.equal(parseTrialEnd('2026-12-31'), '2027-01-01T00:00:00.000Z');
    assert.equal(parseTrialEnd('2026-12-31T12:30:00+02:00'), '2026-12-31T10:30:00.000Z');
    for (const text of ['soon', '2026-13-45', ''])
      assert.throws(() => parseTrialEnd(text), InvalidArgumentError, `${text} is refused`);
  });
});
