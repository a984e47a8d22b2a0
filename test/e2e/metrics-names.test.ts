import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { durables } from '@ocp/contracts';
import type { NotifierService } from '@ocp/notifier';
import type { RouterService } from '@ocp/router';
import { adminQuery, waitFor } from '@ocp/testkit';
import {
  DATASOURCE_VAR,
  dashboardProblems,
  dashboardQueries,
  exportedNames,
  loadDashboards,
  loadRuleFiles,
  metricNamesIn,
  type NamedQuery,
  PROMETHEUS_OWN_SERIES,
  runningServices,
  type ScrapeTarget,
  scrape,
  serviceLabels,
} from '../support/observability.ts';
import { type Platform, startNotifier, startPlatform, startRouter } from '../support/platform.ts';
import { createTenant } from '../support/tenants.ts';

const limit = { timeout: 300_000 };

/** The value of the sample of `name` whose labels include `labels`, if there is one. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

describe('the PromQL metric names the tests read', () => {
  test('strings, matchers, label lists, functions, keywords, numbers, durations and variables are not names', () => {
    const cases: Array<[string, string[]]> = [
      ['up == 0', ['up']],
      [
        'sum by (service) (rate(ocp_http_requests_total{status=~"5..", route!="/x{y}"}[5m])) / sum by (service) (rate(ocp_http_requests_total[$__rate_interval]))',
        ['ocp_http_requests_total'],
      ],
      [
        'histogram_quantile(0.99, sum without (instance) (rate(a_seconds_bucket{service="$service"}[1h] offset 5m)))',
        ['a_seconds_bucket'],
      ],
      ['max(x) by (le) > 1e3 and on (job) group_left (team) y_total unless bool z', ['x', 'y_total', 'z']],
      ['count(up == 0) or vector(0)', ['up']],
      ["label_replace(m, 'dst', '$1', 'src', '(.*)')", ['m']],
      ['label_values(ocp_http_requests_total, service)', ['ocp_http_requests_total']],
      ['label_values(service)', []],
      ['rate(nodejs_eventloop_lag_p99_seconds[1h:5m]) * 100 > Inf', ['nodejs_eventloop_lag_p99_seconds']],
      ['topk(10, sum by(method)(increase(c[$__range])))', ['c']],
      [`max(d{job="${DATASOURCE_VAR}"})`, ['d']],
    ];
    for (const [expr, names] of cases) assert.deepEqual(metricNamesIn(expr).sort(), names.sort(), expr);
  });
});

describe('dashboards and alert rules name only metrics the services export', limit, () => {
  let p: Platform;
  let router: RouterService | undefined;
  let notifier: NotifierService | undefined;
  let routerDir: string | undefined;
  let targets: ScrapeTarget[];
  const texts = new Map<string, string>();
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  let tenant: any;
  let overdueBefore: number | undefined;

  const backupDb = (sql: string, values: unknown[] = []) => adminQuery(sql, values, p.databases.backup!);

  before(async () => {
    p = await startPlatform({ backup: true, gatewayEnv: { STRIPE_WEBHOOK_SECRETS: 'whsec_metrics_test' } });
    // A tenant provisioned (an operation, request/reply methods, events through outboxes and the
    // audit log), made overdue by the schedule's rule, then backed up; a forged webhook refused.
    tenant = await createTenant(p, 'metrics');
    await waitFor('the backup service follows the tenant', async () => {
      const { rows } = await backupDb('SELECT state FROM known_tenants WHERE tenant_id = $1', [tenant.id]);
      return rows[0]?.state === 'active' ? true : undefined;
    });
    await backupDb(
      `UPDATE known_tenants SET schedule_since = now() - interval '3 days' WHERE tenant_id = $1`,
      [tenant.id],
    );
    overdueBefore = sample(await scrape(p.backup!), 'ocp_backup_tenants_overdue');
    const backup = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/backups`);
    assert.equal(backup.status, 202, JSON.stringify(backup.body));
    assert.equal((await p.api.waitOperation(backup.body.operation.id)).state, 'succeeded');
    const hook = await fetch(`${p.gateway.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: JSON.stringify({ id: 'evt_forged', type: 'customer.subscription.updated' }),
    });
    assert.equal(hook.status, 400);
    // The audit service has appended the tenant's events.
    await waitFor('audit entries appended', async () => {
      const text = await scrape(p.audit!);
      return (sample(text, 'ocp_audit_append_lag_seconds_count') ?? 0) > 0 ? true : undefined;
    });
    // The router, which the platform does not run itself, renders into a directory of the test's.
    routerDir = await mkdtemp(join(tmpdir(), 'ocp-metrics-router-'));
    const r = await startRouter(p, { ROUTER_OUTPUT_DIR: routerDir });
    router = r;
    await waitFor('the router to render', async () =>
      (await fetch(`${r.url}/readyz`)).status === 200 ? true : undefined,
    );
    // The notifier too, with no Slack webhook: it still exports what it counts.
    const n = await startNotifier(p);
    notifier = n;
    targets = [...runningServices(p), { name: 'router', url: r.url }, { name: 'notifier', url: n.url }];
    // Twice: the second answer has counted the first (a service nothing else calls over HTTP).
    for (const t of targets) await scrape(t);
    for (const t of targets) texts.set(t.name, await scrape(t));
  });
  after(async () => {
    await router?.close();
    await notifier?.close();
    await p?.close();
    if (routerDir) await rm(routerDir, { recursive: true, force: true });
  });

  test('every service the platform runs is scraped, each labelling every series with its own name', () => {
    assert.ok(
      ['audit', 'backup', 'billing', 'gateway', 'tenant'].every((s) => texts.has(s)),
      `scraped: ${[...texts.keys()].join(', ')}`,
    );
    for (const [name, text] of texts) assert.deepEqual([...serviceLabels(text)], [name], name);
  });

  test('every service exports rate, errors and duration of its HTTP answers, request/reply methods and message handlers', () => {
    const red = [
      'ocp_http_requests_total',
      'ocp_http_request_duration_seconds_bucket',
      'ocp_rpc_requests_total',
      'ocp_rpc_request_duration_seconds_bucket',
      'ocp_bus_messages_handled_total',
      'ocp_bus_handle_duration_seconds_bucket',
      'ocp_bus_messages_published_total',
      'process_cpu_seconds_total',
    ];
    for (const [name, text] of texts) {
      const names = exportedNames(text);
      assert.deepEqual(
        red.filter((n) => !names.has(n)),
        [],
        `${name} lacks these`,
      );
      // Its /metrics answer itself was counted by the time of the next scrape.
      assert.ok(text.includes('ocp_http_requests_total{'), `${name} has counted no HTTP answer`);
    }
  });

  test('each service reports the lag of every durable consumer it owns', () => {
    for (const d of Object.values(durables)) {
      const text = texts.get(d.service);
      if (!text) continue;
      const labels = { stream: d.stream.name, consumer: d.durable };
      assert.notEqual(
        sample(text, 'ocp_jetstream_consumer_pending', labels),
        undefined,
        `${d.durable} pending`,
      );
      assert.notEqual(
        sample(text, 'ocp_jetstream_consumer_ack_pending', labels),
        undefined,
        `${d.durable} ack pending`,
      );
    }
  });

  test('what happened is counted: the operations by kind and outcome, methods, the refused webhook, the overdue tenant, audit lag, the outbox', () => {
    const tenantText = texts.get('tenant')!;
    assert.ok(
      (sample(tenantText, 'ocp_operations_total', { kind: 'tenant.provision', outcome: 'succeeded' }) ?? 0) >=
        1,
    );
    assert.ok(
      (sample(tenantText, 'ocp_operation_duration_seconds_count', { kind: 'tenant.provision' }) ?? 0) >= 1,
    );
    assert.ok(
      (sample(tenantText, 'ocp_rpc_requests_total', {
        method: 'tenant.create.v1',
        outcome: 'ok',
        code: 'ok',
      }) ?? 0) >= 1,
    );
    assert.equal(sample(tenantText, 'ocp_outbox_oldest_pending_age_seconds') !== undefined, true);
    const backupText = texts.get('backup')!;
    assert.equal(sample(backupText, 'ocp_operations_total', { kind: 'backup.run', outcome: 'succeeded' }), 1);
    assert.equal(overdueBefore, 1, 'the tenant was overdue before its backup');
    assert.equal(sample(backupText, 'ocp_backup_tenants_overdue'), 0, 'and is not after it');
    assert.ok((sample(backupText, 'ocp_backup_stored_bytes') ?? 0) > 0);
    assert.equal(sample(backupText, 'ocp_backup_drills', { result: 'none' }), 1);
    assert.equal(
      sample(texts.get('gateway')!, 'ocp_webhooks_total', {
        provider: 'stripe',
        outcome: 'rejected_signature',
      }),
      1,
    );
    assert.ok((sample(texts.get('audit')!, 'ocp_audit_append_lag_seconds_count') ?? 0) > 0);
  });

  test('no series carries a tenant id', () => {
    for (const [name, text] of texts)
      assert.doesNotMatch(text, /[{,](tenant|tenant_id|tenantId)="/, `${name} labels a series by tenant`);
  });

  test('every metric a dashboard query or an alert rule names is exported by a running service', async () => {
    const exported = new Set<string>(PROMETHEUS_OWN_SERIES);
    for (const text of texts.values()) for (const n of exportedNames(text)) exported.add(n);
    const queries: NamedQuery[] = [];
    for (const { file, dashboard } of await loadDashboards())
      queries.push(...dashboardQueries(file, dashboard));
    for (const { file, groups } of await loadRuleFiles())
      for (const g of groups)
        for (const r of g.rules) queries.push({ where: `${file}: ${r.alert ?? r.record}`, expr: r.expr });
    assert.ok(queries.length > 20, `only ${queries.length} queries found`);
    const unknown: string[] = [];
    for (const q of queries) {
      const names = metricNamesIn(q.expr);
      assert.ok(names.length > 0, `${q.where} names no metric: ${q.expr}`);
      for (const n of names) if (!exported.has(n)) unknown.push(`${q.where}: ${n}`);
    }
    assert.deepEqual(unknown, [], 'metrics named but exported by no service');
  });
});

describe('the dashboards of grafana/dashboards', () => {
  test('each is a Grafana dashboard: uid, panels with targets and unique ids, the datasource variable', async () => {
    const boards = await loadDashboards();
    assert.deepEqual(
      [
        'backups.json',
        'billing.json',
        'fleet-overview.json',
        'jetstream.json',
        'quotas.json',
        'services.json',
      ].filter((f) => !boards.some((b) => b.file === f)),
      [],
    );
    assert.deepEqual(
      boards.flatMap(({ file, dashboard }) => dashboardProblems(file, dashboard)),
      [],
    );
    const uids = boards.map((b) => b.dashboard.uid);
    assert.equal(new Set(uids).size, uids.length, 'dashboard uids are unique');
  });

  test('the checks find a broken dashboard', () => {
    const broken = {
      uid: 'x',
      title: 'x',
      schemaVersion: 39,
      templating: { list: [] },
      panels: [
        {
          id: 1,
          type: 'timeseries',
          title: 'a',
          gridPos: { w: 1, h: 1 },
          datasource: { uid: DATASOURCE_VAR },
        },
        {
          id: 1,
          type: 'stat',
          title: 'b',
          gridPos: { w: 1, h: 1 },
          datasource: { uid: 'prom' },
          targets: [{}],
        },
      ],
    };
    const problems = dashboardProblems('broken.json', broken).join('\n');
    for (const expected of [
      'datasource` template variable',
      'has no targets',
      'used twice',
      'target without expr',
    ])
      assert.match(problems, new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });
});
