import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { DeliverPolicy, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Bus } from '@ocp/bus';
import { type Backup, type CloudEvent, durables, makeEvent, type Operation, streams } from '@ocp/contracts';
import type { NotifierService } from '@ocp/notifier';
import { createLogger } from '@ocp/service-kit';
import { adminQuery, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { type Platform, startNotifier, startPlatform } from '../support/platform.ts';
import { type SlackReceiver, startSlackReceiver } from '../support/slack-receiver.ts';

const PUBLIC_URL = 'https://admin.example.test';
const TOKEN = 'alertmanager-token-of-this-test';

function backupOf(tenantId: string, patch: Partial<Backup> = {}): Backup {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    tenantId,
    kind: 'scheduled',
    state: 'succeeded',
    createdAt: now,
    finishedAt: now,
    storedBytes: 1024,
    database: { bytes: 2048, sha256: 'a'.repeat(64), tables: 3 },
    filestore: { bytes: 0, sha256: 'b'.repeat(64), files: 0 },
    odooVersion: '18.0',
    postgresVersion: '15.4',
    drill: { state: 'none', at: null, detail: null },
    error: null,
    operationId: randomUUID(),
    ...patch,
  };
}

function operationOf(tenantId: string, patch: Partial<Operation>): Operation {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    kind: 'backup.restore',
    tenantId,
    state: 'failed',
    progress: 100,
    error: null,
    createdAt: now,
    updatedAt: now,
    ...patch,
  };
}

/** An alert as Alertmanager sends it. */
function alert(name: string, labels: Record<string, string> = {}, status = 'firing') {
  return {
    status,
    labels: { alertname: name, severity: 'critical', ...labels },
    annotations: { summary: `${name} is happening` },
    startsAt: new Date().toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example.test/graph?g0.expr=up',
    fingerprint: randomUUID().slice(0, 16),
  };
}

function alertmanagerBody(alerts: unknown[]) {
  return {
    version: '4',
    groupKey: '{}:{alertname="x"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'slack',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.test',
    alerts,
  };
}

describe('the notifier tells Slack of failures', () => {
  let p: Platform;
  let slack: SlackReceiver;
  let admin: Bus;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  /** Every operation event in EVENTS_OPERATION, with its stream sequence, as an outside reader sees it. */
  const operationEvents: Array<{ seq: number; event: CloudEvent<'ocp.operation.updated.v1'> }> = [];
  let stopReading: () => Promise<void> = async () => {};

  before(async () => {
    p = await startPlatform({ backup: true });
    slack = await startSlackReceiver();
    admin = await p.busAs('admin');
    nc = await p.connectNats('admin');
    jsm = await jetstreamManager(nc);
    const consumer = await jetstream(nc).consumers.get(streams.operationEvents.name, {
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume();
    const loop = (async () => {
      for await (const m of messages)
        operationEvents.push({ seq: m.seq, event: m.json<CloudEvent<'ocp.operation.updated.v1'>>() });
    })();
    stopReading = async () => {
      await messages.close();
      await loop;
    };
  });
  after(async () => {
    await stopReading();
    await nc?.close();
    await slack?.close();
    await p?.close();
  });

  /** A notifier of this test, telling the stand-in for Slack, closed when the test ends. */
  async function notifier(t: test.TestContext, env: Record<string, string> = {}): Promise<NotifierService> {
    const n = await startNotifier(p, {
      NOTIFY_SLACK_WEBHOOK_URL: slack.url,
      NOTIFY_PUBLIC_URL: PUBLIC_URL,
      NOTIFY_ALERTMANAGER_TOKEN: TOKEN,
      NOTIFY_RATE_PER_MINUTE: '600',
      ...env,
    });
    t.after(() => n.close());
    return n;
  }

  /**
   * Waits until the notifier's durable on `stream` has acked everything the stream holds now: each
   * message before has been handled, told or not.
   */
  async function handledAll(stream: 'operationEvents' | 'backupEvents') {
    const durable =
      stream === 'operationEvents'
        ? durables.notifierOperationEvents.durable
        : durables.notifierBackupEvents.durable;
    const { name } = streams[stream];
    const last = (await jsm.streams.info(name)).state.last_seq;
    await waitFor(`the notifier to handle ${name} up to ${last}`, async () => {
      const info = await jsm.consumers.info(name, durable);
      return info.ack_floor.stream_seq >= last ? true : undefined;
    });
  }

  /** Waits until the operation's last event (it ended) is in EVENTS_OPERATION. */
  async function endedInStream(operationId: string) {
    await waitFor(`the end of operation ${operationId} in the stream`, async () =>
      operationEvents.some(
        (e) =>
          e.event.data.operation.id === operationId &&
          (e.event.data.operation.state === 'failed' || e.event.data.operation.state === 'succeeded'),
      )
        ? true
        : undefined,
    );
  }

  const publishBackupEvent = (type: 'ocp.backup.failed.v1' | 'ocp.backup.drilled.v1', backup: Backup) =>
    admin.publish(makeEvent(type, { backup }, { source: 'ocp/backup', subject: backup.tenantId }));
  const publishOperation = (operation: Operation) =>
    admin.publish(
      makeEvent(
        'ocp.backup.operation_updated.v1',
        { operation },
        { source: 'ocp/backup', subject: operation.tenantId },
      ),
    );

  const postAlerts =
    (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    (n: NotifierService) =>
      fetch(`${n.url}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

  test('a provisioning that fails is told in exactly one message naming the tenant with links to it and its operation; one that succeeds is told nothing', async (t) => {
    await notifier(t);
    const template = pg.escapeIdentifier(p.tenantEnv.TENANT_TEMPLATE_DB!);
    const aside = pg.escapeIdentifier(`${p.tenantEnv.TENANT_TEMPLATE_DB!}_aside`);
    await adminQuery(`ALTER DATABASE ${template} RENAME TO ${aside}`);
    let failed: { tenant: { id: string }; operation: { id: string } };
    try {
      const res = await p.api.call('POST', '/api/v1/tenants', { slug: 'doomed', displayName: 'Doomed' });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      failed = res.body;
      assert.equal((await p.api.waitOperation(failed.operation.id)).state, 'failed');
    } finally {
      await adminQuery(`ALTER DATABASE ${aside} RENAME TO ${template}`);
    }
    const ok = await p.api.call('POST', '/api/v1/tenants', { slug: 'thriving', displayName: 'Thriving' });
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    assert.equal((await p.api.waitOperation(ok.body.operation.id)).state, 'succeeded');
    await endedInStream(failed.operation.id);
    await endedInStream(ok.body.operation.id);
    await handledAll('operationEvents');

    const told = slack.takenAbout(failed.tenant.id);
    assert.equal(told.length, 1, JSON.stringify(told.map((d) => d.body.text)));
    const message = told[0]!.body;
    assert.match(message.text, /Provisioning failed/);
    assert.match(message.text, /doomed/, 'the tenant is named by its slug');
    assert.match(message.text, /does not exist/, 'the error is said');
    const blocks = JSON.stringify(message.blocks);
    assert.ok(blocks.includes(`${PUBLIC_URL}/admin/tenants/${failed.tenant.id}|doomed`), blocks);
    assert.ok(blocks.includes(`${PUBLIC_URL}/admin/operations/${failed.operation.id}`), blocks);
    assert.equal(slack.takenAbout(ok.body.tenant.id).length, 0, 'a success is not told');
    assert.equal(slack.takenAbout('thriving').length, 0);
    assert.ok(
      slack.deliveries.every((d) => d.path.startsWith('/services/T0TEST/B0TEST/')),
      'posted to the webhook URL as given',
    );
  });

  test('a restore drill that finds a backup damaged is told in one message naming the tenant, not twice', async (t) => {
    await notifier(t);
    const made = await p.api.call('POST', '/api/v1/tenants', { slug: 'drilled', displayName: 'Drilled' });
    assert.equal(made.status, 202, JSON.stringify(made.body));
    assert.equal((await p.api.waitOperation(made.body.operation.id)).state, 'succeeded');
    const tenantId: string = made.body.tenant.id;
    const taken = await p.api.call('POST', `/api/v1/tenants/${tenantId}/backups`);
    assert.equal(taken.status, 202, JSON.stringify(taken.body));
    assert.equal((await p.api.waitOperation(taken.body.operation.id, 60_000)).state, 'succeeded');
    const backupId: string = taken.body.backup.id;
    // One byte of the stored object changed: the drill's restore cannot authenticate it.
    const filesUnder = async (dir: string): Promise<string[]> => {
      const out: string[] = [];
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const f = join(dir, e.name);
        if (e.isDirectory()) out.push(...(await filesUnder(f)));
        else if (e.isFile() && f.includes(backupId)) out.push(f);
      }
      return out;
    };
    const files = await filesUnder(p.backupEnv!.BACKUP_STORE_DIR!);
    assert.ok(files.length > 0, 'the stored object of the backup');
    const sizes = await Promise.all(files.map(async (f) => ({ f, size: (await stat(f)).size })));
    const object = sizes.sort((a, b) => b.size - a.size)[0]!.f;
    const content = await readFile(object);
    const at = Math.floor(content.length / 2);
    content[at] = content[at]! ^ 0x01;
    await writeFile(object, content);

    const drill = await p.api.call('POST', `/api/v1/backups/${backupId}/drill`);
    assert.equal(drill.status, 202, JSON.stringify(drill.body));
    const op = await p.api.waitOperation(drill.body.operation.id, 60_000);
    assert.equal(op.state, 'failed', JSON.stringify(op));
    // The drilled event is written before the operation's end in one transaction, and the outbox
    // publishes in order: once the end is in its stream, the drill's result is in its own.
    await endedInStream(op.id);
    await handledAll('operationEvents');
    await handledAll('backupEvents');

    const told = slack.takenAbout(tenantId);
    assert.equal(told.length, 1, JSON.stringify(told.map((d) => d.body.text)));
    assert.match(told[0]!.body.text, /^Restore drill failed \(tenant drilled\)/);
    assert.match(told[0]!.raw, /damaged|decrypt|authenticat|integrity/i);
    assert.ok(told[0]!.raw.includes(`${PUBLIC_URL}/admin/tenants/${tenantId}|drilled`));
    assert.ok(told[0]!.raw.includes(backupId), 'the backup is named');
  });

  test('a failed backup, a failed drill and a failed restore are each told once; a passed drill, a pre-restore backup and a drill operation the drill event tells are not told again', async (t) => {
    await notifier(t);
    const tenant = randomUUID();
    const backupFailed = backupOf(tenant, { state: 'failed', error: 'pg_dump: connection refused' });
    const drillFailed = backupOf(tenant, {
      drill: {
        state: 'failed',
        at: new Date().toISOString(),
        detail: 'table res_partner has 3 rows, the manifest 4',
      },
    });
    const drillPassed = backupOf(tenant, {
      drill: { state: 'passed', at: new Date().toISOString(), detail: 'all as in the manifest' },
    });
    const preRestore = backupOf(tenant, {
      kind: 'pre-restore',
      state: 'failed',
      error: 'the restore failed',
    });
    const restoreFailed = operationOf(tenant, {
      kind: 'backup.restore',
      error: 'the backup is damaged: bad tag',
    });
    const drillOp = operationOf(tenant, {
      kind: 'backup.drill',
      error: 'table res_partner has 3 rows, the manifest 4',
      result: { drill: 'failed' },
    });
    await publishBackupEvent('ocp.backup.failed.v1', backupFailed);
    await publishBackupEvent('ocp.backup.drilled.v1', drillFailed);
    await publishBackupEvent('ocp.backup.drilled.v1', drillPassed);
    await publishBackupEvent('ocp.backup.failed.v1', preRestore);
    await publishOperation(restoreFailed);
    await publishOperation(drillOp);
    await handledAll('backupEvents');
    await handledAll('operationEvents');

    const told = slack.takenAbout(tenant);
    assert.equal(told.length, 3, JSON.stringify(told.map((d) => d.body.text)));
    const about = (needle: string) => told.filter((d) => d.raw.includes(needle));
    assert.equal(about('Scheduled backup failed').length, 1);
    assert.equal(about(backupFailed.operationId!).length, 1, 'linked to the backup operation');
    assert.equal(about('Restore drill failed').length, 1);
    assert.match(about('Restore drill failed')[0]!.raw, /res_partner has 3 rows/);
    assert.equal(about('Restore failed').length, 1);
    assert.ok(about('Restore failed')[0]!.raw.includes(`${PUBLIC_URL}/admin/operations/${restoreFailed.id}`));
    assert.equal(about(drillPassed.id).length, 0);
    assert.equal(about(preRestore.id).length, 0);
    assert.equal(about(drillOp.id).length, 0);
    for (const d of told)
      assert.ok(d.raw.includes(`${PUBLIC_URL}/admin/tenants/${tenant}`), 'a link to the tenant');
  });

  test('Alertmanager: a firing alert with the right token is told with its tenant; a wrong or missing token is 401, a malformed body 400, and a resolved alert is not told', async (t) => {
    const n = await notifier(t);
    const tenant = randomUUID();
    const good = await postAlerts(
      alertmanagerBody([
        alert('TenantDatabaseDown', { tenant_id: tenant }),
        alert('TenantDatabaseDown', { tenant_id: tenant }, 'resolved'),
      ]),
    )(n);
    assert.equal(good.status, 200, await good.clone().text());
    assert.deepEqual(await good.json(), { sent: 1, suppressed: 0, failed: 0, off: 0, resolved: 1 });
    const told = slack.takenAbout(tenant);
    assert.equal(told.length, 1);
    assert.match(told[0]!.body.text, /Alert firing: TenantDatabaseDown/);
    assert.match(told[0]!.raw, /TenantDatabaseDown is happening/);
    assert.ok(told[0]!.raw.includes(`${PUBLIC_URL}/admin/tenants/${tenant}`));
    assert.ok(told[0]!.raw.includes('http://prometheus.example.test/graph'));

    const before = slack.deliveries.length;
    for (const headers of [
      { authorization: 'Bearer not-the-token-at-all' },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      {} as Record<string, string>,
    ]) {
      const res = await postAlerts(alertmanagerBody([alert('Sneaky')]), headers)(n);
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await res.json()) as { status: number; detail: string };
      assert.equal(problem.status, 401);
      assert.match(problem.detail, /Bearer/);
    }
    for (const body of [
      { ...alertmanagerBody([alert('X')]), status: 'burning' },
      { version: '4', status: 'firing' },
      alertmanagerBody([{ status: 'firing', labels: { alertname: 'NoStart' }, annotations: {} }]),
      alertmanagerBody([{ ...alert('BadLabel'), labels: { alertname: ['not', 'a', 'string'] } }]),
      '{"version": "4", "status": ',
    ]) {
      const res = await postAlerts(body)(n);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(((await res.json()) as { status: number }).status, 400);
    }
    assert.equal(slack.deliveries.length, before, 'nothing refused reached Slack');
  });

  test('past the rate, failures are held back and told in one summary that counts them', async (t) => {
    const n = await notifier(t, { NOTIFY_RATE_PER_MINUTE: '2', NOTIFY_SUMMARY_INTERVAL_MS: '1000' });
    const tenant = randomUUID();
    const res = await postAlerts(
      alertmanagerBody(Array.from({ length: 6 }, (_, i) => alert(`Flood${i}`, { tenant_id: tenant }))),
    )(n);
    assert.equal(res.status, 200);
    const counts = (await res.json()) as Record<'sent' | 'suppressed', number>;
    assert.equal(counts.sent + counts.suppressed, 6);
    assert.ok(counts.sent >= 2 && counts.suppressed >= 1, JSON.stringify(counts));
    const summary = await waitFor('the summary', async () => {
      const s = slack.takenAbout('suppressed');
      return s.length > 0 ? s : undefined;
    });
    assert.equal(summary.length, 1);
    assert.match(
      summary[0]!.body.text,
      new RegExp(`^${counts.suppressed} more failures suppressed in the last 1 second`),
    );
    assert.match(summary[0]!.raw, new RegExp(`${counts.suppressed} alert`));
    assert.equal(
      slack.takenAbout(tenant).length,
      counts.sent,
      'only those within the rate were told one by one',
    );
    const metrics = await (await fetch(`${n.url}/metrics`)).text();
    assert.match(
      metrics,
      new RegExp(
        `ocp_notifier_notifications_total\\{[^}]*source="alert",outcome="suppressed"[^}]*\\} ${counts.suppressed}`,
      ),
    );
    assert.match(metrics, /ocp_notifier_notifications_total\{[^}]*source="summary",outcome="sent"[^}]*\} 1/);
  });

  test("Slack's 429 is waited out for as long as its Retry-After says, and a 500 retried: the message still arrives", async (t) => {
    const n = await notifier(t);
    const throttled = randomUUID();
    slack.answerNext({ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    const res = await postAlerts(alertmanagerBody([alert('Throttled', { tenant_id: throttled })]))(n);
    assert.deepEqual(await res.json(), { sent: 1, suppressed: 0, failed: 0, off: 0, resolved: 0 });
    const tries = slack.deliveries.filter((d) => d.raw.includes(throttled));
    assert.deepEqual(
      tries.map((d) => d.status),
      [429, 200],
    );
    assert.equal(tries[1]!.raw, tries[0]!.raw, 'the same message again');
    assert.ok(tries[1]!.at - tries[0]!.at >= 1000, 'not before the Retry-After');

    const failing = randomUUID();
    slack.answerNext({ status: 500, body: 'internal_error' });
    await publishBackupEvent(
      'ocp.backup.failed.v1',
      backupOf(failing, { state: 'failed', error: 'disk full' }),
    );
    await handledAll('backupEvents');
    assert.deepEqual(
      slack.deliveries.filter((d) => d.raw.includes(failing)).map((d) => d.status),
      [500, 200],
    );
  });

  test('a notifier stopped while Slack is down, and failures that come while none runs, are told after the restart: nothing is lost', async (t) => {
    const first = await startNotifier(p, {
      NOTIFY_SLACK_WEBHOOK_URL: slack.url,
      NOTIFY_PUBLIC_URL: PUBLIC_URL,
      NOTIFY_SLACK_ATTEMPTS: '20',
    });
    t.after(() => first.close());
    slack.setDown(true);
    t.after(() => slack.setDown(false));
    const during = randomUUID();
    await publishBackupEvent(
      'ocp.backup.failed.v1',
      backupOf(during, { state: 'failed', error: 'bucket gone' }),
    );
    await waitFor('a post Slack did not take', async () =>
      slack.deliveries.some((d) => d.raw.includes(during)) ? true : undefined,
    );
    await first.close();
    const meanwhile = randomUUID();
    await publishBackupEvent(
      'ocp.backup.failed.v1',
      backupOf(meanwhile, { state: 'failed', error: 'key missing' }),
    );
    slack.setDown(false);
    assert.equal(slack.takenAbout(during).length, 0);

    await notifier(t);
    await handledAll('backupEvents');
    assert.equal(slack.takenAbout(during).length, 1, 'the message in hand at the stop');
    assert.equal(slack.takenAbout(meanwhile).length, 1, 'the message that came while none ran');
  });

  test('a message Slack keeps failing is given up, logged and counted, and the consumer goes on; the webhook URL is never logged', async (t) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const n = await startNotifier(
      p,
      { NOTIFY_SLACK_WEBHOOK_URL: slack.url, NOTIFY_PUBLIC_URL: PUBLIC_URL, NOTIFY_SLACK_ATTEMPTS: '2' },
      createLogger('notifier', 'debug', sink),
    );
    t.after(() => n.close());
    const lost = randomUUID();
    const after = randomUUID();
    slack.setDown(true);
    try {
      await publishBackupEvent(
        'ocp.backup.failed.v1',
        backupOf(lost, { state: 'failed', error: 'pg_dump failed' }),
      );
      await handledAll('backupEvents');
    } finally {
      slack.setDown(false);
    }
    await publishBackupEvent('ocp.backup.failed.v1', backupOf(after, { state: 'failed', error: 'told' }));
    await handledAll('backupEvents');
    assert.deepEqual(
      slack.deliveries.filter((d) => d.raw.includes(lost)).map((d) => d.status),
      [503, 503],
      'two posts, then given up',
    );
    assert.equal(slack.takenAbout(after).length, 1, 'the next failure is told');
    const givenUp = lines.filter((l) => l.includes('given up'));
    assert.equal(givenUp.length, 1);
    assert.match(givenUp[0]!, /Slack answered 503 to 2 posts/);
    assert.match(givenUp[0]!, new RegExp(lost));
    const secret = new URL(slack.url).pathname.split('/').at(-1)!;
    assert.ok(lines.length > 0);
    assert.ok(!lines.some((l) => l.includes(secret)), 'the webhook URL is in no log line');
    const metrics = await (await fetch(`${n.url}/metrics`)).text();
    assert.match(metrics, /ocp_notifier_notifications_total\{[^}]*source="backup",outcome="failed"[^}]*\} 1/);
  });

  test('without a webhook URL the notifier runs, reads and acks, and posts nothing', async (t) => {
    const n = await startNotifier(p, { NOTIFY_ALERTMANAGER_TOKEN: TOKEN });
    t.after(() => n.close());
    const tenant = randomUUID();
    await publishBackupEvent(
      'ocp.backup.failed.v1',
      backupOf(tenant, { state: 'failed', error: 'nobody hears' }),
    );
    await handledAll('backupEvents');
    const res = await postAlerts(alertmanagerBody([alert('Unheard', { tenant_id: tenant })]))(n);
    assert.deepEqual(await res.json(), { sent: 0, suppressed: 0, failed: 0, off: 1, resolved: 0 });
    assert.equal(slack.deliveries.filter((d) => d.raw.includes(tenant)).length, 0);
    assert.equal((await fetch(`${n.url}/readyz`)).status, 200);
  });

  test('the notifier did all of it with its own NATS credentials: the server refused nothing', async () => {
    assert.ok(p.natsSeeds.notifier, 'the notifier signs in as itself');
    const log = await p.nats.log();
    assert.match(log, /Server is ready/);
    assert.doesNotMatch(log, /Violation/i);
  });
});
