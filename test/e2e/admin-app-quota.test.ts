import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminQuery } from '@ocp/testkit';
import type { Browser, Locator, Page } from 'playwright-core';
import { ensureAdminAppBuilt } from '../support/admin-app.ts';
import {
  axeViolations,
  describeViolations,
  launchBrowser,
  openPage,
  screenshot,
  type WatchedPage,
} from '../support/browser.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { invite, login } from '../support/rbac.ts';

/** Logs in through the app's own login page; `next` is a path of the app. */
async function logIn(w: WatchedPage, base: string, email: string, password: string, next = '/') {
  await w.page.goto(`${base}/admin/login?next=${encodeURIComponent(next)}`);
  await w.page.getByLabel('Email').fill(email);
  await w.page
    .getByLabel(/^Password/)
    .first()
    .fill(password);
  await w.page.getByRole('button', { name: 'Log in' }).click();
  await w.page.waitForURL((u) => !u.pathname.endsWith('/login'));
}

/** The screen as it stands has no axe violation and the page ran clean under the CSP; then its picture. */
async function checkScreen(w: WatchedPage, name: string): Promise<void> {
  // Mantine's transitions (modals, menus) settle before axe reads colours.
  await w.page.waitForTimeout(300);
  const found = await axeViolations(w.page);
  assert.deepEqual(found, [], `${name}: ${describeViolations(found)}`);
  assert.deepEqual(w.problems, [], `${name}: CSP violations or page errors`);
  await screenshot(w.page, `quota-${name}`);
}

/** The quota service learns of a tenant from its events: reloads until `locator` is there. */
async function untilShown(page: Page, locator: Locator, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: 1000 });
      return;
    } catch (e) {
      if (Date.now() > until) throw e;
      await page.reload();
    }
  }
}

describe('the quota screens of the web app (plans, a tenant’s usage), in headless Chromium against the platform', {
  timeout: 300_000,
}, () => {
  let p: Platform;
  let browser: Browser;
  let owner: WatchedPage;
  let base: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  let tenant: any;

  // The steps build on each other (one session, one plan, one tenant): after a failure the rest are skipped.
  let broken = false;
  const step = (title: string, fn: () => Promise<void>) =>
    test(title, async (t) => {
      if (broken) return t.skip('an earlier step failed');
      try {
        await fn();
      } catch (err) {
        broken = true;
        throw err;
      }
    });

  before(async () => {
    ensureAdminAppBuilt();
    p = await startPlatform();
    base = p.gateway.url;
    browser = await launchBrowser();
    owner = await openPage(browser);
    owner.page.setDefaultTimeout(15_000);
    await logIn(owner, base, 'owner@example.com', p.ownerPassword, '/');
  });
  after(async () => {
    await browser?.close();
    await p?.close();
  });

  step(
    'an owner makes a plan on the Plans screen; the form refuses what the API would, next to the field',
    async () => {
      const { page } = owner;
      await page
        .getByRole('navigation', { name: 'Main navigation' })
        .getByRole('link', { name: 'Plans' })
        .click();
      await page.getByRole('heading', { name: 'Plans', level: 1 }).waitFor();
      await page.getByText(/No plan yet/).waitFor();
      await checkScreen(owner, 'plans-empty');

      await page.getByRole('button', { name: 'New plan' }).click();
      const dialog = page.getByRole('dialog', { name: 'New plan' });
      await dialog.getByRole('button', { name: 'Create plan' }).click();
      // Nothing typed: the route's schema wants a name and a display name.
      await dialog
        .getByRole('textbox', { name: /^Name/ })
        .and(page.locator('[aria-invalid="true"]'))
        .waitFor();
      await dialog.getByRole('textbox', { name: /^Name/ }).fill('ui-two');
      await dialog.getByRole('textbox', { name: /^Display name/ }).fill('Two users');
      await dialog.getByRole('textbox', { name: /^Active users/ }).fill('two');
      await dialog.getByRole('button', { name: 'Create plan' }).click();
      await dialog
        .getByRole('textbox', { name: /^Active users/ })
        .and(page.locator('[aria-invalid="true"]'))
        .waitFor();
      assert.equal(
        (await p.api.call('GET', '/api/v1/plans/ui-two')).status,
        404,
        'nothing was sent while the form was refused',
      );
      await checkScreen(owner, 'plan-form-refused');

      await dialog.getByRole('textbox', { name: /^Active users/ }).fill('2');
      await dialog.getByRole('textbox', { name: /^Database size/ }).fill('1024');
      await dialog.getByRole('textbox', { name: /^Trial/ }).fill('14');
      await dialog.getByRole('button', { name: 'Create plan' }).click();
      await dialog.waitFor({ state: 'detached' });
      const row = page.getByRole('row', { name: /Two users/ });
      await row.waitFor();
      await row.getByText('1.0 GB').waitFor();
      await row.getByText('14 days').waitFor();
      const saved = await p.api.call('GET', '/api/v1/plans/ui-two');
      assert.equal(saved.status, 200);
      assert.equal(saved.body.limits.activeUsers, 2);
      assert.equal(saved.body.limits.databaseBytes, 1024 ** 3);
      assert.equal(saved.body.limits.filestoreBytes, null, 'an empty limit is unlimited');
      await checkScreen(owner, 'plans');
    },
  );

  step('the plan is changed through its Edit action: its name stays, the version goes up', async () => {
    const { page } = owner;
    await page.getByRole('button', { name: 'Actions for Two users' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change plan Two users' });
    assert.equal(await dialog.getByRole('textbox', { name: /^Name/ }).isDisabled(), true);
    assert.equal(await dialog.getByRole('textbox', { name: /^Database size/ }).inputValue(), '1024');
    assert.equal(await dialog.getByRole('textbox', { name: /^Trial/ }).inputValue(), '14');
    // No trial on the plan from now on: the tenant made on it below starts without one.
    await dialog.getByRole('textbox', { name: /^Trial/ }).fill('');
    await dialog.getByRole('textbox', { name: /^Active users/ }).fill('2');
    await checkScreen(owner, 'plan-edit');
    await dialog.getByRole('button', { name: 'Save plan' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('row', { name: /Two users/ })
      .getByText('14 days')
      .waitFor({ state: 'detached' });
    const saved = await p.api.call('GET', '/api/v1/plans/ui-two');
    assert.equal(saved.body.trialDays, null, 'an empty trial length is no trial');
    assert.equal(saved.body.limits.databaseBytes, 1024 ** 3, 'what was not changed is kept');
    assert.equal(saved.body.version, 2);
  });

  step('the tenant’s Usage tab shows each figure against its limit, with the history as charts', async () => {
    const { page } = owner;
    const created = await p.api.call('POST', '/api/v1/tenants', {
      slug: 'ui-quota',
      displayName: 'Quota screens',
      plan: 'ui-two',
    });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal((await p.api.waitOperation(created.body.operation.id)).state, 'succeeded');
    tenant = created.body.tenant;
    // Three measurements over three days, as the scan writes them: the chart needs two at least.
    const quotaDb = p.databases.quota;
    assert.ok(quotaDb, 'the platform runs the quota service with its database');
    for (const [daysAgo, users, mb] of [
      [3, 1, 40],
      [2, 2, 60],
      [1, 3, 90],
    ] as const)
      await adminQuery(
        `INSERT INTO usage_samples (tenant_id, measured_at, active_users, database_bytes, filestore_bytes,
                                    backup_bytes, backup_generations)
         VALUES ($1, now() - make_interval(days => $2), $3, $4, $5, 0, 0)`,
        [tenant.id, daysAgo, users, mb * 1048576, mb * 524288],
        quotaDb,
      );

    await page.goto(`${base}/admin/tenants/${tenant.id}?tab=usage`);
    await untilShown(page, page.getByRole('heading', { name: 'Usage against the plan ui-two' }));
    const users = page.getByRole('progressbar', { name: /^Active users: 3 of 2/ });
    await users.waitFor();
    assert.equal(await users.getAttribute('aria-valuenow'), '100', 'over the limit fills the bar');
    await page.getByRole('progressbar', { name: /^Database size: 90 MB of 1\.0 GB/ }).waitFor();
    const filestore = page.locator('[data-metric="filestoreBytes"]');
    await filestore.getByText('45 MB').waitFor();
    await filestore.getByText('No limit on this plan').waitFor();
    assert.equal(await filestore.getByRole('progressbar').count(), 0, 'no bar without a limit');
    await page.getByRole('img', { name: 'Active users' }).locator('svg').first().waitFor();
    await page.getByRole('img', { name: 'Sizes (MB)' }).locator('svg').first().waitFor();
    await checkScreen(owner, 'usage');
  });

  step(
    'an override gives the tenant a limit of its own, shown on the tab and used as its limit',
    async () => {
      const { page } = owner;
      await page.getByRole('button', { name: 'Override limits' }).click();
      const dialog = page.getByRole('dialog', { name: 'Override the limits of ui-quota' });
      await dialog.getByLabel('Active users', { exact: true }).first().click();
      await page.getByRole('option', { name: 'A limit of its own' }).click();
      await dialog.getByRole('textbox', { name: /^Active users limit/ }).fill('5');
      await checkScreen(owner, 'override');
      await dialog.getByRole('button', { name: 'Save override' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('table', { name: 'Overridden limits' }).getByText('5', { exact: true }).waitFor();
      await page.getByRole('progressbar', { name: /^Active users: 3 of 5/ }).waitFor();
      await checkScreen(owner, 'usage-overridden');
    },
  );

  step('a plan tenants are on is not deleted (the dialog says why); one no tenant is on is', async () => {
    const { page } = owner;
    const spare = await p.api.call('PUT', '/api/v1/plans/ui-spare', {
      displayName: 'Spare plan',
      limits: {
        activeUsers: null,
        databaseBytes: null,
        filestoreBytes: null,
        backupBytes: null,
        backupGenerations: null,
      },
    });
    assert.ok([200, 201].includes(spare.status), JSON.stringify(spare.body));
    await page.goto(`${base}/admin/plans`);
    await page.getByRole('button', { name: 'Actions for Two users' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const refuse = page.getByRole('dialog', { name: 'Delete plan Two users?' });
    await refuse.getByRole('button', { name: 'Delete plan' }).click();
    await refuse.getByRole('alert').waitFor();
    await checkScreen(owner, 'plan-delete-refused');
    await refuse.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Actions for Spare plan' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete plan Spare plan?' })
      .getByRole('button', { name: 'Delete plan' })
      .click();
    await page.getByRole('row', { name: /Spare plan/ }).waitFor({ state: 'detached' });
    assert.equal((await p.api.call('GET', '/api/v1/plans/ui-spare')).status, 404);
  });

  step('a viewer reads plans and usage and is offered no change', async () => {
    const ownerSession = await login(base, 'owner@example.com', p.ownerPassword);
    const viewer = await invite(ownerSession, 'ui-quota-viewer@example.com', 'viewer');
    const w = await openPage(browser);
    w.page.setDefaultTimeout(15_000);
    try {
      const { page } = w;
      await logIn(w, base, viewer.email, viewer.password, '/plans');
      await page.getByRole('heading', { name: 'Plans', level: 1 }).waitFor();
      await page.getByRole('row', { name: /Two users/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'New plan' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Actions for/ }).count(), 0);
      await checkScreen(w, 'viewer-plans');
      await page.goto(`${base}/admin/tenants/${tenant.id}?tab=usage`);
      await page.getByRole('heading', { name: 'Usage against the plan ui-two' }).waitFor();
      for (const name of ['Measure now', 'Change override', 'Override limits', 'Extend trial', 'Start trial'])
        assert.equal(await page.getByRole('button', { name }).count(), 0, `${name} is not offered`);
      await checkScreen(w, 'viewer-usage');
    } finally {
      await w.context.close();
    }
  });

  step(
    'a trial is started from the tab: an end in the past is refused next to the date, a later one is kept',
    async () => {
      const { page } = owner;
      await page.goto(`${base}/admin/tenants/${tenant.id}?tab=usage`);
      await page.getByRole('button', { name: 'Start trial' }).click();
      const dialog = page.getByRole('dialog', { name: 'Start a trial for ui-quota' });
      const date = dialog.getByLabel(/^Last day of the trial/);
      await date.fill('2020-01-01');
      await dialog.getByRole('button', { name: 'Start trial' }).click();
      await dialog.getByText(/is not in the future/).waitFor();
      await checkScreen(owner, 'trial-refused');
      const last = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
      await date.fill(last);
      await dialog.getByRole('button', { name: 'Start trial' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Extend trial' }).waitFor();
      const q = await p.api.call('GET', `/api/v1/tenants/${tenant.id}/quota`);
      assert.equal(q.body.trial.state, 'running');
      assert.equal(
        q.body.trial.endsAt.slice(0, 10),
        new Date(Date.parse(last) + 86_400_000).toISOString().slice(0, 10),
      );
    },
  );
});
