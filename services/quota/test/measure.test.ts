import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CloudEvent } from '@ocp/contracts';
import type { Pool } from '@ocp/db';
import { adminQuery, uniqueName, urlFor } from '@ocp/testkit';
import { pino } from 'pino';
import { backupUsageHandler } from '../src/measure/backup-usage.ts';
import { locateKnownTenant } from '../src/measure/locate.ts';
import { measureNowHandler } from '../src/measure/measure-now.ts';
import { measureTenant } from '../src/measure/measure-tenant.ts';
import { type ScanDeps, startMeasureScan } from '../src/measure/scan.ts';
import { claimDueTenants, markMeasured } from '../src/measure/schedule.ts';
import { createServerConnections, type ServerConnections } from '../src/measure/server-connections.ts';
import { createQuotaDatabase, knowTenant } from './support/quota-database.ts';
import { createTenantDatabases, type TenantDatabases, writeFileOf } from './support/tenant-databases.ts';

const logger = pino({ level: 'silent' });

/** A backup event as the backup service publishes it. */
function backupEvent(
  type: 'ocp.backup.completed.v1' | 'ocp.backup.pruned.v1',
  tenantId: string,
  backupId: string,
  storedBytes: number,
  id = randomUUID(),
): CloudEvent<'ocp.backup.completed.v1'> & CloudEvent<'ocp.backup.pruned.v1'> {
  const now = new Date().toISOString();
  return {
    specversion: '1.0',
    id,
    type,
    source: 'ocp/backup',
    subject: tenantId,
    time: now,
    datacontenttype: 'application/json',
    data: {
      backup: {
        id: backupId,
        tenantId,
        kind: 'scheduled',
        state: 'succeeded',
        createdAt: now,
        finishedAt: now,
        storedBytes,
        database: { bytes: 1, sha256: null, tables: 1 },
        filestore: { bytes: 0, sha256: null, files: 0 },
        odooVersion: '18.0',
        postgresVersion: '15',
        drill: null,
        error: null,
        operationId: null,
      },
      reason: 'retention',
    },
  } as never;
}

describe('measuring tenant usage', { timeout: 120_000 }, () => {
  let tenants: TenantDatabases;
  let quota: { pool: Pool; drop(): Promise<void> };
  let conns: ServerConnections;
  const deps = () => ({
    db: quota.pool,
    connections: conns,
    // Every tenant here has been located already; asking the tenant service would be a defect.
    locate: locateKnownTenant(quota.pool, async () => assert.fail('the tenant service was asked')),
    now: () => new Date(),
  });

  /** A tenant database, known to the quota service with where it is; answers its id and database name. */
  async function tenant(suffix: string): Promise<{ id: string; db: string; dir: string }> {
    const db = await tenants.create(suffix);
    const id = randomUUID();
    const dir = path.join(tenants.filestoreRoot, db);
    await knowTenant(quota.pool, { id, databaseName: db, filestoreDir: dir });
    return { id, db, dir };
  }

  before(async () => {
    tenants = await createTenantDatabases(uniqueName('ocp_qm_'));
    quota = await createQuotaDatabase();
    conns = createServerConnections({ defaultUrl: tenants.adminUrl, maxPerServer: 3 });
  });
  after(async () => {
    await quota?.drop();
    await tenants?.drop();
  });

  test('the figures are what the database and the filestore hold: active internal users, sizes, backups', async () => {
    const t = await tenant('usage');
    // A fresh database counts one (the admin); __system__, default and the share templates do not.
    await tenants.query(
      t.db,
      `INSERT INTO res_users (login, active, share, company_id, partner_id) VALUES
         ('alice', true, false, 1, 2), ('bob', true, false, 1, 2),
         ('nullshare', true, NULL, 1, 2),
         ('gone', false, false, 1, 2), ('gone-null', NULL, false, 1, 2),
         ('portal1', true, true, 1, 2), ('portal2', true, true, 1, 2)`,
    );
    await adminQuery('VACUUM', [], urlFor(t.db));

    let files = 0;
    files += await writeFileOf(t.dir, 'ab/ab12', 1000);
    files += await writeFileOf(t.dir, 'ab/ab34', 2500);
    files += await writeFileOf(t.dir, 'cd/cd56', 70_000);
    files += await writeFileOf(t.dir, 'checklist/ee/ee78', 1);
    // Links are not followed: neither a file nor a directory outside, nor one inside.
    const outside = path.join(path.dirname(tenants.filestoreRoot), 'outside');
    await writeFileOf(outside, 'big', 500_000);
    await symlink(path.join(outside, 'big'), path.join(t.dir, 'ab', 'link-to-file'));
    await symlink(outside, path.join(t.dir, 'link-to-dir'));
    await symlink(path.join(t.dir, 'cd'), path.join(t.dir, 'link-inside'));

    const handle = backupUsageHandler(quota.pool);
    const b1 = randomUUID();
    const b2 = randomUUID();
    const b3 = randomUUID();
    const completed1 = backupEvent('ocp.backup.completed.v1', t.id, b1, 100);
    await handle(completed1, {} as never);
    await handle(completed1, {} as never); // redelivered
    await handle(backupEvent('ocp.backup.completed.v1', t.id, b2, 250), {} as never);
    // b3 pruned before its completion arrives: it never counts.
    await handle(backupEvent('ocp.backup.pruned.v1', t.id, b3, 900), {} as never);
    await handle(backupEvent('ocp.backup.completed.v1', t.id, b3, 900), {} as never);
    await handle(backupEvent('ocp.backup.pruned.v1', t.id, b1, 100), {} as never);
    await handle(backupEvent('ocp.backup.completed.v1', t.id, b1, 100), {} as never); // late copy

    const sample = await measureTenant(deps(), t.id);
    const { rows } = await adminQuery<{ n: string }>('SELECT pg_database_size($1)::bigint AS n', [t.db]);
    assert.deepEqual(
      { ...sample, measuredAt: undefined },
      {
        tenantId: t.id,
        measuredAt: undefined,
        activeUsers: 4,
        databaseBytes: Number(rows[0]!.n),
        filestoreBytes: files,
        backupBytes: 250,
        backupGenerations: 1,
      },
    );
  });

  test('a suspended tenant (ALLOW_CONNECTIONS false) has its sizes and no user count, with the reason', async () => {
    const t = await tenant('susp');
    await writeFileOf(t.dir, 'aa/aa', 4096);
    await adminQuery(`ALTER DATABASE "${t.db}" ALLOW_CONNECTIONS false`);
    const sample = await measureTenant(deps(), t.id);
    const { rows } = await adminQuery<{ n: string }>('SELECT pg_database_size($1)::bigint AS n', [t.db]);
    assert.equal(sample.activeUsers, null);
    assert.equal(sample.databaseBytes, Number(rows[0]!.n));
    assert.equal(sample.filestoreBytes, 4096);
    assert.equal(sample.error?.code, 'DATABASE_NOT_ACCEPTING_CONNECTIONS');
  });

  test('a tenant without a filestore directory has 0 bytes; a missing filestore root is an error', async () => {
    const t = await tenant('nofs');
    const none = await measureTenant(deps(), t.id);
    assert.equal(none.filestoreBytes, 0);
    assert.equal(none.error, undefined);
    await quota.pool.query('UPDATE known_tenants SET filestore_dir = $2 WHERE tenant_id = $1', [
      t.id,
      path.join(tenants.filestoreRoot, 'unmounted', t.db),
    ]);
    const unmounted = await measureTenant(deps(), t.id);
    assert.equal(unmounted.filestoreBytes, null);
    assert.equal(unmounted.activeUsers, 1);
    assert.equal(unmounted.error?.code, 'FILESTORE_ROOT_MISSING');
  });

  test('a dropped database is an error sample on its tenant, and the scan measures the others', async () => {
    const ts = [await tenant('scan1'), await tenant('scan2'), await tenant('scan3')];
    await adminQuery(`DROP DATABASE "${ts[1]!.db}" WITH (FORCE)`);
    // The hook sees each sample inside the transaction that records it.
    const handed: Array<{ tenantId: string; code: string | null; visible: number }> = [];
    const scan = startMeasureScan(
      {
        ...deps(),
        pool: quota.pool,
        logger,
        intervalMs: 3_600_000,
        concurrency: 4,
        afterSample: async (sample, client) => {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM usage_samples WHERE tenant_id = $1',
            [sample.tenantId],
          );
          handed.push({ tenantId: sample.tenantId, code: sample.error?.code ?? null, visible: rows[0]!.n });
        },
      } satisfies ScanDeps,
      { autoStart: false },
    );
    const measured = await scan.runOnce();
    assert.ok(measured >= 3);
    assert.deepEqual(
      handed
        .filter((h) => ts.some((t) => t.id === h.tenantId))
        .sort((a, b) => a.tenantId.localeCompare(b.tenantId)),
      ts
        .map((t, i) => ({ tenantId: t.id, code: i === 1 ? 'DATABASE_MISSING' : null, visible: 1 }))
        .sort((a, b) => a.tenantId.localeCompare(b.tenantId)),
    );
    const { rows } = await quota.pool.query<{
      tenant_id: string;
      active_users: number | null;
      database_bytes: string | null;
      error_code: string | null;
    }>(
      "SELECT tenant_id, active_users::int AS active_users, database_bytes, error->>'code' AS error_code FROM usage_samples WHERE tenant_id = ANY($1)",
      [ts.map((t) => t.id)],
    );
    const byId = new Map(rows.map((r) => [r.tenant_id, r]));
    assert.equal(byId.get(ts[0]!.id)?.active_users, 1);
    assert.equal(byId.get(ts[0]!.id)?.error_code, null);
    assert.equal(byId.get(ts[1]!.id)?.error_code, 'DATABASE_MISSING');
    assert.equal(byId.get(ts[1]!.id)?.database_bytes, null);
    assert.equal(byId.get(ts[2]!.id)?.active_users, 1);
    // Measured this interval: the next look leaves them alone, across a new scan (a restart).
    const again = startMeasureScan(
      {
        ...deps(),
        pool: quota.pool,
        logger,
        intervalMs: 3_600_000,
        concurrency: 4,
        afterSample: async () => {},
      },
      { autoStart: false },
    );
    assert.equal(await again.runOnce(), 0);
    await scan.stop();
    await again.stop();
  });

  test('a scan of many tenants opens at most QUOTA_MAX_CONNECTIONS_PER_SERVER connections at once', async () => {
    const many = [];
    for (let i = 0; i < 30; i++) many.push(await tenant(`many${i}`));
    let peak = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await adminQuery<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1',
          [tenants.adminRole],
        );
        peak = Math.max(peak, rows[0]!.n);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const scan = startMeasureScan(
      {
        ...deps(),
        pool: quota.pool,
        logger,
        intervalMs: 3_600_000,
        concurrency: 20,
        afterSample: async () => {},
      },
      { autoStart: false },
    );
    const measured = await scan.runOnce();
    watching = false;
    await watch;
    await scan.stop();
    assert.ok(measured >= 30, `measured ${measured}`);
    assert.ok(peak >= 1, 'the scan was seen connecting');
    assert.ok(peak <= 3, `peak ${peak} connections of the measuring role`);
    const { rows } = await quota.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM usage_samples WHERE tenant_id = ANY($1) AND active_users = 1',
      [many.map((t) => t.id)],
    );
    assert.equal(rows[0]!.n, 30);
  });
  test('a sample that cannot be recorded leaves the scan going on, and its tenant waits for its claim to run out', async () => {
    const [bad, good] = [await tenant('rec1'), await tenant('rec2')];
    const scanDeps: ScanDeps = {
      ...deps(),
      pool: quota.pool,
      logger,
      intervalMs: 3_600_000,
      concurrency: 2,
      afterSample: async (sample) => {
        if (sample.tenantId === bad.id) throw new Error('enforcement failed');
      },
    };
    const scan = startMeasureScan(scanDeps, { autoStart: false });
    await scan.runOnce();
    // Again at once: the failed tenant is still claimed, so it is not measured over and over.
    assert.equal(await scan.runOnce(), 0);
    await scan.stop();
    const { rows } = await quota.pool.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM usage_samples WHERE tenant_id = ANY($1)',
      [[bad.id, good.id]],
    );
    assert.deepEqual(
      rows.map((r) => r.tenant_id),
      [good.id],
    );
  });

  test('quota.measure.now measures one tenant at once and records it; a tenant never heard of is not found', async () => {
    const t = await tenant('now');
    await tenants.query(
      t.db,
      "INSERT INTO res_users (login, active, share, company_id, partner_id) VALUES ('x', true, false, 1, 2)",
    );
    const handler = measureNowHandler({
      ...deps(),
      pool: quota.pool,
      logger,
      intervalMs: 3_600_000,
      concurrency: 1,
      afterSample: async () => {},
    });
    const { sample } = await handler({ tenantId: t.id }, { traceparent: '' });
    assert.equal(sample.activeUsers, 2);
    const { rows } = await quota.pool.query<{ n: number }>(
      'SELECT active_users::int AS n FROM usage_samples WHERE tenant_id = $1',
      [t.id],
    );
    assert.deepEqual(rows, [{ n: 2 }]);
    await assert.rejects(handler({ tenantId: randomUUID() }, { traceparent: '' }), {
      code: 'TENANT_NOT_FOUND',
    });
  });
});

describe('the scan schedule', { timeout: 60_000 }, () => {
  test('spreads a fleet over the interval: each tenant due once per interval, never all at once, across restarts', async () => {
    const quota = await createQuotaDatabase();
    try {
      const ids = Array.from({ length: 200 }, () => randomUUID());
      for (const id of ids)
        await knowTenant(quota.pool, { id, databaseName: `db${id.slice(0, 8)}`, filestoreDir: null });
      const intervalMs = 1_000_000;
      const steps = 10;
      const t0 = Date.parse('2030-01-01T00:00:00Z');
      const counts: number[] = [];
      const perTenant = new Map<string, number>();
      // Three intervals looked at ten times each, as the scan would (each look a fresh query: the
      // state is the database's alone, so a restart between looks changes nothing).
      for (let i = 0; i < 3 * steps; i++) {
        const now = new Date(t0 + (i * intervalMs) / steps);
        const due = await claimDueTenants(quota.pool, { now, intervalMs, limit: 1000, leaseMs: 1000 });
        for (const id of due) await markMeasured(quota.pool, id, now.toISOString());
        counts.push(due.length);
        if (i >= 2 * steps) for (const id of due) perTenant.set(id, (perTenant.get(id) ?? 0) + 1);
      }
      // The first look measures every tenant never measured; after that each comes at its slot.
      assert.equal(counts[0], 200);
      const third = counts.slice(2 * steps);
      assert.equal(
        third.reduce((a, b) => a + b, 0),
        200,
        `looks of the third interval: ${third.join(' ')}`,
      );
      assert.deepEqual(new Set(perTenant.values()), new Set([1]));
      // Spread over the looks after the first, the second interval too (the tenants measured
      // together at the first look come back each at its own slot): about 20 a look.
      const later = counts.slice(1);
      assert.ok(Math.max(...later) <= 45, `looks after the first: ${later.join(' ')}`);
    } finally {
      await quota.drop();
    }
  });
});
