import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
import { createTenant } from '../support/tenants.ts';

/** Logs in through the app's own login page, as a person would; `next` is a path of the app (`/tenants`). */
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

type Doc = { querySelector(s: string): { outerHTML: string } | null };

/** The screen as it stands has no axe violation and the page ran clean; its screenshot is kept. */
async function checkScreen(w: WatchedPage, name: string): Promise<void> {
  // Mantine's transitions (modals, drawers) settle before axe reads colours.
  await w.page.waitForTimeout(300);
  const found = await axeViolations(w.page);
  if (found.length > 0) {
    // The elements themselves, so that a failure says which control is at fault.
    const html = await w.page.evaluate(
      (sels) =>
        sels.map(
          (sel) =>
            (globalThis as unknown as { document: Doc }).document
              .querySelector(sel)
              ?.outerHTML.slice(0, 300) ?? sel,
        ),
      found.flatMap((v) => v.nodes.map((n) => n.target.join(' '))),
    );
    assert.fail(`${name}: ${describeViolations(found)}\n${html.join('\n')}`);
  }
  assert.deepEqual(w.problems, [], name);
  await screenshot(w.page, `admin-${name}`);
}

/**
 * The audit log is written through the outbox and the audit service: an entry shows up shortly
 * after its request. Reloads the screen until `locator` is there.
 */
async function untilShown(page: Page, locator: Locator, timeoutMs = 15_000): Promise<void> {
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

describe('the administration screens of the web app, in headless Chromium against the platform', () => {
  let p: Platform;
  let browser: Browser;
  let owner: WatchedPage;
  let base: string;
  let tenant: { id: string; slug: string };
  let viewerPassword = '';
  let secret = '';

  before(async () => {
    ensureAdminAppBuilt();
    p = await startPlatform();
    base = p.gateway.url;
    tenant = await createTenant(p, 'ui-access');
    browser = await launchBrowser();
    owner = await openPage(browser);
    owner.page.setDefaultTimeout(10_000);
    await logIn(owner, base, 'owner@example.com', p.ownerPassword, '/operators');
  });
  after(async () => {
    await browser?.close();
    await p?.close();
  });

  test('an owner invites a viewer on the Operators screen and is shown its initial password once', async () => {
    const { page } = owner;
    await page.getByRole('heading', { name: 'Operators', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Invite operator' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite an operator' });
    await dialog.getByLabel('Email').fill('not-an-email');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    // Checked against the API's own schema before anything is sent.
    await dialog.getByText('The login: an email address.').waitFor();
    await dialog.getByLabel('Email').fill('ui-viewer@example.com');
    assert.equal(await dialog.getByLabel('Role').first().inputValue(), 'Viewer');
    await checkScreen(owner, 'operators-invite');
    await dialog.getByRole('button', { name: 'Invite' }).click();
    const shown = page.getByRole('dialog', { name: 'Operator invited' });
    await shown.getByText('Shown once').waitFor();
    viewerPassword = await shown.getByLabel('Initial password').inputValue();
    assert.ok(viewerPassword.length >= 12, 'an initial password is shown');
    await checkScreen(owner, 'operators-invited');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal(await page.getByText(viewerPassword).count(), 0, 'the password is gone once closed');
    const row = page.getByRole('row', { name: /ui-viewer@example\.com/ });
    await row.waitFor();
    await row.getByText('Viewer', { exact: true }).waitFor();
    await row.getByText('All tenants').waitFor();
    await checkScreen(owner, 'operators');

    const listed = await p.api.call('GET', '/api/v1/operators?role=viewer');
    assert.ok(listed.body.items.some((o: { email: string }) => o.email === 'ui-viewer@example.com'));
  });

  test('an owner makes an API token, sees its secret once, and revokes it', async () => {
    const { page } = owner;
    await page.goto(`${base}/admin/tokens`);
    await page.getByRole('heading', { name: 'API tokens', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New token' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API token' });
    await dialog.getByLabel('Name').fill('ui-ci-deploys');
    await dialog.getByLabel('Scopes').first().click();
    await page.getByRole('option', { name: /^tenants:read/ }).click();
    await page.getByRole('option', { name: /^audit:read/ }).click();
    await page.keyboard.press('Escape');
    await checkScreen(owner, 'tokens-new');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('dialog', { name: 'Copy your new API token' });
    await shown.getByText('Shown only now').waitFor();
    secret = await shown.getByLabel('API token').inputValue();
    assert.match(secret, /^ocpt/);
    await checkScreen(owner, 'tokens-secret');
    // The secret is the real thing: it works as a Bearer token within its scopes.
    const me = await fetch(`${base}/api/v1/tenants`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(me.status, 200);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');
    assert.ok(!(await page.content()).includes(secret), 'nor kept in the page');

    const row = page.getByRole('row', { name: /ui-ci-deploys/ });
    await row.getByText('Active').waitFor();
    await checkScreen(owner, 'tokens');
    await row.getByRole('button', { name: 'Revoke ui-ci-deploys' }).click();
    const confirm = page.getByRole('dialog', { name: /Revoke “ui-ci-deploys”/ });
    await checkScreen(owner, 'tokens-revoke');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await row.getByText('Revoked').waitFor();
    const refused = await fetch(`${base}/api/v1/tenants`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(refused.status, 401);
  });

  test('the audit log lists these actions, filters them by action through the URL, opens one, and its chain verifies', async () => {
    const { page } = owner;
    await page.goto(`${base}/admin/audit`);
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await untilShown(page, page.getByRole('button', { name: /^token\.revoke, entry/ }));
    await page
      .getByRole('button', { name: /^operator\.create, entry/ })
      .first()
      .waitFor();
    await page
      .getByRole('button', { name: /^token\.create, entry/ })
      .first()
      .waitFor();
    await checkScreen(owner, 'audit');

    // Newest first unless asked; the other order lives in the address too.
    const positions = page.getByRole('table', { name: /^Audit entries/ }).locator('tbody tr td:first-child');
    const newest = (await positions.allTextContents()).map(Number);
    assert.ok(
      newest.length > 1 && newest.every((n, i) => i === 0 || n < newest[i - 1]!),
      `newest first: ${newest.join(' ')}`,
    );
    await page.locator('label', { hasText: 'Oldest first' }).click();
    await page.waitForURL((u) => u.searchParams.get('order') === 'asc');
    await positions.first().filter({ hasText: /^1$/ }).waitFor();
    await page.locator('label', { hasText: 'Newest first' }).click();
    await page.waitForURL((u) => !u.searchParams.has('order'));
    await positions
      .first()
      .filter({ hasText: new RegExp(`^${newest[0]}$`) })
      .waitFor();

    const filters = page.getByRole('search', { name: 'Audit log filters' });
    await filters.getByLabel('Action').fill('token.create');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('action') === 'token.create');
    const entries = page.getByRole('button', { name: /, entry \d+: details$/ });
    await page.getByRole('button', { name: /^operator\.create, entry/ }).waitFor({ state: 'detached' });
    const names = await entries.allTextContents();
    assert.ok(names.length >= 1);
    assert.deepEqual(new Set(names), new Set(['token.create']));

    // The revocation, by the address alone.
    await page.goto(`${base}/admin/audit?action=token.revoke`);
    await untilShown(page, page.getByRole('button', { name: /^token\.revoke, entry/ }));
    assert.equal(await entries.count(), 1);
    await page.goBack();

    // The filter lives in the address: opening it again shows the same entries.
    await page.reload();
    await page
      .getByRole('button', { name: /^token\.create, entry/ })
      .first()
      .waitFor();
    assert.equal(await filters.getByLabel('Action').inputValue(), 'token.create');

    await page
      .getByRole('button', { name: /^token\.create, entry/ })
      .first()
      .click();
    const drawer = page.getByRole('dialog', { name: /token\.create/ });
    await drawer
      .getByLabel('State after')
      .getByText(/ui-ci-deploys/)
      .waitFor();
    await checkScreen(owner, 'audit-entry');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // Export: a link to the gateway's export route with the filters in force.
    await page.getByRole('button', { name: 'Export' }).click();
    const csv = page.getByRole('menuitem', { name: 'CSV' });
    const href = await csv.getAttribute('href');
    assert.ok(href);
    const url = new URL(href, base);
    assert.equal(url.pathname, '/api/v1/audit/export');
    assert.equal(url.searchParams.get('action'), 'token.create');
    assert.equal(url.searchParams.get('format'), 'csv');
    const exported = await page.request.get(url.toString());
    assert.equal(exported.status(), 200);
    const text = await exported.text();
    assert.match(text, /token\.create/);
    assert.doesNotMatch(text, /operator\.create/);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page
      .getByRole('alert')
      .or(page.getByRole('status'))
      .filter({ hasText: /Chain intact|broken/ })
      .waitFor();
    await page.getByText('Chain intact').waitFor();
    await checkScreen(owner, 'audit-verified');

    // The tenant filter finds any tenant as one types, and the Tenant column shows slugs, not ids.
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => !u.searchParams.has('action'));
    await filters.getByLabel('Tenant', { exact: true }).fill(tenant.slug.slice(0, 6));
    const option = page.getByRole('option', { name: new RegExp(`^${tenant.slug} `) });
    await option.waitFor();
    await checkScreen(owner, 'audit-tenant-picker');
    await option.click();
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL((u) => u.searchParams.get('tenantId') === tenant.id);
    await page
      .getByRole('button', { name: /^tenant\.create, entry/ })
      .first()
      .waitFor();
    const rows = page.getByRole('table', { name: /^Audit entries/ }).locator('tbody tr');
    await rows.getByText(tenant.slug, { exact: true }).first().waitFor();
    // The unfiltered page stays on screen until the filtered one arrives: wait until it has.
    const named = async () => [await rows.filter({ hasText: tenant.slug }).count(), await rows.count()];
    for (let i = 0; i < 100; i++) {
      const [withSlug, all] = await named();
      if (withSlug === all) break;
      await page.waitForTimeout(100);
    }
    const [withSlug, all] = await named();
    assert.equal(withSlug, all, 'every entry of the tenant names it by its slug');
    await checkScreen(owner, 'audit-by-tenant');
  });

  test('the roles, runtimes and billing screens show what the API answers', async () => {
    const { page } = owner;
    await page.goto(`${base}/admin/`);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    for (const r of ['Owner', 'Admin', 'Operator', 'Billing', 'Viewer'])
      await page.getByRole('heading', { name: r, level: 2 }).waitFor();
    const matrix = page.getByRole('table', { name: 'Permissions by role' });
    const owners = matrix.getByRole('row', { name: /^operators:owners/ });
    await owners.waitFor();
    // Owners alone manage owners: held in the first column only.
    const cells = await owners.getByRole('cell').allTextContents();
    // The dash a sighted reader sees is hidden from assistive technology, which reads "not held".
    assert.deepEqual(
      cells.map((t) => t.replace('–', '')),
      ['make, change, disable and delete owners', 'held', 'not held', 'not held', 'not held', 'not held'],
    );
    await checkScreen(owner, 'roles');

    await nav.getByRole('link', { name: 'Runtimes' }).click();
    await page.getByRole('heading', { name: 'Odoo runtimes', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Register runtime' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register an Odoo runtime' });
    await dialog.getByRole('button', { name: 'Register runtime' }).click();
    await dialog.getByLabel('Name').and(page.locator('[aria-invalid="true"]')).waitFor();
    await checkScreen(owner, 'runtimes-register');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await checkScreen(owner, 'runtimes');

    await nav.getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { name: 'Billing webhooks', level: 1 }).waitFor();
    await page.getByText(/No webhook event received/).waitFor();
    await checkScreen(owner, 'billing');
  });

  test('a viewer is offered no action and no Access screen, and the API refuses its session the same actions', async () => {
    assert.ok(viewerPassword, 'the viewer was invited by the first test');
    const viewer = await openPage(browser);
    viewer.page.setDefaultTimeout(10_000);
    try {
      const { page } = viewer;
      await logIn(viewer, base, 'ui-viewer@example.com', viewerPassword, '/tenants');
      await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
      await page.getByText(tenant.slug).first().waitFor();
      const nav = page.getByRole('navigation', { name: 'Main navigation' });
      await nav.getByRole('link', { name: 'Audit log' }).waitFor();
      for (const name of ['Operators', 'Roles', 'API tokens'])
        assert.equal(await nav.getByRole('link', { name }).count(), 0, `${name} is not offered`);
      assert.equal(await nav.getByText('Access', { exact: true }).count(), 0, 'no Access group');
      assert.equal(await page.getByRole('button', { name: 'Create tenant' }).count(), 0, 'no Create tenant');
      await checkScreen(viewer, 'viewer-tenants');

      await page.goto(`${base}/admin/tenants/${tenant.id}`);
      await page
        .getByRole('heading', { name: new RegExp(tenant.slug) })
        .first()
        .waitFor();
      const actions = page.getByRole('button', { name: 'Actions' });
      if ((await actions.count()) > 0)
        assert.ok(await actions.isDisabled(), 'the actions menu offers nothing');
      for (const name of [/^Suspend/, /^Delete/, /^Resume/])
        assert.equal(await page.getByRole('menuitem', { name }).count(), 0, String(name));
      await checkScreen(viewer, 'viewer-tenant');

      await page.goto(`${base}/admin/audit`);
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Verify chain' }).count(), 0, 'no Verify chain');
      assert.equal(await page.getByRole('button', { name: 'Export', exact: true }).count(), 0, 'no Export');
      await checkScreen(viewer, 'viewer-audit');

      // An Access screen opened by its address is refused by the API, and the page says so.
      await page.goto(`${base}/admin/operators`);
      await page
        .getByRole('alert')
        .filter({ hasText: /operators:read/ })
        .waitFor();

      // The same actions through the API with the viewer's own session cookie are 403 problems.
      const attempts: [string, string, unknown][] = [
        ['POST', `/api/v1/tenants/${tenant.id}/suspend`, {}],
        ['DELETE', `/api/v1/tenants/${tenant.id}`, undefined],
        ['POST', '/api/v1/tenants', { slug: 'by-viewer', displayName: 'By viewer' }],
        ['POST', '/api/v1/operators', { email: 'x@example.com', role: 'viewer' }],
        ['POST', '/api/v1/tokens', { name: 'mine', scopes: ['tenants:read'] }],
      ];
      const refused = [];
      for (const attempt of attempts)
        refused.push(
          // In the page, with its cookie and the CSRF token the login gave it, as the app itself sends.
          await page.evaluate(async ([method, path, body]) => {
            const cookie = (globalThis as unknown as { document: { cookie: string } }).document.cookie;
            const csrf = decodeURIComponent(/(?:^|;\s*)ocp_csrf=([^;]+)/.exec(cookie)?.[1] ?? '');
            const res = await fetch(path, {
              method,
              headers: {
                'x-csrf-token': csrf,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            });
            return {
              status: res.status,
              type: res.headers.get('content-type'),
              body: (await res.json()) as { code?: string; permission?: string },
            };
          }, attempt),
        );
      const wanted = ['tenants:suspend', 'tenants:delete', 'tenants:create', 'operators:write', 'tokens:own'];
      refused.forEach((r, i) => {
        assert.equal(r.status, 403, JSON.stringify(r));
        assert.match(String(r.type), /application\/problem\+json/);
        assert.equal(r.body.code, 'FORBIDDEN');
        assert.equal(r.body.permission, wanted[i]);
      });
      const still = await p.api.call('GET', `/api/v1/tenants/${tenant.id}`);
      assert.equal(still.body.state, 'active');
    } finally {
      await viewer.context.close();
    }
  });
});
