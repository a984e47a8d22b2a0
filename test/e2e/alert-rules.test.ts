import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { alertTestsDir, loadRuleFiles, ruleTestFiles } from '../support/observability.ts';

const PROMTOOL = '/usr/bin/promtool';

/** Runs promtool; its whole output is the failure message when it does not succeed. */
function promtool(args: string[], cwd?: string): void {
  const run = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd, timeout: 120_000 });
  if (run.error) throw run.error;
  assert.equal(run.status, 0, `promtool ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
}

describe('the Prometheus alert rules of grafana/alerts', async () => {
  const files = await loadRuleFiles();
  const tests = await ruleTestFiles();

  test('there are rule files and unit test files', () => {
    assert.ok(files.length > 0, 'no rule files in grafana/alerts');
    assert.ok(tests.length > 0, 'no unit tests in grafana/alerts/tests');
  });

  for (const { file, path } of files)
    test(`promtool check rules accepts ${file}`, () => promtool(['check', 'rules', path]));

  for (const path of tests)
    test(`promtool test rules passes ${path.slice(alertTestsDir.length + 1)}`, () =>
      // From the tests' directory, as their `rule_files` name the rules relative to it.
      promtool(['test', 'rules', path], alertTestsDir));

  test('every alert has a severity, a summary, a description and a runbook', () => {
    const missing: string[] = [];
    for (const { file, groups } of files)
      for (const g of groups)
        for (const r of g.rules) {
          if (!r.alert) continue;
          if (!['critical', 'warning', 'info'].includes(r.labels?.severity ?? ''))
            missing.push(`${file} ${r.alert}: severity`);
          for (const a of ['summary', 'description', 'runbook'])
            if (!r.annotations?.[a]?.trim()) missing.push(`${file} ${r.alert}: ${a}`);
        }
    assert.deepEqual(missing, []);
  });

  test('every alert is exercised by a unit test', async () => {
    const { readFile } = await import('node:fs/promises');
    const tested = new Set<string>();
    for (const path of tests)
      for (const m of (await readFile(path, 'utf8')).matchAll(/alertname:\s*(\S+)/g)) tested.add(m[1] ?? '');
    const untested = files
      .flatMap((f) => f.groups.flatMap((g) => g.rules.map((r) => r.alert)))
      .filter((a): a is string => !!a && !tested.has(a));
    assert.deepEqual(untested, [], 'alerts without a unit test in grafana/alerts/tests');
  });
});
