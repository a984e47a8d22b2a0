import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminQuery, waitFor } from '@ocp/testkit';
import {
  type AlertRule,
  dashboardQueries,
  loadDashboards,
  loadRuleFiles,
  renderGrafanaQuery,
  runningServices,
  type ScrapeTarget,
} from '../support/observability.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.ts';

const limit = { timeout: 300_000 };

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}
interface RuleState {
  name: string;
  health: string;
  lastError?: string;
  state?: string;
}
interface Vector {
  resultType: string;
  result: Array<{ metric: Record<string, string>; value: [number, string] }>;
}

describe('Prometheus scrapes every service and evaluates the alert rules', limit, () => {
  let p: Platform;
  let prom: TestPrometheus;
  let targets: ScrapeTarget[];
  const rules = new Map<string, AlertRule>();

  before(async () => {
    p = await startPlatform({ backup: true });
    targets = runningServices(p);
    const files = await loadRuleFiles();
    for (const f of files)
      for (const g of f.groups) for (const r of g.rules) if (r.alert) rules.set(r.alert, r);
    prom = await startPrometheus(
      targets,
      files.map((f) => f.path),
    );
  });
  after(async () => {
    await prom?.close();
    await p?.close();
  });

  test('every service the platform runs is a target, and every target is up', async () => {
    assert.ok(targets.length >= 5, `targets: ${targets.map((t) => t.name).join(', ')}`);
    const active = await waitFor(
      'every target up',
      async () => {
        const data = await prom.api<{ activeTargets: Target[] }>('targets');
        return data.activeTargets.length === targets.length &&
          data.activeTargets.every((t) => t.health === 'up')
          ? data.activeTargets
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : err}\nprometheus said:\n${prom.output()}`);
    });
    assert.deepEqual(active.map((t) => t.labels.job).sort(), targets.map((t) => t.name).sort());
    const up = await prom.api<Vector>('query', { query: 'up' });
    assert.deepEqual(
      up.result.filter((r) => r.value[1] !== '1').map((r) => r.metric.job),
      [],
      'up is 1 for every job',
    );
  });

  test('every rule group is loaded and every rule evaluates without error', async () => {
    const groups = await waitFor(
      'every rule evaluated',
      async () => {
        const data = await prom.api<{ groups: Array<{ name: string; file: string; rules: RuleState[] }> }>(
          'rules',
        );
        const all = data.groups.flatMap((g) => g.rules);
        return all.length === rules.size && all.every((r) => r.health !== 'unknown')
          ? data.groups
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    assert.deepEqual(
      groups.map((g) => g.name).sort(),
      (await loadRuleFiles()).flatMap((f) => f.groups.map((g) => g.name)).sort(),
    );
    const unhealthy = groups
      .flatMap((g) => g.rules)
      .filter((r) => r.health !== 'ok')
      .map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
    assert.deepEqual(unhealthy, []);
  });

  test("an alert rule's query returns the outbox dead letter of the tenant service, and the alert fires", async () => {
    const rule = rules.get('OcpOutboxDeadLetters');
    assert.ok(rule, 'the rule is in grafana/alerts');
    const before = await prom.api<Vector>('query', { query: rule.expr });
    assert.deepEqual(before.result, [], 'nothing is dead-lettered at first');
    await adminQuery(
      `INSERT INTO ocp_outbox_dead (id, event_id, subject, payload, headers, created_at, attempts, error)
       VALUES (-1, 'metrics-test', 'ocp.tenant.test', '{}', '{}', now(), 10, 'refused by the test')`,
      [],
      p.databases.tenant,
    );
    const result = await waitFor(
      'the rule query returns data',
      async () => {
        const v = await prom.api<Vector>('query', { query: rule.expr });
        return v.result.length > 0 ? v.result : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.deepEqual(
      result.map((r) => [r.metric.service, r.value[1]]),
      [['tenant', '1']],
    );
    await waitFor(
      'the alert fires',
      async () => {
        const { alerts } = await prom.api<{
          alerts: Array<{ labels: Record<string, string>; state: string }>;
        }>('alerts');
        return alerts.some(
          (a) =>
            a.labels.alertname === 'OcpOutboxDeadLetters' &&
            a.labels.service === 'tenant' &&
            a.state === 'firing',
        )
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  test('every dashboard query is PromQL Prometheus accepts, and a panel of the services dashboard shows data', async () => {
    const vars = { service: 'tenant' };
    const refused: string[] = [];
    for (const { file, dashboard } of await loadDashboards())
      for (const q of dashboardQueries(file, dashboard)) {
        // Variable queries (label_values) are Grafana's own function, not PromQL.
        if (q.where.includes(': variable ')) continue;
        await prom
          .api('query', { query: renderGrafanaQuery(q.expr, vars) })
          .catch((err: unknown) => refused.push(`${q.where}: ${err instanceof Error ? err.message : err}`));
      }
    assert.deepEqual(refused, []);

    const services = (await loadDashboards()).find((b) => b.file === 'services.json')!;
    const panel = dashboardQueries('services.json', services.dashboard).find((q) =>
      q.where.includes('"Requests by route and status"'),
    );
    assert.ok(panel, 'the panel is on the services dashboard');
    // The tenant service's /metrics answers, as Prometheus scrapes it every second.
    const series = await waitFor(
      'the panel has data',
      async () => {
        const v = await prom.api<Vector>('query', { query: renderGrafanaQuery(panel.expr, vars) });
        return v.result.length > 0 ? v.result : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const metrics = series.find((s) => s.metric.route === '/metrics' && s.metric.status === '200');
    assert.ok(metrics, JSON.stringify(series));
    assert.ok(Number(metrics.value[1]) > 0);
  });
});
