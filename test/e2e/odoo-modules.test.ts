import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
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
import {
  cloneDatabase,
  connectServerSql,
  listFilestore,
  snapshotName,
} from '../../services/tenant/src/dbserver/snapshot.ts';
import { keyringOf } from '../../services/tenant/src/domain/secrets.ts';
import type { HandlerContext } from '../../services/tenant/src/handlers/context.ts';
import { runModuleOperation } from '../../services/tenant/src/handlers/run-modules.ts';
import type { ModuleStates } from '../../services/tenant/src/odoo/modules.ts';
import { AdminPasswordPool } from '../../services/tenant/src/odoo/password-pool.ts';
import { subscribeTenantEvents } from '../support/events.ts';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { dropOwnedDatabases, ended, filesOf, rpcError, startDoubleRuntime } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';

const limit = { timeout: 300_000 };

interface ModuleEventData {
  operationId: string;
  module: string;
  installed: string[];
  removed: string[];
  tenant: Tenant;
}

/** The module event of an operation, once the observer has seen it. */
async function moduleEvent(
  events: Awaited<ReturnType<typeof subscribeTenantEvents>>,
  type: string,
  operationId: string,
): Promise<ModuleEventData> {
  return await waitFor(`the ${type} event`, async () => {
    const seen = events.seen.find(
      (s) => s.event.type === type && (s.event.data as ModuleEventData).operationId === operationId,
    );
    return seen?.event.data as ModuleEventData | undefined;
  });
}

/** Every module's state in the tenant's database, read with SQL as the test. */
async function moduleRows(database: string): Promise<Record<string, string>> {
  const { rows } = await adminQuery<{ name: string; state: string }>(
    'SELECT name, state FROM ir_module_module ORDER BY name',
    [],
    urlFor(database),
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.state]));
}

/** Databases left beside the tenant's (a snapshot or staging copy has its name, a hyphen, a tag). */
async function copiesOf(database: string): Promise<string[]> {
  const { rows } = await adminQuery<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE $1 || '-%'",
    [database],
  );
  return rows.map((r) => r.datname);
}

describe('module operations on a tenant, through its Odoo runtime (the protocol double)', limit, () => {
  let p: Platform;
  let bus: Bus;
  let odoo: OdooDouble;
  let dataDir: string;
  let runtimeRole: string | undefined;
  let events: Awaited<ReturnType<typeof subscribeTenantEvents>>;
  let tenant: Tenant;
  let bare: Tenant;
  let adminPassword: string;

  const moduleOp = async (action: 'install' | 'upgrade' | 'uninstall', module: string) => {
    const { operation } = await bus.request('tenant.module.v1', { tenantId: tenant.id, module, action });
    assert.equal(operation.kind, `tenant.module_${action}`);
    return await ended(bus, operation.id);
  };

  before(async () => {
    p = await startPlatform();
    bus = await p.busAs('gateway');
    events = await subscribeTenantEvents(p.natsAs('observer'));
    // A tenant made before any runtime is registered: the embedded default, with no Odoo to ask.
    const made = await bus.request('tenant.create.v1', {
      slug: 'bare-one',
      displayName: 'Bare',
      plan: 'starter',
    });
    assert.equal((await ended(bus, made.operation.id)).state, 'succeeded');
    bare = made.tenant;

    let runtime: { id: string };
    ({ odoo, role: runtimeRole, dataDir, runtime } = await startDoubleRuntime(bus, p.prefix));
    const created = await bus.request('tenant.create.v1', {
      slug: 'shop-one',
      displayName: 'Shop',
      plan: 'starter',
      runtimeId: runtime.id,
    });
    assert.equal((await ended(bus, created.operation.id)).state, 'succeeded');
    tenant = created.tenant;
    adminPassword = created.adminPassword!;
  });
  after(async () => {
    await events?.close();
    await odoo?.close();
    if (runtimeRole) await dropOwnedDatabases(runtimeRole);
    await p?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('a tenant without a runtime answers NO_RUNTIME for its modules', async () => {
    const listing = await rpcError(bus.request('tenant.modules.list.v1', { tenantId: bare.id, limit: 10 }));
    assert.equal(listing.code, 'NO_RUNTIME');
    assert.match(listing.message, /no Odoo runtime is registered for this tenant/);
    const op = await rpcError(
      bus.request('tenant.module.v1', { tenantId: bare.id, module: 'crm', action: 'install' }),
    );
    assert.equal(op.code, 'NO_RUNTIME');
  });

  test('the module list pages by name, filters by state and name, and shows what Odoo says', async () => {
    const first = await bus.request('tenant.modules.list.v1', { tenantId: tenant.id, limit: 8 });
    assert.equal(first.items.length, 8);
    assert.ok(first.nextCursor);
    const names: string[] = first.items.map((m) => m.name);
    for (let cursor: string | null = first.nextCursor; cursor; ) {
      const page: { items: { name: string }[]; nextCursor: string | null } = await bus.request(
        'tenant.modules.list.v1',
        { tenantId: tenant.id, limit: 8, cursor },
      );
      names.push(...page.items.map((m) => m.name));
      cursor = page.nextCursor;
    }
    assert.deepEqual(names, Object.keys(await moduleRows(tenant.databaseName)));
    const installed = await bus.request('tenant.modules.list.v1', {
      tenantId: tenant.id,
      limit: 100,
      state: 'installed',
    });
    assert.ok(installed.items.every((m) => m.state === 'installed'));
    assert.ok(installed.items.some((m) => m.name === 'base' && m.latestVersion === '18.0.1.3'));
    const sale = await bus.request('tenant.modules.list.v1', {
      tenantId: tenant.id,
      limit: 100,
      search: 'SALE',
    });
    assert.deepEqual(
      sale.items.map((m) => m.name),
      ['sale', 'sale_crm', 'sale_management', 'sales_team'],
    );
    const crm = (
      await bus.request('tenant.modules.list.v1', { tenantId: tenant.id, limit: 1, search: 'crm' })
    ).items[0];
    assert.equal(crm?.name, 'crm');
    assert.equal(crm?.state, 'uninstalled');
    assert.equal(crm?.application, true);
    const bad = await rpcError(
      bus.request('tenant.modules.list.v1', { tenantId: tenant.id, limit: 5, cursor: 'not-ours' }),
    );
    assert.equal(bad.code, 'VALIDATION_FAILED');
  });

  test('a failed install leaves the modules and files as they were, and fails with Odoo’s message', async () => {
    const filestore = path.join(dataDir, 'filestore', tenant.databaseName);
    const rowsBefore = await moduleRows(tenant.databaseName);
    const filesBefore = await filesOf(filestore);
    odoo.faults.failInstall.add('crm');
    try {
      const op = await moduleOp('install', 'crm');
      assert.equal(op.state, 'failed');
      assert.match(op.error ?? '', /Odoo could not install "crm": .+ \(odoo\.exceptions\.UserError\)/);
      assert.match(op.error ?? '', /as they were before/);
    } finally {
      odoo.faults.failInstall.delete('crm');
    }
    assert.deepEqual(await moduleRows(tenant.databaseName), rowsBefore);
    assert.deepEqual(await filesOf(filestore), filesBefore);
    assert.deepEqual(await copiesOf(tenant.databaseName), [], 'no copy is left behind');
    const { tenant: after } = await bus.request('tenant.get.v1', { tenantId: tenant.id });
    assert.equal(after.state, 'active');
    // Odoo serves the database switched back, and the platform's key is gone with the change.
    const { rows } = await adminQuery('SELECT 1 FROM res_users_apikeys', [], urlFor(tenant.databaseName));
    assert.equal(rows.length, 0);
  });

  test('installing sale_management through the scheduled-action lock installs it with its dependencies', async () => {
    odoo.faults.lockFailures = 2;
    const op = await moduleOp('install', 'sale_management');
    assert.equal(op.state, 'succeeded', op.error ?? '');
    assert.equal(odoo.faults.lockFailures, 0, 'the lock was met twice and the call made again');
    const result = op.result as {
      module: string;
      installed: string[];
      upgraded: string[];
      removed: string[];
    };
    assert.equal(result.module, 'sale_management');
    for (const dep of ['sale_management', 'sale', 'account', 'product', 'mail', 'sales_team', 'uom'])
      assert.ok(
        result.installed.includes(dep),
        `${dep} is reported installed: ${result.installed.join(', ')}`,
      );
    assert.deepEqual(result.removed, []);
    const rows = await moduleRows(tenant.databaseName);
    for (const name of result.installed) assert.equal(rows[name], 'installed', name);
    assert.equal(rows.crm, 'uninstalled');
    assert.deepEqual(await copiesOf(tenant.databaseName), []);
    const { rows: keys } = await adminQuery(
      'SELECT 1 FROM res_users_apikeys',
      [],
      urlFor(tenant.databaseName),
    );
    assert.equal(keys.length, 0, 'the platform’s key was deleted after use');
    const { rows: stored } = await adminQuery<{ params: unknown }>(
      'SELECT params FROM operations WHERE id = $1',
      [op.id],
      p.databases.tenant,
    );
    assert.deepEqual(
      stored[0]?.params,
      { module: 'sale_management' },
      'what a resumed run needs is forgotten',
    );
    const event = await moduleEvent(events, 'ocp.tenant.module_installed.v1', op.id);
    assert.deepEqual(
      { module: event.module, installed: event.installed, tenant: event.tenant.id },
      { module: 'sale_management', installed: result.installed, tenant: tenant.id },
    );
  });

  test('installing crm after sale also installs sale_crm, which installs itself when both are there', async () => {
    const op = await moduleOp('install', 'crm');
    assert.equal(op.state, 'succeeded', op.error ?? '');
    const { installed } = op.result as { installed: string[] };
    assert.ok(installed.includes('crm') && installed.includes('sale_crm'), installed.join(', '));
    assert.equal((await moduleRows(tenant.databaseName)).sale_crm, 'installed');
  });

  test('upgrading sale upgrades the installed modules that depend on it', async () => {
    const op = await moduleOp('upgrade', 'sale');
    assert.equal(op.state, 'succeeded', op.error ?? '');
    const { upgraded, installed } = op.result as { upgraded: string[]; installed: string[] };
    assert.deepEqual(upgraded, ['sale', 'sale_crm', 'sale_management']);
    assert.deepEqual(installed, []);
    const event = await moduleEvent(events, 'ocp.tenant.module_upgraded.v1', op.id);
    assert.equal(event.module, 'sale');
  });

  test('uninstalling sale removes the modules that depend on it and keeps its own dependencies', async () => {
    const op = await moduleOp('uninstall', 'sale');
    assert.equal(op.state, 'succeeded', op.error ?? '');
    const { removed } = op.result as { removed: string[] };
    assert.deepEqual(removed, ['sale', 'sale_crm', 'sale_management']);
    const rows = await moduleRows(tenant.databaseName);
    assert.deepEqual(
      [rows.sale, rows.sale_crm, rows.sale_management, rows.account, rows.crm],
      ['uninstalled', 'uninstalled', 'uninstalled', 'installed', 'installed'],
    );
    const event = await moduleEvent(events, 'ocp.tenant.module_uninstalled.v1', op.id);
    assert.deepEqual(event.removed, removed);
  });

  test('installing an installed module, or uninstalling an uninstalled one, succeeds having changed nothing', async () => {
    const rowsBefore = await moduleRows(tenant.databaseName);
    assert.equal(rowsBefore.crm, 'installed');
    const buttons = () =>
      odoo.calls.filter((c) => c.db === tenant.databaseName && /^button_immediate_/.test(c.modelMethod ?? ''))
        .length;
    const pressed = buttons();
    const again = await moduleOp('install', 'crm');
    assert.equal(again.state, 'succeeded', again.error ?? '');
    assert.deepEqual(again.result, {
      module: 'crm',
      installed: [],
      upgraded: [],
      removed: [],
      unchanged: true,
    });
    const none = await moduleOp('uninstall', 'sale_management');
    assert.equal(none.state, 'succeeded', none.error ?? '');
    assert.deepEqual(none.result, {
      module: 'sale_management',
      installed: [],
      upgraded: [],
      removed: [],
      unchanged: true,
    });
    assert.equal(buttons(), pressed, 'no module button was pressed');
    assert.deepEqual(await moduleRows(tenant.databaseName), rowsBefore);
    assert.deepEqual(await copiesOf(tenant.databaseName), []);
    // A later operation's event arrives; none came for these two.
    const later = await moduleOp('upgrade', 'crm');
    assert.equal(later.state, 'succeeded', later.error ?? '');
    await moduleEvent(events, 'ocp.tenant.module_upgraded.v1', later.id);
    const theirs = events.seen.filter((s) =>
      [again.id, none.id].includes((s.event.data as { operationId?: string }).operationId ?? ''),
    );
    assert.deepEqual(
      theirs.map((s) => s.event.type).filter((t) => t.startsWith('ocp.tenant.module_')),
      [],
    );
  });

  test('a module the database does not know, or one Odoo cannot install, fails the operation clearly', async () => {
    const unknown = await moduleOp('install', 'no_such_module');
    assert.equal(unknown.state, 'failed');
    assert.match(unknown.error ?? '', /^module "no_such_module" does not exist in this database/);
    const before = await moduleRows(tenant.databaseName);
    const studio = await moduleOp('install', 'web_studio');
    assert.equal(studio.state, 'failed');
    assert.match(studio.error ?? '', /^Odoo did not install "web_studio": its state is uninstallable/);
    const refused = await moduleOp('uninstall', 'base');
    assert.equal(refused.state, 'failed');
    assert.match(refused.error ?? '', /Those modules cannot be uninstalled: base/);
    assert.deepEqual(await moduleRows(tenant.databaseName), before);
    assert.deepEqual(await copiesOf(tenant.databaseName), []);
  });

  test('operations queue one at a time, and a suspended tenant’s modules cannot be changed', async () => {
    const a = await bus.request('tenant.module.v1', {
      tenantId: tenant.id,
      module: 'contacts',
      action: 'uninstall',
    });
    const b = await bus.request('tenant.module.v1', {
      tenantId: tenant.id,
      module: 'sale',
      action: 'install',
    });
    const [opA, opB] = [await ended(bus, a.operation.id), await ended(bus, b.operation.id)];
    assert.equal(opA.state, 'succeeded', opA.error ?? '');
    assert.equal(opB.state, 'succeeded', opB.error ?? '');
    assert.ok(
      Date.parse(opA.finishedAt!) <= Date.parse(opB.startedAt!),
      'the second started after the first ended',
    );

    const s = await bus.request('tenant.suspend.v1', { tenantId: tenant.id, reason: 'manual' });
    assert.equal((await ended(bus, s.operation.id)).state, 'succeeded');
    const refused = await rpcError(
      bus.request('tenant.module.v1', { tenantId: tenant.id, module: 'crm', action: 'upgrade' }),
    );
    assert.equal(refused.code, 'INVALID_STATE');
    assert.match(refused.message, /suspended/);
    const listing = await rpcError(bus.request('tenant.modules.list.v1', { tenantId: tenant.id, limit: 5 }));
    assert.equal(listing.code, 'INVALID_STATE');
    const r = await bus.request('tenant.resume.v1', { tenantId: tenant.id, reason: 'manual' });
    assert.equal((await ended(bus, r.operation.id)).state, 'succeeded');
  });

  test('an Odoo that does not answer is RUNTIME_UNREACHABLE for a listing', async () => {
    odoo.faults.down = true;
    try {
      const e = await rpcError(bus.request('tenant.modules.list.v1', { tenantId: tenant.id, limit: 5 }));
      assert.equal(e.code, 'RUNTIME_UNREACHABLE');
    } finally {
      odoo.faults.down = false;
    }
  });

  test('a module operation stopped midway resumes: its copy and the states before are reused, a half-done switch-back is finished', async () => {
    // The service's own steps, run here as a restarted worker would run them.
    const config = tenantConfig(p.tenantEnv);
    const logger = createLogger('resume-test', 'warn');
    const pool = createPool({ url: config.DATABASE_URL, name: 'resume-test', max: 4, logger });
    const secrets = keyringOf(config);
    const servers = new DbServers(pool, logger, 2, secrets);
    const passwords = new AdminPasswordPool(0);
    const ctx: HandlerContext = {
      pool,
      servers,
      config,
      secrets,
      passwords,
      logger,
      bus,
      dispatch: () => {},
    };
    const sql = await connectServerSql(p.tenantEnv.TENANT_DB_ADMIN_URL!);
    const root = path.join(dataDir, 'filestore');
    try {
      const row = async () =>
        (await pool.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [tenant.id])).rows[0]!;
      /** An operation a crashed worker held: running, its lease still live, so no worker claims it. */
      const crashed = async (kind: string, params: Record<string, unknown>) => {
        const id = randomUUID();
        const { rows } = await adminQuery<OperationRow>(
          `INSERT INTO operations (id, kind, tenant_id, state, params, attempts, started_at, leased_by, lease_expires_at)
           VALUES ($1, $2, $3, 'running', $4, 1, now(), 'a-crashed-worker', now() + interval '1 hour') RETURNING *`,
          [id, kind, tenant.id, JSON.stringify(params)],
          p.databases.tenant,
        );
        return rows[0]!;
      };
      const run = async (op: OperationRow) =>
        await runModuleOperation({
          ...ctx,
          op: (await pool.query<OperationRow>('SELECT * FROM operations WHERE id = $1', [op.id])).rows[0]!,
          tenant: await row(),
          traceparent: `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
          signal: new AbortController().signal,
        });
      const owner = (
        await adminQuery<{ owner: string }>(
          'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
          [tenant.databaseName],
        )
      ).rows[0]!.owner;

      // 1. Stopped after Odoo installed crm: the copy exists, the files and states before are recorded.
      const states = async (): Promise<ModuleStates> =>
        Object.fromEntries(
          (
            await adminQuery<{ id: number; name: string; state: string; latest_version: string | null }>(
              'SELECT id, name, state, latest_version FROM ir_module_module',
              [],
              urlFor(tenant.databaseName),
            )
          ).rows.map((r) => [r.name, { id: r.id, state: r.state, version: r.latest_version }]),
        ) as ModuleStates;
      const before = await states();
      assert.equal(before.crm?.state, 'uninstalled');
      const install = await crashed('tenant.module_install', {
        module: 'crm',
        snapshotFiles: await listFilestore(root, tenant.databaseName),
        modulesBefore: before,
        upgrading: [],
      });
      const snap = snapshotName(tenant.databaseName, install.id);
      await cloneDatabase(sql, {
        source: tenant.databaseName,
        target: snap,
        owner,
        tenantId: tenant.id,
        closed: true,
        reopenSource: async () => true,
      });
      const odooClient = createOdooClient({ url: odoo.url, timeoutMs: 30_000 });
      await odooClient.installModules({ db: tenant.databaseName, uid: 2, password: adminPassword }, [
        before.crm!.id!,
      ]);
      const installedNow = (await moduleRows(tenant.databaseName)).crm;
      assert.equal(installedNow, 'installed');
      await run(install);
      const done = (await bus.request('operation.get.v1', { operationId: install.id })).operation;
      assert.equal(done.state, 'succeeded', done.error ?? '');
      const result = done.result as { installed: string[] };
      assert.ok(
        result.installed.includes('crm'),
        'the result is computed against the recorded states before',
      );
      assert.ok(result.installed.includes('contacts'), result.installed.join(', '));
      assert.deepEqual(
        await copiesOf(tenant.databaseName),
        [],
        'the copy is dropped once the change is done',
      );
      await moduleEvent(events, 'ocp.tenant.module_installed.v1', install.id);

      // 2. Stopped while switching back: the changed database was dropped, the copy not yet renamed.
      const files = await listFilestore(root, tenant.databaseName);
      const uninstall = await crashed('tenant.module_uninstall', { module: 'crm', snapshotFiles: files });
      const snap2 = snapshotName(tenant.databaseName, uninstall.id);
      await cloneDatabase(sql, {
        source: tenant.databaseName,
        target: snap2,
        owner,
        tenantId: tenant.id,
        closed: true,
        reopenSource: async () => true,
      });
      await mkdir(path.join(root, tenant.databaseName, 'ff'), { recursive: true });
      await writeFile(path.join(root, tenant.databaseName, 'ff', 'ff00added'), 'a file the change added');
      await adminQuery(`DROP DATABASE "${tenant.databaseName}" WITH (FORCE)`);
      await run(uninstall);
      const second = (await bus.request('operation.get.v1', { operationId: uninstall.id })).operation;
      assert.equal(second.state, 'succeeded', second.error ?? '');
      assert.ok((second.result as { removed: string[] }).removed.includes('crm'));
      assert.equal((await moduleRows(tenant.databaseName)).crm, 'uninstalled');
      assert.deepEqual(await copiesOf(tenant.databaseName), []);
      assert.deepEqual(
        await listFilestore(root, tenant.databaseName),
        files,
        'the file the change added is gone',
      );
    } finally {
      await sql.close();
      await servers.close();
      await pool.end();
    }
  });
});
