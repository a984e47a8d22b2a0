import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Backup, Operation } from '@ocp/contracts';
import { alertFailure } from '../src/domain/alerts.ts';
import { backupFailure, drillFailure, operationFailure } from '../src/domain/failures.ts';
import { adminLinks, escapeMrkdwn, slackMessage, summaryMessage } from '../src/domain/slack-message.ts';
import { tokenBucket } from '../src/domain/token-bucket.ts';
import { bearerMatches } from '../src/http/alertmanager.ts';
import { retryAfterMs } from '../src/slack/webhook-client.ts';

const links = adminLinks('https://ops.example.test/');

function op(patch: Partial<Operation>): Operation {
  return {
    id: randomUUID(),
    kind: 'tenant.provision',
    tenantId: randomUUID(),
    state: 'failed',
    progress: 10,
    error: 'template database does not exist',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...patch,
  };
}

function backup(patch: Partial<Backup>): Backup {
  return {
    id: randomUUID(),
    tenantId: randomUUID(),
    kind: 'manual',
    state: 'succeeded',
    createdAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    storedBytes: null,
    database: { bytes: null, sha256: null, tables: null },
    filestore: { bytes: null, sha256: null, files: null },
    odooVersion: null,
    postgresVersion: null,
    drill: { state: 'none', at: null, detail: null },
    error: null,
    operationId: null,
    ...patch,
  };
}

test('the token bucket lets a burst of its capacity through, then one more per share of the period', () => {
  let now = 0;
  const bucket = tokenBucket({ capacity: 3, periodMs: 60_000, now: () => now });
  assert.deepEqual(
    [1, 2, 3, 4].map(() => bucket.take()),
    [true, true, true, false],
  );
  now += 19_999;
  assert.equal(bucket.take(), false, 'not a whole token yet');
  now += 1;
  assert.equal(bucket.take(), true);
  now += 10 * 60_000;
  assert.deepEqual(
    [1, 2, 3, 4].map(() => bucket.take()),
    [true, true, true, false],
    'never more than its capacity',
  );
});

test('only failures are told, each once: a backup run and a drill that found the backup wanting are told by their backup events', () => {
  for (const state of ['queued', 'running', 'succeeded'] as const)
    assert.equal(operationFailure(op({ state })), undefined, state);
  const failed = op({});
  const notice = operationFailure(failed);
  assert.equal(notice?.headline, 'Provisioning failed');
  assert.equal(notice?.operationId, failed.id);
  assert.equal(notice?.tenantId, failed.tenantId);
  assert.equal(operationFailure(op({ kind: 'backup.run' })), undefined);
  assert.equal(operationFailure(op({ kind: 'backup.drill', result: { drill: 'failed' } })), undefined);
  // A drill that could not run at all has no drill event: its operation tells it.
  assert.equal(
    operationFailure(op({ kind: 'backup.drill', result: null }))?.headline,
    'Restore drill failed',
  );
  assert.equal(operationFailure(op({ kind: 'backup.restore' }))?.headline, 'Restore failed');

  assert.equal(backupFailure(backup({ state: 'succeeded' })), undefined);
  assert.equal(backupFailure(backup({ state: 'failed', kind: 'pre-restore' })), undefined);
  assert.equal(backupFailure(backup({ state: 'failed', kind: 'move' })), undefined);
  const opId = randomUUID();
  const b = backupFailure(backup({ state: 'failed', kind: 'scheduled', error: 'boom', operationId: opId }));
  assert.equal(b?.headline, 'Scheduled backup failed');
  assert.equal(b?.operationId, opId);
  assert.equal(drillFailure(backup({ drill: { state: 'passed', at: null, detail: 'fine' } })), undefined);
  assert.equal(
    drillFailure(backup({ drill: { state: 'failed', at: null, detail: 'rows differ' } }))?.detail,
    'rows differ',
  );
});

test('a Slack message names the tenant by slug with a link, links the operation, escapes markup and trims the error', () => {
  const failed = op({ error: `<script> & ${'x'.repeat(5000)}` });
  const message = slackMessage(operationFailure(failed)!, links, 'acme');
  const raw = JSON.stringify(message);
  assert.ok(raw.includes(`<https://ops.example.test/admin/tenants/${failed.tenantId}|acme>`));
  assert.ok(raw.includes(`<https://ops.example.test/admin/operations/${failed.id}|${failed.id}>`));
  assert.ok(!raw.includes('<script>'), 'no markup of the error reaches Slack');
  assert.ok(raw.includes('&lt;script&gt; &amp;'));
  assert.match(message.text, /^Provisioning failed \(tenant acme\): /);
  assert.ok(message.text.length < 400);
  for (const block of message.blocks)
    if (block.type === 'section') assert.ok(block.text.text.length <= 3000, "within Slack's limit");
  // Without a slug, the id names the tenant.
  assert.ok(JSON.stringify(slackMessage(operationFailure(failed)!, links)).includes(`|${failed.tenantId}>`));
  assert.equal(escapeMrkdwn('a<b>&c'), 'a&lt;b&gt;&amp;c');
});

test('the summary counts what was held back, by source', () => {
  const m = summaryMessage(
    new Map([
      ['operation', 3],
      ['alert', 1],
    ]),
    60_000,
    20,
  );
  assert.equal(m.text, '4 more failures suppressed in the last minute');
  assert.match(JSON.stringify(m.blocks), /3 operation, 1 alert/);
  assert.equal(
    summaryMessage(new Map([['drill', 1]]), 1000, 2).text,
    '1 more failure suppressed in the last 1 second',
  );
});

test('an alert is told with its name, severity, tenant and links; a link that is not http(s) is left out', () => {
  const tenant = randomUUID();
  const n = alertFailure({
    status: 'firing',
    labels: { alertname: 'BackupsOverdue', severity: 'warning', tenant_id: tenant, instance: 'backup-0' },
    annotations: { summary: 'no backup for 30 hours', runbook_url: 'javascript:alert(1)' },
    startsAt: '2026-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
  });
  assert.equal(n.headline, 'Alert firing: BackupsOverdue');
  assert.equal(n.tenantId, tenant);
  assert.equal(n.detail, 'no backup for 30 hours');
  assert.deepEqual(n.extraLinks, [{ label: 'Prometheus', url: 'http://prometheus:9090/graph?g0.expr=x' }]);
  assert.ok(n.facts?.some((f) => f.label === 'Severity' && f.value === 'warning'));
  assert.ok(n.facts?.some((f) => f.label === 'instance'));
  const platform = alertFailure({
    status: 'firing',
    labels: { tenant: '../../x' },
    annotations: {},
    startsAt: 'now',
  });
  assert.equal(platform.tenantId, undefined, 'a label that is no tenant id or slug names no tenant');
});

test('Retry-After is read in seconds or as a date; the bearer token is compared whole', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs('0.5'), 500);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(bearerMatches('Bearer secret-token', 'secret-token'), true);
  assert.equal(bearerMatches('bearer secret-token', 'secret-token'), true);
  assert.equal(bearerMatches('Bearer secret-toke', 'secret-token'), false);
  assert.equal(bearerMatches('Bearer secret-token-and-more', 'secret-token'), false);
  assert.equal(bearerMatches('secret-token', 'secret-token'), false);
  assert.equal(bearerMatches(undefined, 'secret-token'), false);
});
