import assert from 'node:assert/strict';
import { test } from 'node:test';
import { effectiveLimits, levelOf, levelsOf, UNLIMITED } from '../src/domain/limits.ts';
import { modulesNamed, planProblem } from '../src/domain/plan-rules.ts';

test('a level is exceeded over the limit, a warning from the warning share of it, unknown without a figure', () => {
  assert.equal(levelOf(3, 2, 80), 'exceeded');
  assert.equal(levelOf(2, 2, 80), 'warning', 'at the limit is allowed, and warned');
  assert.equal(levelOf(8, 10, 80), 'warning');
  assert.equal(levelOf(7, 10, 80), 'ok');
  assert.equal(levelOf(1, 0, 80), 'exceeded', 'a limit of 0 is passed by any use');
  assert.equal(levelOf(0, 0, 80), 'ok');
  assert.equal(levelOf(null, 10, 80), 'unknown');
  assert.equal(levelOf(10 ** 12, null, 80), 'unlimited');
});

test("an override replaces the plan's limits it names, null included, and leaves the others", () => {
  const plan = { ...UNLIMITED, activeUsers: 2, databaseBytes: 100 };
  assert.deepEqual(effectiveLimits(plan, { activeUsers: 5, databaseBytes: null }), {
    ...UNLIMITED,
    activeUsers: 5,
    databaseBytes: null,
  });
  assert.deepEqual(effectiveLimits(plan, {}), plan);
  assert.deepEqual(effectiveLimits(plan, undefined), plan);
  const levels = levelsOf(plan, null, 80);
  assert.equal(levels.activeUsers, 'unknown');
  assert.equal(levels.filestoreBytes, 'unlimited');
});

test('default modules must be among the allowed ones, unless any module is allowed', () => {
  const base = { name: 'p', displayName: 'P', limits: UNLIMITED };
  assert.equal(planProblem({ ...base, allowedModules: ['crm', 'sale'], defaultModules: ['crm'] }), undefined);
  assert.equal(planProblem({ ...base, allowedModules: null, defaultModules: ['crm'] }), undefined);
  const p = planProblem({ ...base, allowedModules: ['sale'], defaultModules: ['crm', 'sale', 'mail'] });
  assert.equal(p?.field, '/plan/defaultModules');
  assert.match(p?.message ?? '', /crm, mail are not/);
  assert.deepEqual(modulesNamed({ ...base, allowedModules: ['sale', 'crm'], defaultModules: ['crm'] }), [
    'crm',
    'sale',
  ]);
});
