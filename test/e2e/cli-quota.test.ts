import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ocpctl } from '../support/ocpctl.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { invite, login } from '../support/rbac.ts';

/** The end of the day `days` from now, as `tenants trial --ends <date>` makes it from a bare date. */
function dayFromNow(days: number): { date: string; endsAt: string } {
  const date = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  return { date, endsAt: new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString() };
}

describe('ocpctl plans and tenants usage/trial/measure against the running platform', {
  timeout: 300_000,
}, () => {
  let p: Platform;
  let home: string;
  let configDir: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  let tenant: any;
  const run = (args: string[], extra: { input?: string; configDir?: string } = {}) =>
    ocpctl(['--output', 'json', ...args], { configDir, ...extra });

  before(async () => {
    p = await startPlatform();
    home = await mkdtemp(join(tmpdir(), 'ocpctl-quota-test-'));
    configDir = join(home, 'config');
    const l = await run(
      ['login', '--url', p.gateway.url, '--email', 'owner@example.com', '--password-stdin'],
      {
        input: p.ownerPassword,
      },
    );
    assert.equal(l.code, 0, l.stderr);
  });

  after(async () => {
    await p?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  test('plans put from flags creates a plan, sizes with units become bytes, and plans get shows it', async () => {
    const r = await run([
      'plans',
      'put',
      'cli-two',
      '--display-name',
      'Two users',
      '--active-users',
      '2',
      '--database-size',
      '1GiB',
      '--filestore-size',
      'unlimited',
      '--backup-size',
      '500MB',
      '--backup-generations',
      '30',
      '--trial-days',
      '14',
      '--at-limit',
      'suspend',
      '--grace-seconds',
      '3600',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const { plan, created } = r.json();
    assert.equal(created, true);
    assert.deepEqual(plan.limits, {
      activeUsers: 2,
      databaseBytes: 1024 ** 3,
      filestoreBytes: null,
      backupBytes: 500 * 1024 ** 2,
      backupGenerations: 30,
    });
    assert.equal(plan.trialDays, 14);
    assert.deepEqual(plan.atLimit, { action: 'suspend', graceSeconds: 3600 });
    assert.equal(plan.allowedModules, null, 'any module unless told');

    const got = await run(['plans', 'get', 'cli-two']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.json().displayName, 'Two users');
    const listed = await run(['plans', 'list', '--all']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.lines().some((l) => l.name === 'cli-two'));
  });

  test('a flag on an existing plan changes that field alone; a file saved by get is taken back', async () => {
    const r = await run(['plans', 'put', 'cli-two', '--active-users', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().created, false);
    assert.equal(r.json().plan.limits.activeUsers, 3);
    assert.equal(r.json().plan.limits.databaseBytes, 1024 ** 3, 'the other limits are kept');
    assert.equal(r.json().plan.trialDays, 14);

    const saved = join(home, 'cli-two.json');
    const got = await run(['plans', 'get', 'cli-two']);
    const doc = got.json();
    await writeFile(saved, JSON.stringify({ ...doc, displayName: 'Two users (from a file)' }));
    const fromFile = await run(['plans', 'put', 'cli-two', '--file', saved, '--active-users', '2']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.json().plan.displayName, 'Two users (from a file)');
    assert.equal(fromFile.json().plan.limits.activeUsers, 2, 'a flag changes the file’s field');
    assert.ok(fromFile.json().plan.version > doc.version, 'each change raises the version');

    const stdin = await run(['plans', 'put', 'cli-spare', '--file', '-'], {
      input: JSON.stringify({
        name: 'cli-spare',
        displayName: 'Spare',
        limits: {
          activeUsers: null,
          databaseBytes: null,
          filestoreBytes: null,
          backupBytes: null,
          backupGenerations: null,
        },
      }),
    });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal(stdin.json().created, true);
  });

  test('bad input: a flag that is no number exits 2, a file of another plan exits 2, a negative limit is the API’s 400 (exit 6)', async () => {
    const word = await run(['plans', 'put', 'cli-two', '--active-users', 'two']);
    assert.equal(word.code, 2, word.stderr);
    const fraction = await run(['plans', 'put', 'cli-two', '--database-size', '1.5KB-ish']);
    assert.equal(fraction.code, 2, fraction.stderr);

    const other = join(home, 'other.json');
    await writeFile(other, JSON.stringify({ name: 'someone-else', displayName: 'x', limits: {} }));
    const mismatch = await run(['plans', 'put', 'cli-two', '--file', other]);
    assert.equal(mismatch.code, 2, mismatch.stderr);
    const notJson = join(home, 'not.json');
    await writeFile(notJson, 'name: yaml?');
    assert.equal((await run(['plans', 'put', 'cli-two', '--file', notJson])).code, 2);
    assert.equal((await run(['plans', 'put', 'cli-two', '--file', join(home, 'missing.json')])).code, 2);

    const negative = join(home, 'negative.json');
    const doc = (await run(['plans', 'get', 'cli-two'])).json();
    await writeFile(negative, JSON.stringify({ ...doc, limits: { ...doc.limits, activeUsers: -1 } }));
    const refused = await run(['plans', 'put', 'cli-two', '--file', negative]);
    assert.equal(refused.code, 6, refused.stderr);
    assert.equal(refused.problem().status, 400);
    assert.match(JSON.stringify(refused.problem()), /activeUsers/);
    assert.equal((await run(['plans', 'get', 'cli-two'])).json().limits.activeUsers, 2, 'nothing changed');

    assert.equal((await run(['plans', 'get', 'no-such-plan'])).code, 5);
  });

  test('tenants usage shows the limits of the tenant’s plan, as JSON or as a table', async () => {
    const created = await p.api.call('POST', '/api/v1/tenants', {
      slug: 'cli-quota',
      displayName: 'Quota by CLI',
      plan: 'cli-two',
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal((await p.api.waitOperation(created.body.operation.id)).state, 'succeeded');
    tenant = created.body.tenant;

    let usage = await run(['tenants', 'usage', 'cli-quota']);
    for (let i = 0; i < 50 && usage.code === 5; i++) {
      // The quota service learns of the tenant from its events.
      await new Promise((r) => setTimeout(r, 200));
      usage = await run(['tenants', 'usage', 'cli-quota']);
    }
    assert.equal(usage.code, 0, usage.stderr);
    const q = usage.json();
    assert.equal(q.tenantId, tenant.id);
    assert.equal(q.plan, 'cli-two');
    assert.equal(q.limits.activeUsers, 2);
    assert.equal(q.limits.databaseBytes, 1024 ** 3);

    const table = await ocpctl(['--output', 'table', 'tenants', 'usage', 'cli-quota'], { configDir });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^FIGURE\s+USED\s+LIMIT\s+PERCENT\s+LEVEL$/m);
    assert.match(table.stdout, /^activeUsers\s+.*\b2\b/m);
    assert.match(table.stdout, /^filestoreBytes\s+.*unlimited/m);
  });

  test('tenants trial --ends starts a trial through that day and moves its end, refusing an end in the past', async () => {
    const past = await run(['tenants', 'trial', 'cli-quota', '--ends', '2020-01-01']);
    assert.equal(past.code, 6, past.stderr);
    assert.equal(past.problem().code, 'TRIAL_END_IN_PAST');
    const notADate = await run(['tenants', 'trial', 'cli-quota', '--ends', 'soon']);
    assert.equal(notADate.code, 2, notADate.stderr);
    assert.equal((await run(['tenants', 'trial', 'cli-quota'])).code, 2, '--ends is required');

    const end = dayFromNow(20);
    const trial = await run(['tenants', 'trial', 'cli-quota', '--ends', end.date]);
    assert.equal(trial.code, 0, trial.stderr);
    assert.equal(trial.json().trial.state, 'running');
    assert.equal(Date.parse(trial.json().trial.endsAt), Date.parse(end.endsAt));
    const later = dayFromNow(40);
    const extended = await run(['tenants', 'trial', 'cli-quota', '--ends', later.date]);
    assert.equal(extended.code, 0, extended.stderr);
    assert.equal(Date.parse(extended.json().trial.endsAt), Date.parse(later.endsAt));
  });

  test('tenants measure measures at once, and --history lists the measurements newest first', async () => {
    const measured = await run(['tenants', 'measure', 'cli-quota']);
    assert.equal(measured.code, 0, measured.stderr);
    const sample = measured.json();
    assert.equal(sample.tenantId, tenant.id);
    assert.equal(typeof sample.measuredAt, 'string');
    const again = await run(['tenants', 'measure', 'cli-quota']);
    assert.equal(again.code, 0, again.stderr);
    const history = await run(['tenants', 'usage', 'cli-quota', '--history']);
    assert.equal(history.code, 0, history.stderr);
    const times = history.lines().map((s) => s.measuredAt);
    assert.ok(times.length >= 2, `two measurements: ${history.stdout}`);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    const since = await run([
      'tenants',
      'usage',
      'cli-quota',
      '--history',
      '--since',
      again.json().measuredAt,
    ]);
    assert.equal(since.code, 0, since.stderr);
    assert.ok(since.lines().every((s) => s.measuredAt >= again.json().measuredAt));
    assert.equal((await run(['tenants', 'usage', 'no-such-tenant'])).code, 5);
  });

  test('plans delete needs --yes off a terminal, refuses a plan tenants are on, and deletes one none is on', async () => {
    assert.equal((await run(['plans', 'delete', 'cli-spare'])).code, 2);
    const inUse = await run(['plans', 'delete', 'cli-two', '--yes']);
    assert.equal(inUse.code, 6, inUse.stderr);
    assert.equal(inUse.problem().code, 'PLAN_IN_USE');
    const gone = await run(['plans', 'delete', 'cli-spare', '--yes']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal((await run(['plans', 'get', 'cli-spare'])).code, 5);
  });

  test('a viewer reads plans and usage but is refused a change with exit 4', async () => {
    const owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    const viewer = await invite(owner, 'viewer-quota-cli@example.com', 'viewer');
    const viewerDir = join(home, 'viewer');
    const l = await run(['login', '--url', p.gateway.url, '--email', viewer.email, '--password-stdin'], {
      input: viewer.password,
      configDir: viewerDir,
    });
    assert.equal(l.code, 0, l.stderr);
    assert.equal((await run(['plans', 'get', 'cli-two'], { configDir: viewerDir })).code, 0);
    assert.equal((await run(['tenants', 'usage', 'cli-quota'], { configDir: viewerDir })).code, 0);
    const put = await run(['plans', 'put', 'cli-two', '--active-users', '9'], { configDir: viewerDir });
    assert.equal(put.code, 4, put.stderr);
    assert.equal(put.problem().code, 'FORBIDDEN');
    const trial = await run(['tenants', 'trial', 'cli-quota', '--ends', dayFromNow(60).date], {
      configDir: viewerDir,
    });
    assert.equal(trial.code, 4, trial.stderr);
  });
});
