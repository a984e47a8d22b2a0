import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decideRetention,
  isoWeek,
  parseRetention,
  type RetentionCandidate,
} from '../src/domain/retention.ts';

const policy = { daily: 7, weekly: 4, monthly: 6 };

/** One backup a day at 02:00 UTC from `from` to `to`, pruned after each, as the service does. */
function simulate(from: string, to: string, proveOn: readonly string[]) {
  let kept: RetentionCandidate[] = [];
  const seen: Record<string, string[]> = {};
  for (
    let d = new Date(`${from}T02:00:00Z`);
    d <= new Date(`${to}T02:00:00Z`);
    d = new Date(d.getTime() + 86400000)
  ) {
    const day = d.toISOString().slice(0, 10);
    kept.push({ id: day, createdAt: d, drillPassed: false });
    // A drill proves the backup of that day, the day it is taken.
    if (proveOn.includes(day)) kept = kept.map((b) => (b.id === day ? { ...b, drillPassed: true } : b));
    const decision = decideRetention(kept, policy);
    kept = kept.filter((b) => decision.keep.has(b.id));
    seen[day] = kept.map((b) => b.id).sort();
  }
  return seen;
}

describe('retention by generations', () => {
  test('over eleven months of daily backups it keeps exactly 7 daily, 4 weekly and 6 monthly generations', () => {
    const seen = simulate('2026-01-01', '2026-12-01', []);
    assert.deepEqual(seen['2026-12-01'], [
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-15',
      '2026-11-22',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
    ]);
    // A week in: only the daily generations exist, and all of them stay.
    assert.equal(seen['2026-01-07']!.length, 7);
  });

  test('the only backup a drill proved is never pruned, until a newer one is proved', () => {
    const seen = simulate('2026-01-01', '2026-12-01', ['2026-03-10', '2026-11-20']);
    assert.ok(seen['2026-11-19']!.includes('2026-03-10'), 'kept while it is the only proven one');
    assert.ok(!seen['2026-11-20']!.includes('2026-03-10'), 'pruned once a newer one is proven');
    assert.ok(seen['2026-12-01']!.includes('2026-11-20'));
    assert.equal(seen['2026-12-01']!.length, 14);
  });

  test('the newest backup is kept whatever the policy says', () => {
    const b = [{ id: 'a', createdAt: new Date('2026-05-01T00:00:00Z'), drillPassed: false }];
    const d = decideRetention(b, { daily: 0, weekly: 0, monthly: 0 });
    assert.deepEqual([...d.keep.keys()], ['a']);
  });

  test('ISO weeks cross years as ISO 8601 says', () => {
    assert.equal(isoWeek(new Date('2026-01-01T12:00:00Z')), '2026-W01');
    assert.equal(isoWeek(new Date('2027-01-01T12:00:00Z')), '2026-W53');
    assert.equal(isoWeek(new Date('2024-12-30T12:00:00Z')), '2025-W01');
    assert.equal(isoWeek(new Date('2026-11-30T00:00:00Z')), '2026-W49');
  });

  test('a retention setting that cannot work is refused, naming the plan', () => {
    assert.deepEqual(parseRetention('{"default":{"daily":7}}').problems, []);
    assert.match(parseRetention('{"pro":{"daily":-1},"default":{}}').problems[0]!, /plan "pro"/);
    assert.match(parseRetention('{"pro":{"daily":3}}').problems[0]!, /"default"/);
    assert.match(parseRetention('nope').problems[0]!, /not JSON/);
  });
});
