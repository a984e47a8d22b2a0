import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Bus } from '@ocp/bus';
import type { Tenant } from '@ocp/contracts';
import { createOdooClient } from '@ocp/odoo';
import { adminQuery } from '@ocp/testkit';
import { type KmsDouble, startKmsDouble } from '../../services/backup/test/support/kms-double/index.ts';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { dropOwnedDatabases, ended, startDoubleRuntime } from '../support/odoo-tenants.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { zipEntries } from '../support/zip.ts';

const limit = { timeout: 300_000 };

const ownerOf = async (database: string) =>
  (
    await adminQuery<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    )
  ).rows[0]?.owner;

describe(
  'backups of tenants on an Odoo runtime (the protocol double), under a KMS key (the KMS double)',
  limit,
  () => {
    let p: Platform;
    let bus: Bus;
    let odoo: OdooDouble;
    let dataDir: string;
    let runtimeRole: string | undefined;
    let runtimeId: string;
    let source: Tenant;
    let adminPassword: string;
    let kms: KmsDouble;

    before(async () => {
      kms = await startKmsDouble();
      // Each backup's data key comes from KMS through the real @aws-sdk/client-kms.
      p = await startPlatform({
        backup: true,
        backupEnv: {
          BACKUP_KEYS: 'kms',
          BACKUP_KMS_KEY_ID: kms.keyId,
          BACKUP_KMS_REGION: kms.region,
          BACKUP_KMS_ENDPOINT: kms.url,
          BACKUP_KMS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          BACKUP_KMS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        },
      });
      bus = await p.busAs('gateway');
      let filestore: string;
      let runtime: { id: string };
      ({ odoo, role: runtimeRole, dataDir, filestore, runtime } = await startDoubleRuntime(bus, p.prefix));
      runtimeId = runtime.id;
      const created = await bus.request('tenant.create.v1', {
        slug: 'odoo-shop',
        displayName: 'Odoo shop',
        plan: 'starter',
        runtimeId,
        adminLogin: 'owner@example.com',
        companyName: 'Shop Ltd',
      });
      assert.equal((await ended(bus, created.operation.id)).state, 'succeeded');
      adminPassword = created.adminPassword!;
      source = (await bus.request('tenant.get.v1', { tenantId: created.tenant.id })).tenant;
      const install = await bus.request('tenant.module.v1', {
        tenantId: source.id,
        module: 'crm',
        action: 'install',
      });
      assert.equal((await ended(bus, install.operation.id)).state, 'succeeded');
      await mkdir(path.join(filestore, source.databaseName, 'ab'), { recursive: true });
      await writeFile(path.join(filestore, source.databaseName, 'ab', 'abc123'), 'an attachment');
    });

    after(async () => {
      await odoo?.close();
      if (runtimeRole) await dropOwnedDatabases(runtimeRole);
      await p?.close();
      await kms?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    let backup: any;
    let zip: Buffer;

    test('the backup records the Odoo version and the installed modules', async () => {
      const res = await p.api.call('POST', `/api/v1/tenants/${source.id}/backups`);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal((await p.api.waitOperation(res.body.operation.id, 60_000)).state, 'succeeded');
      backup = (await p.api.call('GET', `/api/v1/backups/${res.body.backup.id}`)).body;
      assert.equal(backup.odooVersion, '18.0');
      assert.ok(backup.modules >= 2, JSON.stringify(backup));
      assert.ok((kms.calls.GenerateDataKey ?? 0) >= 1, 'a data key from KMS');
    });

    test("its Odoo zip carries Odoo's manifest with the version and the modules", async () => {
      const res = await fetch(`${p.gateway.url}/api/v1/backups/${backup.id}/download`, {
        headers: { authorization: `Bearer ${p.api.token}` },
      });
      assert.equal(res.status, 200);
      zip = Buffer.from(await res.arrayBuffer());
      const entries = await zipEntries(zip);
      const manifest = JSON.parse(entries.get('manifest.json')!.toString());
      assert.equal(manifest.version, '18.0');
      assert.equal(manifest.major_version, '18.0');
      assert.deepEqual(manifest.version_info.slice(0, 2), [18, 0]);
      assert.ok('base' in manifest.modules && 'crm' in manifest.modules, JSON.stringify(manifest.modules));
      assert.equal(entries.get('filestore/ab/abc123')?.toString(), 'an attachment');
    });

    test('a restore into a new tenant is an Odoo database the runtime serves, owned by its role', async () => {
      const res = await p.api.call('POST', `/api/v1/backups/${backup.id}/restore`, {
        newTenant: { slug: 'odoo-shop-restored' },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const op = await p.api.waitOperation(res.body.operation.id, 60_000);
      assert.equal(op.state, 'succeeded', JSON.stringify(op));
      const { tenant } = await bus.request('tenant.get.v1', { tenantId: op.result.tenantId });
      assert.equal(tenant.runtimeId, runtimeId);
      assert.equal(await ownerOf(tenant.databaseName), runtimeRole);
      const client = createOdooClient({ url: odoo.url, timeoutMs: 10_000 });
      assert.equal(await client.authenticate(tenant.databaseName, 'owner@example.com', adminPassword), 2);
      const filestore = path.join(dataDir, 'filestore', tenant.databaseName, 'ab', 'abc123');
      assert.equal(await readFile(filestore, 'utf8'), 'an attachment');
      assert.ok((kms.calls.Decrypt ?? 0) >= 1, 'the data key unwrapped by KMS');
    });

    test('the Odoo zip imports onto the runtime as a tenant whose administrator logs in', async () => {
      const res = await fetch(
        `${p.gateway.url}/api/v1/tenants/import?slug=odoo-shop-imported&runtimeId=${runtimeId}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${p.api.token}`, 'content-type': 'application/zip' },
          body: zip,
        },
      );
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      const body: any = await res.json();
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.equal(body.tenant.runtimeId, runtimeId);
      assert.equal(await ownerOf(body.tenant.databaseName), runtimeRole);
      const client = createOdooClient({ url: odoo.url, timeoutMs: 10_000 });
      assert.equal(
        await client.authenticate(body.tenant.databaseName, 'owner@example.com', adminPassword),
        2,
      );
      const installed = await bus.request('tenant.modules.list.v1', {
        tenantId: body.tenant.id,
        limit: 100,
        state: 'installed',
      });
      assert.ok(installed.items.some((m: { name: string }) => m.name === 'crm'));
    });
  },
);
