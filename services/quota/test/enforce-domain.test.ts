import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlanLimits } from '@ocp/contracts';
import { anyExceeded, compareLevels, type Figures, unknownLevels } from '../src/enforce/crossings.ts';
import { decideEnforcement, initialEnforcement } from '../src/enforce/policy.ts';

const limits = (activeUsers: number | null): PlanLimits => ({
  activeUsers,
  databaseBytes: null,
  filestoreBytes: null,
  backupBytes: null,
  backupGenerations: null,
});
const users = (n: number | null): Figures => ({
  activeUsers: n,
  databaseBytes: 10,
  filestoreBytes: 10,
  backupBytes: 0,
  backupGenerations: 0,
});

test('a warning (from 80 %) and an exceeded crossing (over the limit) are announced once each, however many scans find them', () => {
  let levels = unknownLevels();
  const seen: string[] = [];
  for (const n of [1, 4, 4, 4, 5, 5, 6, 6, 7]) {
    const r = compareLevels(levels, users(n), limits(5), 80);
    levels = r.levels;
    seen.push(...r.crossings.map((c) => `${c.kind}:${c.usage}`));
  }
  assert.deepEqual(seen, ['warning:4', 'exceeded:6']);
  assert.equal(anyExceeded(levels), true);
});

test('falling back under 100 % announces back_under once; a new rise is a new crossing', () => {
  let levels = unknownLevels();
  const seen: string[] = [];
  for (const n of [3, 3, 2, 2, 1, 3, 2]) {
    const r = compareLevels(levels, users(n), limits(2), 80);
    levels = r.levels;
    seen.push(...r.crossings.map((c) => `${c.kind}:${c.usage}`));
  }
  assert.deepEqual(seen, ['exceeded:3', 'back_under:2', 'exceeded:3', 'back_under:2']);
});

test('a jump over the warning band announces exceeded only; warning to ok announces nothing', () => {
  const up = compareLevels(unknownLevels(), users(3), limits(2), 80);
  assert.deepEqual(
    up.crossings.map((c) => c.kind),
    ['exceeded'],
  );
  const warned = compareLevels(unknownLevels(), users(4), limits(5), 80);
  assert.deepEqual(compareLevels(warned.levels, users(1), limits(5), 80).crossings, []);
});

test('a figure that could not be measured keeps its level and announces nothing', () => {
  const over = compareLevels(unknownLevels(), users(3), limits(2), 80).levels;
  const r = compareLevels(over, users(null), limits(2), 80);
  assert.deepEqual(r.crossings, []);
  assert.equal(r.levels.activeUsers, 'exceeded');
});

test('a limit lifted or raised brings an exceeded figure back under', () => {
  const over = compareLevels(unknownLevels(), users(3), limits(2), 80).levels;
  const lifted = compareLevels(over, users(3), limits(null), 80);
  assert.deepEqual(lifted.crossings, [{ kind: 'back_under', metric: 'activeUsers', usage: 3, limit: null }]);
  const raised = compareLevels(over, users(3), limits(10), 80);
  assert.deepEqual(
    raised.crossings.map((c) => c.kind),
    ['back_under'],
  );
});

test('the block action blocks installs while exceeded and never revokes access', () => {
  const block = { action: 'block' as const, graceSeconds: 0 };
  const t0 = new Date('2026-01-01T00:00:00Z');
  const on = decideEnforcement(block, true, initialEnforcement(), t0);
  assert.equal(on.installsBlocked, true);
  assert.equal(on.access, undefined);
  const still = decideEnforcement(block, true, on.state, new Date(t0.getTime() + 1e9));
  assert.equal(still.installsBlocked, undefined, 'no change, nothing to announce');
  assert.equal(still.access, undefined);
  const off = decideEnforcement(block, false, still.state, t0);
  assert.equal(off.installsBlocked, false);
});

test('the suspend action revokes access only once the grace period has passed, and grants it back under', () => {
  const suspend = { action: 'suspend' as const, graceSeconds: 60 };
  const t0 = new Date('2026-01-01T00:00:00Z');
  const first = decideEnforcement(suspend, true, initialEnforcement(), t0);
  assert.equal(first.installsBlocked, true);
  assert.equal(first.access, undefined);
  assert.deepEqual(first.graceEndsAt, new Date(t0.getTime() + 60_000));
  const during = decideEnforcement(suspend, true, first.state, new Date(t0.getTime() + 59_000));
  assert.equal(during.access, undefined);
  const after = decideEnforcement(suspend, true, during.state, new Date(t0.getTime() + 60_000));
  assert.equal(after.access, 'revoked');
  const again = decideEnforcement(suspend, true, after.state, new Date(t0.getTime() + 120_000));
  assert.equal(again.access, undefined, 'revoked once');
  const back = decideEnforcement(suspend, false, again.state, new Date(t0.getTime() + 130_000));
  assert.equal(back.access, 'granted');
  assert.equal(back.installsBlocked, false);
  assert.equal(back.state.exceededSince, null);
});

test('a plan that moves from suspend to block grants a revoked tenant its access back', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const revoked = decideEnforcement({ action: 'suspend', graceSeconds: 0 }, true, initialEnforcement(), t0);
  assert.equal(revoked.access, 'revoked');
  const moved = decideEnforcement({ action: 'block', graceSeconds: 0 }, true, revoked.state, t0);
  assert.equal(moved.access, 'granted');
  assert.equal(moved.state.installsBlocked, true);
});
