import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import type { Tenant } from '@ocp/contracts';
import { createPool } from '@ocp/db';
import { createOdooClient } from '@ocp/odoo';
import { createLogger } from '@ocp/service-kit';
import { parseConfig as tenantConfig } from '@ocp/tenant/config';
import { adminQuery, urlFor, waitFor } from '@ocp/testkit';
import type { OperationRow, TenantRow } from '../../services/tenant/src/db/rows.ts';
import { DbServers } from '../../services/tenant/src/dbserver/registry.ts';
import { keyringOf } from '../../services/tenant/src/domain/secrets.ts';
import { runRename } from '../../services/tenant/src/handlers/run-copy.ts';
import { AdminPasswordPool } from '../../services/tenant/src/odoo/password-pool.ts';
import { subscribeTenantEvents } from '../support/events.ts';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { dropOwnedDatabases, ended, filesOf, rpcError, startDoubleRuntime } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';

const limit = { timeout: 300_000 };

/** Runs SQL in a tenant's database as the superuser (the test, not the code under test). */
async function inDb<R extends Record<string, unknown>>(
  database: string,
  sql: string,
  values: unknown[] = [],
) {
  return (await adminQuery<R>(sql, values, urlFor(database))).rows;
}

const param = async (database: string, key: string) =>
  (await inDb<{ value: string }>(database, 'SELECT value FROM ir_config_parameter WHERE key = $1', [key]))[0]
    ?.value;

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

describe('staging copies and renames of Odoo tenants (the protocol double as runtime)', limit, () => {
  let p: Platform;
  let bus: Bus;
  let odoo: OdooDouble;
  let dataDir: string;
  let runtimeRole: string | undefined;
  let filestore: string;
  let events: Awaited<ReturnType<typeof subscribeTenantEvents>>;
  let source: Tenant;
  let adminPassword: string;

  before(async () => {
    p = await startPlatform();
    bus = await p.busAs('gateway');
    events = await subscribeTenantEvents(p.natsAs('observer'));
    let runtime: { id: string };
    ({ odoo, role: runtimeRole, dataDir, filestore, runtime } = await startDoubleRuntime(bus, p.prefix));
    const created = await bus.request('tenant.create.v1', {
      slug: 'prod-shop',
      displayName: 'Prod shop',
      plan: 'starter',
      runtimeId: runtime.id,
      adminLogin: 'owner@example.com',
      companyName: 'Shop Ltd',
    });
    assert.equal((await ended(bus, created.operation.id)).state, 'succeeded');
    assert.ok(created.adminPassword);
    adminPassword = created.adminPassword;
    source = (await bus.request('tenant.get.v1', { tenantId: created.tenant.id })).tenant;
    // What a neutralisation must switch off: a real mail server, an incoming one, a webhook.
    await inDb(
      source.databaseName,
      `INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active)
       VALUES ('Real SMTP', 'smtp.example.com', 587, 'starttls', 'login', true);
       INSERT INTO fetchmail_server (name, server, active, state) VALUES ('Real IMAP', 'imap.example.com', true, 'draft');
       INSERT INTO ir_act_server (name, state, webhook_url) VALUES ('{"en_US": "Hook"}', 'webhook', 'https://hooks.example.com/x');
       INSERT INTO res_partner (name, active) VALUES ('Written before the copy', true)`,
    );
  });
  after(async () => {
    await events?.close();
    await odoo?.close();
    if (runtimeRole) await dropOwnedDatabases(runtimeRole);
    await p?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('a staging copy is a neutralised, independent Odoo database with its own identity and files', async () => {
    const { tenant: copy, operation } = await bus.request('tenant.duplicate.v1', {
      tenantId: source.id,
      slug: 'prod-shop-staging',
    });
    assert.deepEqual(
      {
        state: copy.state,
        source: copy.sourceTenantId,
        name: copy.displayName,
        runtime: copy.runtimeId,
        login: copy.adminLogin,
        company: copy.companyName,
      },
      {
        state: 'pending',
        source: source.id,
        name: 'Prod shop (staging)',
        runtime: source.runtimeId,
        login: 'owner@example.com',
        company: 'Shop Ltd',
      },
    );
    const op = await ended(bus, operation.id);
    assert.equal(op.state, 'succeeded', op.error ?? '');
    const { tenant: active } = await bus.request('tenant.get.v1', { tenantId: copy.id });
    assert.equal(active.state, 'active');
    await waitFor('the copy’s lifecycle events', async () =>
      events.typesFor(copy.id).includes('ocp.tenant.activated.v1') ? true : undefined,
    );
    assert.deepEqual(events.typesFor(copy.id).slice(0, 3), [
      'ocp.tenant.created.v1',
      'ocp.tenant.provisioning.v1',
      'ocp.tenant.activated.v1',
    ]);

    // The source stayed online and untouched.
    const { rows: allow } = await adminQuery<{ datallowconn: boolean }>(
      'SELECT datallowconn FROM pg_database WHERE datname = $1',
      [source.databaseName],
    );
    assert.equal(allow[0]?.datallowconn, true);
    assert.equal((await inDb(source.databaseName, 'SELECT 1 FROM ir_cron WHERE active')).length, 17);
    assert.equal(await param(source.databaseName, 'database.is_neutralized'), undefined);

    // Its own identity, address and files.
    for (const key of ['database.uuid', 'database.secret'])
      assert.notEqual(await param(copy.databaseName, key), await param(source.databaseName, key), key);
    assert.equal(await param(copy.databaseName, 'web.base.url'), active.baseUrl);
    assert.notEqual(active.baseUrl, source.baseUrl);
    const sourceFiles = await filesOf(path.join(filestore, source.databaseName));
    assert.ok(sourceFiles.length > 0, 'the source has files');
    assert.deepEqual(await filesOf(path.join(filestore, copy.databaseName)), sourceFiles);

    // Neutralised as Odoo neutralises: scheduled actions off but the auto-vacuum, mail off, banner on.
    assert.deepEqual(await inDb(copy.databaseName, 'SELECT cron_name FROM ir_cron WHERE active'), [
      { cron_name: 'Base: Auto-vacuum internal data' },
    ]);
    assert.deepEqual(await inDb(copy.databaseName, 'SELECT name, active FROM ir_mail_server ORDER BY id'), [
      { name: 'Real SMTP', active: false },
      { name: 'neutralization - disable emails', active: true },
    ]);
    assert.deepEqual(await inDb(copy.databaseName, 'SELECT active FROM fetchmail_server'), [
      { active: false },
    ]);
    assert.deepEqual(
      await inDb(copy.databaseName, "SELECT webhook_url FROM ir_act_server WHERE state = 'webhook'"),
      [{ webhook_url: 'neutralization - disable webhook' }],
    );
    assert.equal(await param(copy.databaseName, 'database.is_neutralized'), 'true');
    assert.deepEqual(
      await inDb(copy.databaseName, "SELECT active FROM ir_ui_view WHERE key = 'web.neutralize_banner'"),
      [{ active: true }],
    );

    // Independent: a row written in one is absent from the other.
    const partners = async (db: string) =>
      (
        await inDb<{ name: string }>(
          db,
          "SELECT name FROM res_partner WHERE name LIKE 'Written%' ORDER BY name",
        )
      ).map((r) => r.name);
    await inDb(
      source.databaseName,
      "INSERT INTO res_partner (name, active) VALUES ('Written in the source', true)",
    );
    await inDb(
      copy.databaseName,
      "INSERT INTO res_partner (name, active) VALUES ('Written in the copy', true)",
    );
    assert.deepEqual(await partners(source.databaseName), [
      'Written before the copy',
      'Written in the source',
    ]);
    assert.deepEqual(await partners(copy.databaseName), ['Written before the copy', 'Written in the copy']);

    // Odoo serves the copy: its administrator is the source's, and logs in to it.
    const client = createOdooClient({ url: odoo.url, timeoutMs: 10_000 });
    assert.equal(await client.authenticate(copy.databaseName, 'owner@example.com', adminPassword), 2);
    assert.ok((await client.db.list()).includes(copy.databaseName));
  });

  test('a copy without neutralisation keeps the source’s scheduled actions, and gets its own identity', async () => {
    const { tenant: copy, operation } = await bus.request('tenant.duplicate.v1', {
      tenantId: source.id,
      slug: 'prod-shop-plain',
      displayName: 'Plain copy',
      neutralize: false,
    });
    assert.equal((await ended(bus, operation.id)).state, 'succeeded');
    assert.equal((await inDb(copy.databaseName, 'SELECT 1 FROM ir_cron WHERE active')).length, 17);
    assert.equal(await param(copy.databaseName, 'database.is_neutralized'), undefined);
    assert.notEqual(
      await param(copy.databaseName, 'database.secret'),
      await param(source.databaseName, 'database.secret'),
    );
  });

  test('a copy that fails after the clone is left failed, its source online and untouched, and a retry copies the source again', async () => {
    // A source whose copy cannot be given its own identity: its parameters table is gone.
    const made = await bus.request('tenant.create.v1', {
      slug: 'brittle-shop',
      displayName: 'Brittle',
      plan: 'starter',
      adminLogin: 'brittle@example.com',
      adminPassword: 'brittle-password-1',
    });
    assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
    const brittle = made.tenant;
    await inDb(brittle.databaseName, 'DROP TABLE ir_config_parameter');
    const { tenant: copy, operation } = await bus.request('tenant.duplicate.v1', {
      tenantId: brittle.id,
      slug: 'brittle-copy',
    });
    const op = await ended(bus, operation.id);
    assert.equal(op.state, 'failed');
    assert.match(op.error ?? '', /ir_config_parameter/);
    const { tenant: failed } = await bus.request('tenant.get.v1', { tenantId: copy.id });
    assert.deepEqual(
      { state: failed.state, lastError: failed.lastError },
      { state: 'failed', lastError: op.error },
    );
    await waitFor('the copy’s failure event', async () =>
      events.typesFor(copy.id).includes('ocp.tenant.provisioning_failed.v1') ? true : undefined,
    );
    // The source was held off for the clone only: it takes connections again, and Odoo serves it.
    const { tenant: still } = await bus.request('tenant.get.v1', { tenantId: brittle.id });
    assert.equal(still.state, 'active');
    const { rows } = await adminQuery<{ datallowconn: boolean }>(
      'SELECT datallowconn FROM pg_database WHERE datname = $1',
      [brittle.databaseName],
    );
    assert.equal(rows[0]?.datallowconn, true);
    const client = createOdooClient({ url: odoo.url, timeoutMs: 10_000 });
    assert.equal(
      await client.authenticate(brittle.databaseName, 'brittle@example.com', 'brittle-password-1'),
      2,
    );
    // A retry copies the source again (it does not provision from the template): still broken,
    // it fails the same way.
    const again = await bus.request('tenant.retry.v1', { tenantId: copy.id });
    assert.equal(again.operation.kind, 'tenant.duplicate');
    const againOp = await ended(bus, again.operation.id);
    assert.equal(againOp.state, 'failed');
    assert.match(againOp.error ?? '', /ir_config_parameter/);
    // Mended, the source is copied by the next retry, with the neutralisation first asked for.
    await inDb(
      brittle.databaseName,
      `CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE,
         value text NOT NULL, create_uid integer, write_uid integer, create_date timestamp,
         write_date timestamp);
       INSERT INTO ir_config_parameter (key, value) VALUES ('brittle.marker', 'mended');
       ALTER TABLE ir_config_parameter OWNER TO "${runtimeRole}";
       ALTER SEQUENCE ir_config_parameter_id_seq OWNER TO "${runtimeRole}"`,
    );
    const third = await bus.request('tenant.retry.v1', { tenantId: copy.id });
    assert.equal(third.operation.kind, 'tenant.duplicate');
    const thirdOp = await ended(bus, third.operation.id);
    assert.equal(thirdOp.state, 'succeeded', thirdOp.error ?? '');
    assert.equal(await param(copy.databaseName, 'brittle.marker'), 'mended');
    assert.equal(await param(copy.databaseName, 'web.base.url'), 'http://brittle-copy.localhost:8069');
    assert.equal(await param(copy.databaseName, 'database.is_neutralized'), 'true');
    assert.deepEqual(await inDb(copy.databaseName, 'SELECT cron_name FROM ir_cron WHERE active'), [
      { cron_name: 'Base: Auto-vacuum internal data' },
    ]);
    // Deleting the copy removes its database too.
    const del = await bus.request('tenant.delete.v1', { tenantId: copy.id });
    assert.equal((await ended(bus, del.operation.id)).state, 'succeeded');
    const left = await adminQuery("SELECT datname FROM pg_database WHERE datname LIKE $1 || '%'", [
      copy.databaseName,
    ]);
    assert.deepEqual(left.rows, []);
  });

  test('copying or renaming a busy or suspended tenant is refused, naming what blocks it', async () => {
    const s = await bus.request('tenant.suspend.v1', { tenantId: source.id, reason: 'manual' });
    const busy = await rpcError(
      bus.request('tenant.duplicate.v1', { tenantId: source.id, slug: 'never-made' }),
    );
    assert.equal(busy.code, 'INVALID_STATE');
    assert.match(busy.message, /(operation (queued|running) \(tenant\.suspend|is suspended)/);
    assert.equal((await ended(bus, s.operation.id)).state, 'succeeded');
    const suspended = await rpcError(
      bus.request('tenant.duplicate.v1', { tenantId: source.id, slug: 'never-made' }),
    );
    assert.equal(suspended.code, 'INVALID_STATE');
    assert.match(suspended.message, /is suspended; only an active tenant can be copied/);
    const rename = await rpcError(
      bus.request('tenant.rename.v1', { tenantId: source.id, slug: 'never-named' }),
    );
    assert.equal(rename.code, 'INVALID_STATE');
    assert.match(rename.message, /suspended/);
    const r = await bus.request('tenant.resume.v1', { tenantId: source.id, reason: 'manual' });
    assert.equal((await ended(bus, r.operation.id)).state, 'succeeded');
    const taken = await rpcError(
      bus.request('tenant.rename.v1', { tenantId: source.id, slug: 'prod-shop-plain' }),
    );
    assert.equal(taken.code, 'TENANT_EXISTS');
    const copyTaken = await rpcError(
      bus.request('tenant.duplicate.v1', { tenantId: source.id, slug: 'prod-shop-plain' }),
    );
    assert.equal(copyTaken.code, 'TENANT_EXISTS');
  });

  test('a rename moves slug, database, filestore and address together and leaves no trace of the old names', async () => {
    const old = (await bus.request('tenant.get.v1', { tenantId: source.id })).tenant;
    const files = await filesOf(path.join(filestore, old.databaseName));
    const { operation } = await bus.request('tenant.rename.v1', { tenantId: source.id, slug: 'main-shop' });
    const op = await ended(bus, operation.id);
    assert.equal(op.state, 'succeeded', op.error ?? '');
    assert.deepEqual(op.result, { previousSlug: 'prod-shop', previousDatabaseName: old.databaseName });
    const { tenant: renamed } = await bus.request('tenant.get.v1', { tenantId: source.id });
    assert.equal(renamed.slug, 'main-shop');
    assert.equal(renamed.databaseName, `${p.prefix}main_shop`);
    assert.notEqual(renamed.baseUrl, old.baseUrl);
    assert.match(renamed.baseUrl ?? '', /main-shop/);
    assert.equal(await param(renamed.databaseName, 'web.base.url'), renamed.baseUrl);

    // No trace of the old names: database, filestore directory, slug.
    const { rows } = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [old.databaseName]);
    assert.equal(rows.length, 0);
    assert.equal(await exists(path.join(filestore, old.databaseName)), false);
    assert.deepEqual(await filesOf(path.join(filestore, renamed.databaseName)), files);
    const gone = await rpcError(bus.request('tenant.get.v1', { slug: 'prod-shop' }));
    assert.equal(gone.code, 'TENANT_NOT_FOUND');
    assert.equal((await bus.request('tenant.get.v1', { slug: 'main-shop' })).tenant.id, source.id);

    // Odoo serves it under the new name, and no longer under the old.
    const client = createOdooClient({ url: odoo.url, timeoutMs: 10_000 });
    assert.equal(await client.authenticate(renamed.databaseName, 'owner@example.com', adminPassword), 2);
    assert.equal(await client.db.exist(old.databaseName), false);
    const event = await waitFor('the renamed event', async () =>
      events.seen.find((s) => s.event.type === 'ocp.tenant.renamed.v1' && s.event.subject === source.id),
    );
    const data = event.event.data as { previousSlug: string; previousDatabaseName: string; tenant: Tenant };
    assert.deepEqual(
      {
        previousSlug: data.previousSlug,
        previousDatabaseName: data.previousDatabaseName,
        slug: data.tenant.slug,
      },
      { previousSlug: 'prod-shop', previousDatabaseName: old.databaseName, slug: 'main-shop' },
    );
    // The old slug is free again.
    const again = await bus.request('tenant.duplicate.v1', { tenantId: source.id, slug: 'prod-shop' });
    assert.equal((await ended(bus, again.operation.id)).state, 'succeeded');
  });

  test('a rename stopped after the database and files moved resumes and finishes the rest', async () => {
    const made = await bus.request('tenant.create.v1', {
      slug: 'halfway-shop',
      displayName: 'Halfway',
      plan: 'starter',
    });
    assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
    const t = made.tenant;
    const to = `${p.prefix}halfway_done`;
    // What a worker that crashed midway leaves: its operation running under a live lease (so no
    // other worker takes it), the database and the filestore directory under the new name.
    const opId = randomUUID();
    await adminQuery(
      `INSERT INTO operations (id, kind, tenant_id, state, params, attempts, started_at, leased_by, lease_expires_at)
       VALUES ($1, 'tenant.rename', $2, 'running', $3, 1, now(), 'a-crashed-worker', now() + interval '1 hour')`,
      [opId, t.id, JSON.stringify({ slug: 'halfway-done' })],
      p.databases.tenant,
    );
    await adminQuery(`ALTER DATABASE "${t.databaseName}" RENAME TO "${to}"`);
    await rename(path.join(filestore, t.databaseName), path.join(filestore, to));

    const config = tenantConfig(p.tenantEnv);
    const logger = createLogger('resume-test', 'warn');
    const pool = createPool({ url: config.DATABASE_URL, name: 'resume-test', max: 4, logger });
    const secrets = keyringOf(config);
    const servers = new DbServers(pool, logger, 2, secrets);
    try {
      const row = (await pool.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [t.id])).rows[0]!;
      const op = (await pool.query<OperationRow>('SELECT * FROM operations WHERE id = $1', [opId])).rows[0]!;
      await runRename({
        pool,
        servers,
        config,
        secrets,
        passwords: new AdminPasswordPool(0),
        logger,
        bus,
        dispatch: () => {},
        op,
        tenant: row,
        traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
        signal: new AbortController().signal,
      });
    } finally {
      await servers.close();
      await pool.end();
    }
    const { operation } = await bus.request('operation.get.v1', { operationId: opId });
    assert.equal(operation.state, 'succeeded', operation.error ?? '');
    const { tenant: renamed } = await bus.request('tenant.get.v1', { tenantId: t.id });
    assert.deepEqual({ slug: renamed.slug, db: renamed.databaseName }, { slug: 'halfway-done', db: to });
    assert.equal(await param(to, 'web.base.url'), renamed.baseUrl);
    assert.equal(await exists(path.join(filestore, t.databaseName)), false);
    assert.equal(await exists(path.join(filestore, to)), true);
  });
});
