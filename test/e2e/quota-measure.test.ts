import assert from 'node:assert/strict';
import { rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import type { Tenant } from '@ocp/contracts';
import { adminQuery, urlFor, waitFor } from '@ocp/testkit';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { dropOwnedDatabases, ended, filesOf, startDoubleRuntime } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';

/** Sums the sizes of the regular files under `dir` (the test's own count, to compare with). */
async function bytesOf(dir: string): Promise<number> {
  let total = 0;
  for (const f of await filesOf(dir)) total += (await stat(path.join(dir, f))).size;
  return total;
}

describe('usage measured on the platform (the protocol double as runtime)', { timeout: 300_000 }, () => {
  let p: Platform;
  let bus: Bus;
  let odoo: OdooDouble;
  let dataDir: string;
  let runtimeRole: string | undefined;
  let filestore: string;
  let tenant: Tenant;

  before(async () => {
    p = await startPlatform({ backup: true });
    bus = await p.busAs('gateway');
    let runtime: { id: string };
    ({ odoo, role: runtimeRole, dataDir, filestore, runtime } = await startDoubleRuntime(bus, p.prefix));
    const created = await bus.request('tenant.create.v1', {
      slug: 'measured-shop',
      displayName: 'Measured shop',
      plan: 'starter',
      runtimeId: runtime.id,
      adminLogin: 'owner@example.com',
      companyName: 'Shop Ltd',
    });
    assert.equal((await ended(bus, created.operation.id)).state, 'succeeded');
    tenant = (await bus.request('tenant.get.v1', { tenantId: created.tenant.id })).tenant;
  });
  after(async () => {
    await odoo?.close();
    if (runtimeRole) await dropOwnedDatabases(runtimeRole);
    await p?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('quota.measure.now gives the users, database and filestore the tenant really has', async () => {
    const db = tenant.databaseName;
    await adminQuery(
      `INSERT INTO res_users (login, active, share, company_id, partner_id) VALUES
         ('second', true, false, 1, 2), ('third', true, false, 1, 2),
         ('left', false, false, 1, 2), ('customer', true, true, 1, 2)`,
      [],
      urlFor(db),
    );
    const dir = path.join(filestore, db);
    await writeFile(path.join(dir, 'extra.bin'), Buffer.alloc(12_345, 1));
    await symlink('/etc/passwd', path.join(dir, 'not-followed'));
    await adminQuery('VACUUM', [], urlFor(db));

    // The quota service hears of the tenant through its events; until then it is not found.
    const { sample } = await waitFor(
      'the quota service to know the tenant',
      () => bus.request('quota.measure.now.v1', { tenantId: tenant.id }).catch(() => undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const size = await adminQuery<{ n: string }>('SELECT pg_database_size($1)::bigint AS n', [db]);
    assert.equal(sample.error, undefined, JSON.stringify(sample.error));
    // The admin made at creation, and the two internal users added; not the inactive nor the portal one.
    assert.equal(sample.activeUsers, 3);
    assert.equal(sample.databaseBytes, Number(size.rows[0]!.n));
    assert.equal(sample.filestoreBytes, await bytesOf(dir));
    assert.equal(sample.backupBytes, 0);

    const history = await bus.request('quota.usage.history.v1', { tenantId: tenant.id });
    assert.ok(history.items.some((s) => s.measuredAt === sample.measuredAt && s.activeUsers === 3));
    // The service counts its samples on /metrics.
    const metrics = await (await fetch(`${p.quota!.url}/metrics`)).text();
    assert.match(metrics, /^ocp_quota_samples_total\{error="none"[^}]*\} [1-9]/m);
    assert.match(metrics, /^ocp_quota_measure_connections\{[^}]*\} 0$/m);
  });
  test("a tenant's backup storage is what the backup service stored, from its events", async () => {
    const { operation } = await bus.request('backup.create.v1', { tenantId: tenant.id });
    const done = await waitFor(
      'the backup to end',
      async () => {
        const { operation: op } = await bus.request('backup.operation.get.v1', { operationId: operation.id });
        return op.state === 'succeeded' || op.state === 'failed' ? op : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    assert.equal(done.state, 'succeeded', done.error ?? '');
    const { items } = await bus.request('backup.list.v1', { tenantId: tenant.id, limit: 10 });
    const stored = items.filter((b) => b.state === 'succeeded');
    assert.equal(stored.length, 1);
    // backup.completed reaches the quota service through EVENTS_BACKUP; measure until it has.
    const sample = await waitFor(
      'the backup to count',
      async () => {
        const { sample } = await bus.request('quota.measure.now.v1', { tenantId: tenant.id });
        return sample.backupGenerations === 1 ? sample : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.equal(sample.backupBytes, stored[0]!.storedBytes);
  });
});
