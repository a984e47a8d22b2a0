import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createRefusalTally,
  MAX_ACTIONS,
  MAX_SAMPLE_PATHS,
  type Refusal,
} from '../src/domain/refusal-tally.ts';

const refusal = (source: string, i = 0): Refusal => ({
  source,
  method: 'GET',
  path: `/api/v1/tenants/${i}`,
  action: `action.${i}`,
  status: i % 2 ? 429 : 401,
  userAgent: 'curl/8',
});

describe('the tally of refused anonymous requests', () => {
  test('the first refusal of a window is recorded, the rest counted and summed up when it closes', () => {
    const tally = createRefusalTally({ windowMs: 1000, maxSources: 10 });
    assert.equal(tally.note(refusal('10.0.0.1'), 0).verdict, 'record');
    for (let i = 1; i <= 40; i++) assert.equal(tally.note(refusal('10.0.0.1', i), i).verdict, 'counted');
    assert.deepEqual(tally.closed(999), [], 'still open');
    const [s] = tally.closed(1000);
    assert.equal(s?.count, 40);
    assert.deepEqual(s?.statuses, { 401: 20, 429: 20 });
    assert.equal(s?.samplePaths.length, MAX_SAMPLE_PATHS);
    assert.equal(Object.keys(s?.actions ?? {}).length, MAX_ACTIONS);
    assert.equal(tally.size, 0);
    assert.equal(tally.note(refusal('10.0.0.1'), 1500).verdict, 'record', 'a new window');
  });

  test('a window that closed before the sweep is written when its source comes back', () => {
    const tally = createRefusalTally({ windowMs: 1000, maxSources: 10 });
    tally.note(refusal('10.0.0.1'), 0);
    tally.note(refusal('10.0.0.1'), 10);
    const again = tally.note(refusal('10.0.0.1'), 2000);
    assert.equal(again.verdict, 'record');
    assert.deepEqual(
      again.flush.map((s) => s.count),
      [1],
    );
  });

  test('the number of sources is bounded: when full, every summary is written and counting starts afresh', () => {
    const tally = createRefusalTally({ windowMs: 60_000, maxSources: 10 });
    for (let n = 0; n < 10; n++) {
      tally.note(refusal(`10.0.0.${n}`), 0);
      tally.note(refusal(`10.0.0.${n}`), 1);
    }
    assert.equal(tally.size, 10);
    const full = tally.note(refusal('10.0.1.1'), 2);
    assert.equal(full.verdict, 'record');
    assert.equal(full.flush.length, 10);
    assert.equal(tally.size, 1);
  });

  test('draining at a stop answers every open summary; windows with nothing counted make none', () => {
    const tally = createRefusalTally({ windowMs: 60_000, maxSources: 10 });
    tally.note(refusal('10.0.0.1'), 0);
    tally.note(refusal('10.0.0.2'), 0);
    tally.note(refusal('10.0.0.2'), 1);
    assert.deepEqual(
      tally.drain().map((s) => [s.source, s.count]),
      [['10.0.0.2', 1]],
    );
    assert.equal(tally.size, 0);
  });
});
