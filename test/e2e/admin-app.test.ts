import assert from 'node:assert/strict';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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

const limit = { timeout: 300_000 };

/**
 * A TCP relay to a local port that a test can cut (every connection through it is destroyed and
 * new ones are refused) and mend: a dropped network, for a browser whose own offline switch leaves
 * an open event stream alone.
 */
async function tcpRelay(port: number) {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${own}`,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    mend() {
      down = false;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Generous: provisioning and backups run for real on this machine's PostgreSQL. */
const wait = { timeout: 60_000 };

describe('the admin web app, in headless Chromium against the running platform', limit, () => {
  let platform: Platform;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  const slug = `acme-${Date.now().toString(36)}`;
  const name = `Acme Widgets ${Date.now().toString(36)}`;
  let tenantUrl = '';

  /** The page is accessible (axe, WCAG 2.1 AA) and ran clean under the CSP; then its picture. */
  async function checkScreen(shot: string) {
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], `${shot}: ${describeViolations(violations)}`);
    assert.deepEqual(watched.problems, [], `${shot}: CSP violations or page errors`);
    await screenshot(page, shot);
  }

  const tenantState = () => page.getByTestId('tenant-state');

  // The steps build on each other (one browser session, one tenant): after a failure the rest are skipped.
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
    platform = await startPlatform({ backup: true });
    browser = await launchBrowser();
    watched = await openPage(browser);
    page = watched.page;
  });

  after(async () => {
    await browser?.close();
    await platform?.close();
  });

  step(
    'an anonymous visit goes to the login page, a wrong password is refused there, the right one opens the overview',
    async () => {
      await page.goto(`${platform.gateway.url}/admin/`);
      await page.waitForURL(/\/admin\/login/, wait);
      await page.getByRole('heading', { name: 'Odoo control plane' }).waitFor(wait);
      assert.equal(await page.title(), 'Log in · Odoo control plane');
      assert.equal(await page.getByText(/session ended/).count(), 0, 'a first visit had no session to end');
      await checkScreen('login');

      await page.getByLabel('Email').fill('owner@example.com');
      await page.getByLabel(/^Password/).fill('not-the-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /wrong email or password/i })
        .waitFor(wait);

      await page.getByLabel(/^Password/).fill(platform.ownerPassword);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Fleet overview', level: 1 }).waitFor(wait);
      await page.getByTestId('tenant-total').waitFor(wait);
      // No tenant yet, so none is overdue (GET /api/v1/backups/overdue answered).
      await page
        .getByRole('region', { name: 'Backups overdue' })
        .getByText(/All clear/)
        .waitFor(wait);
      await page.getByRole('navigation').getByRole('link', { name: 'Tenants' }).waitFor(wait);
      assert.equal(await page.title(), 'Overview · Odoo control plane');
      await checkScreen('overview');
    },
  );

  step('a tenant created through the form becomes active on its page without a reload', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor(wait);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create tenant' });
    await dialog.waitFor(wait);

    // The API's own schema refuses a bad slug before anything is sent, next to the field.
    await dialog.getByRole('textbox', { name: /^Name/ }).fill(name);
    await dialog.getByRole('textbox', { name: /^Slug/ }).fill('Not A Slug');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await dialog.getByText(/lowercase letters, digits and hyphens/).waitFor(wait);
    assert.equal(await dialog.getByRole('textbox', { name: /^Slug/ }).getAttribute('aria-invalid'), 'true');
    await checkScreen('create-tenant-form');

    await dialog.getByRole('textbox', { name: /^Slug/ }).fill(slug);
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await page.waitForURL(/\/admin\/tenants\/[0-9a-f-]{36}$/, wait);
    tenantUrl = page.url();
    await page.getByRole('heading', { name, level: 1 }).waitFor(wait);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    await tenantState().getByText('active', { exact: true }).waitFor(wait);
    await page.locator('[data-state="succeeded"]').filter({ hasText: 'Provision' }).waitFor(wait);
    assert.deepEqual(navigations, [], 'the page was not reloaded');
    await checkScreen('tenant-overview');
  });

  step("the API's refusal of a duplicate slug shows next to the slug field", async () => {
    await page.goto(`${platform.gateway.url}/admin/tenants`);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create tenant' });
    await dialog.getByRole('textbox', { name: /^Name/ }).fill(`${name} again`);
    await dialog.getByRole('textbox', { name: /^Slug/ }).fill(slug);
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    const slugInput = dialog.getByRole('textbox', { name: /^Slug/ });
    await page.waitForFunction(
      (el) => el?.getAttribute('aria-invalid') === 'true',
      await slugInput.elementHandle(),
      wait,
    );
    const describedBy = (await slugInput.getAttribute('aria-describedby')) ?? '';
    const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
    assert.ok(errorId, `the slug field names its error (aria-describedby="${describedBy}")`);
    const text = (await page.locator(`[id="${errorId}"]`).textContent()) ?? '';
    assert.match(text, /exist|taken|already/i);
    assert.equal(await dialog.getByRole('alert').count(), 0, 'no alert above the form: the field says it');
    await checkScreen('create-tenant-duplicate');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  step('suspending with a reason and resuming show on the tenant page as they happen', async () => {
    await page.goto(tenantUrl);
    await tenantState().getByText('active', { exact: true }).waitFor(wait);
    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Suspend…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend tenant' });
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await tenantState().getByText('suspended', { exact: true }).waitFor(wait);
    await page.getByTestId('suspension-reasons').filter({ hasText: 'manual' }).waitFor(wait);
    await checkScreen('tenant-suspended');

    await page.getByRole('button', { name: 'Actions' }).click();
    await page.getByRole('menuitem', { name: 'Resume…' }).click();
    await page.getByRole('dialog', { name: 'Resume tenant' }).getByRole('button', { name: 'Resume' }).click();
    await tenantState().getByText('active', { exact: true }).waitFor(wait);
    assert.equal(await page.getByTestId('suspension-reasons').count(), 0);
  });

  step(
    'a backup started on the Backups tab shows its progress bar until it reaches 100 % and succeeded',
    async () => {
      await page.getByRole('tab', { name: 'Backups' }).click();
      await page.getByRole('heading', { name: 'Backups', level: 2 }).waitFor(wait);
      await checkScreen('tenant-backups-empty');
      await page.getByRole('main').getByRole('button', { name: 'Back up now' }).click();
      const bar = page.getByRole('progressbar', { name: 'Backup progress' }).first();
      await bar.waitFor(wait);
      const card = page.locator('[data-operation]').filter({ has: bar });
      await card.and(page.locator('[data-state="succeeded"]')).waitFor(wait);
      assert.equal(await bar.getAttribute('aria-valuenow'), '100');
      await page.getByRole('table', { name: 'Backups' }).getByText('succeeded').first().waitFor(wait);
      await checkScreen('operation-progress');
    },
  );

  step(
    'a backup restored as a new tenant from the Backups tab makes a staging copy that becomes active',
    async () => {
      const copySlug = `${slug}-copy`;
      const copyName = `Staging copy ${Date.now().toString(36)}`;
      await page
        .getByRole('table', { name: 'Backups' })
        .getByRole('button', { name: /as a new tenant$/ })
        .first()
        .click();
      const dialog = page.getByRole('dialog', { name: 'Restore as a new tenant' });
      // Checked against the restore route's own schema (newTenant.slug) before anything is sent.
      await dialog.getByRole('textbox', { name: /^Slug of the new tenant/ }).fill('-no');
      await dialog.getByRole('button', { name: 'Restore as new tenant' }).click();
      await dialog.getByText(/lowercase letters, digits and hyphens/).waitFor(wait);
      await checkScreen('restore-as-new-tenant');

      await dialog.getByRole('textbox', { name: /^Slug of the new tenant/ }).fill(copySlug);
      await dialog.getByRole('textbox', { name: /^Name of the new tenant/ }).fill(copyName);
      await dialog.getByRole('button', { name: 'Restore as new tenant' }).click();
      await dialog.waitFor({ state: 'detached', ...wait });
      const bar = page.getByRole('progressbar', { name: 'Restore progress' }).first();
      await bar.waitFor(wait);
      const card = page.locator('[data-operation]').filter({ has: bar });
      await card.and(page.locator('[data-state="succeeded"]')).waitFor(wait);
      await card.getByRole('link', { name: 'Open the new tenant' }).click();
      await page.getByRole('heading', { name: copyName, level: 1 }).waitFor(wait);
      await tenantState().getByText('active', { exact: true }).waitFor(wait);
      await page.getByText(copySlug, { exact: true }).first().waitFor(wait);
      await page.goto(tenantUrl);
      await page.getByRole('heading', { name, level: 1 }).waitFor(wait);
    },
  );

  step("the audit trail tab lists the tenant's actions", async () => {
    await page.getByRole('tab', { name: 'Audit trail' }).click();
    const table = page.getByRole('table', { name: 'Audit trail' });
    await table
      .getByText(/suspend/)
      .first()
      .waitFor(wait);
    await table
      .getByText(/resume/)
      .first()
      .waitFor(wait);
    await checkScreen('tenant-audit');

    // A custom domain claimed in the Domains tab shows with the TXT record to create; a name the API
    // refuses shows its problem.
    await page.getByRole('tab', { name: 'Domains' }).click();
    const domainInput = page.getByRole('textbox', { name: 'Domain' });
    await domainInput.fill('10.0.0.1');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page
      .getByRole('alert')
      .getByText(/is an IP address; a custom domain is a host name/)
      .waitFor(wait);
    await domainInput.fill('erp.admin-app.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const domainTable = page.getByRole('table', { name: 'Custom domains' });
    await domainTable.getByText('_ocp-challenge.erp.admin-app.example').waitFor(wait);
    await domainTable.getByRole('button', { name: 'Verify erp.admin-app.example' }).waitFor(wait);
    await checkScreen('tenant-domains');

    for (const tab of ['Modules', 'Subscription', 'Usage']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tabpanel').waitFor(wait);
      await page.waitForLoadState('networkidle');
      await checkScreen(`tenant-${tab.toLowerCase()}`);
    }
    // The Usage tab (the last one visited): the tenant's plan is in no catalog, and nothing was measured.
    await page.getByRole('heading', { name: /^Usage against the plan/ }).waitFor(wait);
    await page.getByText(/^Not measured yet/).waitFor(wait);
  });

  step(
    'a change made while the browser was cut off shows once its event stream is back, without a reload',
    async () => {
      // The page goes through a TCP relay that the test can cut: the stream drops as on a real network.
      const relay = await tcpRelay(Number(new URL(platform.gateway.url).port));
      try {
        const id = new URL(tenantUrl).pathname.split('/').pop();
        await page.goto(`${relay.url}/admin/tenants/${id}`);
        await tenantState().getByText('active', { exact: true }).waitFor(wait);
        const live = page.getByRole('status').filter({ hasText: 'Live updates on' });
        await live.waitFor({ state: 'attached', ...wait });

        relay.cut();
        await live.waitFor({ state: 'detached', ...wait });
        const res = await platform.api.call('POST', `/api/v1/tenants/${id}/suspend`, { reason: 'billing' });
        assert.equal(res.status, 202, JSON.stringify(res.body));
        const operation = `/api/v1/operations/${res.body.operation.id}`;
        for (let i = 0; (await platform.api.call('GET', operation)).body.state !== 'succeeded'; i++) {
          assert.ok(i < 600, 'the suspension ends');
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.ok(
          await tenantState().getByText('active', { exact: true }).isVisible(),
          'not seen while cut off',
        );

        relay.mend();
        await tenantState().getByText('suspended', { exact: true }).waitFor(wait);
        await page.getByTestId('suspension-reasons').filter({ hasText: 'billing' }).waitFor(wait);
        await live.waitFor({ state: 'attached', ...wait });
        const back = await platform.api.call('POST', `/api/v1/tenants/${id}/resume`, { reason: 'billing' });
        assert.equal(back.status, 202, JSON.stringify(back.body));
        await tenantState().getByText('active', { exact: true }).waitFor(wait);
      } finally {
        await relay.close();
      }
      await page.goto(tenantUrl);
      await tenantState().getByText('active', { exact: true }).waitFor(wait);
    },
  );

  step('searching the tenants table by name puts the query in the URL, and a reload keeps it', async () => {
    await page.goto(`${platform.gateway.url}/admin/tenants`);
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name }).waitFor(wait);
    await page.getByRole('main').getByLabel('Search').fill(name);
    await page.waitForURL((url) => url.searchParams.get('q') === name, wait);
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name }).waitFor(wait);
    await checkScreen('tenants');

    await page.reload();
    assert.equal(await page.getByRole('main').getByLabel('Search').inputValue(), name);
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name }).waitFor(wait);

    await page.getByRole('main').getByLabel('Search').fill('no-such-tenant-anywhere');
    await page.getByText('No tenant matches these filters').waitFor(wait);
    await page.goBack();
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name }).waitFor(wait);
  });

  step('the dark theme, switched on in the header, keeps the tenants page accessible', async () => {
    await page.getByRole('button', { name: 'Use the dark theme' }).click();
    await page.locator('html[data-mantine-color-scheme="dark"]').waitFor({ state: 'attached', ...wait });
    await page.getByRole('table', { name: 'Tenants' }).getByRole('link', { name }).waitFor(wait);
    await page.mouse.move(700, 700); // the toggle's tooltip away from the picture
    await page.getByRole('tooltip').waitFor({ state: 'detached', ...wait });
    await checkScreen('tenants-dark');
    await page.getByRole('button', { name: 'Use the light theme' }).click();
    await page.locator('html[data-mantine-color-scheme="light"]').waitFor({ state: 'attached', ...wait });
  });

  step('the operations page lists what ran, each linking to its progress', async () => {
    const nameRequests: URL[] = [];
    const noteNames = (r: { url(): string }) => {
      const url = new URL(r.url());
      if (url.pathname === '/api/v1/tenants' && url.searchParams.has('id')) nameRequests.push(url);
    };
    page.on('request', noteNames);
    await page.getByRole('navigation').getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { name: 'Operations', level: 1 }).waitFor(wait);
    const table = page.getByRole('table', { name: 'Operations' });
    await table.getByRole('link', { name: 'Backup' }).first().waitFor(wait);
    // The Tenant column names each tenant by its slug (asked for by id, once for the page).
    await table.getByRole('link', { name: slug, exact: true }).first().waitFor(wait);
    page.off('request', noteNames);
    assert.equal(nameRequests.length, 1, 'the names of a page in one request');
    const ids = nameRequests[0]!.searchParams.getAll('id');
    assert.deepEqual(ids, [...new Set(ids)], 'each tenant asked for once');
    await checkScreen('operations');

    // The tenant filter searches the API as one types: part of the slug finds the tenant.
    const picker = page.getByRole('main').getByLabel('Tenant', { exact: true });
    await picker.fill(slug.slice(0, 8));
    const option = page.getByRole('option', { name: new RegExp(`^${slug} `) });
    await option.waitFor(wait);
    await checkScreen('operations-tenant-picker');
    await option.click();
    await page.waitForURL((url) => url.searchParams.get('tenantId') === tenantUrl.split('/').pop(), wait);
    // Once picked, the input shows the tenant's slug and name.
    await page.waitForFunction(
      ([el, want]) => (el as unknown as { value: string } | null)?.value === want,
      [await picker.elementHandle(), `${slug} — ${name}`] as const,
      wait,
    );
    await table.getByRole('link', { name: 'Backup' }).first().waitFor(wait);
    await table.getByRole('link', { name: 'Backup' }).first().click();
    await page.getByRole('progressbar', { name: 'Backup progress' }).waitFor(wait);
    await checkScreen('operation');
  });

  step('logging out returns to the login page and the session is gone', async () => {
    await page.getByTestId('account-menu').click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(/\/admin\/login/, wait);
    await page.goto(`${platform.gateway.url}/admin/tenants`);
    await page.waitForURL(/\/admin\/login/, wait);
  });
});
