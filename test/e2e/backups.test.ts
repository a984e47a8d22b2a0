import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminQuery, urlFor } from '@ocp/testkit';
import { queueScheduledBackups } from '../../services/backup/src/handlers/schedule.ts';
import { startS3rver, type TestS3 } from '../../services/backup/test/support/s3rver.ts';
import { type Platform, startPlatform } from '../support/platform.ts';
import { createTenant } from '../support/tenants.ts';
import { zipEntries } from '../support/zip.ts';

const limit = { timeout: 300_000 };

async function inDb<R extends Record<string, unknown>>(
  database: string,
  sql: string,
  values: unknown[] = [],
) {
  return (await adminQuery<R>(sql, values, urlFor(database))).rows;
}

const partners = async (database: string) =>
  (await inDb<{ name: string }>(database, 'SELECT name FROM res_partner ORDER BY id')).map((r) => r.name);

/** Every regular file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe(
  'backups: streamed to an S3 server encrypted, restored, downloaded and imported as Odoo zips',
  limit,
  () => {
    let p: Platform;
    let s3: TestS3;
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    let tenant: any;
    let filestoreRoot: string;
    const marker = `ocp-marker-${randomUUID()}`;
    const fileMarker = `file-marker-${randomUUID()}`;

    before(async () => {
      s3 = await startS3rver();
      p = await startPlatform({
        tenantEnv: { TENANT_DELETE_FINAL_BACKUP: 'true', TENANT_DELETE_GRACE_SECONDS: '4' },
        backup: true,
        backupEnv: {
          BACKUP_STORE: 's3',
          BACKUP_S3_ENDPOINT: s3.endpoint,
          BACKUP_S3_BUCKET: s3.bucket,
          BACKUP_S3_FORCE_PATH_STYLE: 'true',
          BACKUP_S3_ACCESS_KEY_ID: 'S3RVER',
          BACKUP_S3_SECRET_ACCESS_KEY: 'S3RVER',
          BACKUP_S3_PART_MB: '5',
        },
      });
      filestoreRoot = p.tenantEnv.TENANT_FILESTORE_DIR!;
      tenant = await createTenant(p, 'backed-up');
      await inDb(tenant.databaseName, 'INSERT INTO res_partner (name, active) VALUES ($1, true)', [marker]);
      await mkdir(path.join(filestoreRoot, tenant.databaseName, 'ab'), { recursive: true });
      await writeFile(path.join(filestoreRoot, tenant.databaseName, 'ab', 'abcdef'), fileMarker);
    });

    after(async () => {
      await p?.close();
      await s3?.close();
    });

    // biome-ignore lint/suspicious/noExplicitAny: see above.
    let backup: any;

    test('a backup runs as an operation with progress in bytes and lands in the catalog with its figures', async () => {
      const res = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/backups`);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.backup.state, 'queued');
      const op = await p.api.waitOperation(res.body.operation.id, 60_000);
      assert.equal(op.state, 'succeeded', JSON.stringify(op));
      assert.equal(op.kind, 'backup.run');
      assert.ok(op.bytesDone > 0, 'progress names the bytes stored');
      const list = await p.api.call('GET', `/api/v1/tenants/${tenant.id}/backups?limit=10`);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      assert.equal(list.body.items.length, 1);
      backup = list.body.items[0];
      assert.equal(backup.state, 'succeeded');
      assert.equal(backup.kind, 'manual');
      assert.match(backup.database.sha256, /^[0-9a-f]{64}$/);
      assert.match(backup.filestore.sha256, /^[0-9a-f]{64}$/);
      assert.equal(backup.filestore.files, 1);
      assert.ok(backup.database.tables > 10);
      assert.ok(backup.storedBytes > backup.filestore.bytes);
      assert.match(backup.postgresVersion, /^\d+/);
      assert.equal(backup.drill.state, 'none');
    });

    test('the bucket holds the backup as ciphertext only: no byte of the database or the files in the clear', async () => {
      const files = await filesUnder(s3.dir);
      assert.ok(files.length > 0);
      let bytes = 0;
      for (const f of files) {
        const content = await readFile(f);
        bytes += content.length;
        assert.equal(content.includes(marker), false, `${f} holds the database marker in the clear`);
        assert.equal(content.includes(fileMarker), false, `${f} holds the file marker in the clear`);
        assert.equal(content.includes('res_partner'), false, `${f} holds a table name in the clear`);
      }
      assert.ok(bytes >= backup.storedBytes, 'the object is in the bucket');
    });

    test('a restore into the same tenant brings back its rows and files, after a pre-restore backup', async () => {
      await inDb(tenant.databaseName, 'DELETE FROM res_partner WHERE name = $1', [marker]);
      await inDb(
        tenant.databaseName,
        "INSERT INTO res_partner (name, active) VALUES ('after the backup', true)",
      );
      await writeFile(path.join(filestoreRoot, tenant.databaseName, 'ab', 'abcdef'), 'changed');
      await writeFile(path.join(filestoreRoot, tenant.databaseName, 'ab', 'added'), 'added after');
      const before = await partners(tenant.databaseName);
      const res = await p.api.call('POST', `/api/v1/backups/${backup.id}/restore`, { tenantId: tenant.id });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const op = await p.api.waitOperation(res.body.operation.id, 60_000);
      assert.equal(op.state, 'succeeded', JSON.stringify(op));
      const after = await partners(tenant.databaseName);
      assert.ok(after.includes(marker));
      assert.ok(!after.includes('after the backup'));
      assert.notDeepEqual(after, before);
      assert.equal(
        await readFile(path.join(filestoreRoot, tenant.databaseName, 'ab', 'abcdef'), 'utf8'),
        fileMarker,
      );
      await assert.rejects(stat(path.join(filestoreRoot, tenant.databaseName, 'ab', 'added')));
      const t = await p.api.call('GET', `/api/v1/tenants/${tenant.id}`);
      assert.equal(t.body.state, 'active');
      const list = await p.api.call('GET', `/api/v1/tenants/${tenant.id}/backups?limit=10`);
      assert.deepEqual(
        list.body.items.map((b: { kind: string; state: string }) => `${b.kind}:${b.state}`).sort(),
        ['manual:succeeded', 'pre-restore:succeeded'],
      );
      // Nothing of the restore is left on the server: the replaced database is gone.
      const { rows } = await adminQuery<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname LIKE '%-%'",
        [`${tenant.databaseName.slice(0, 40)}%`],
      );
      assert.deepEqual(rows, []);
    });

    let copy: { id: string; databaseName: string } | undefined;

    test('a restore into a new tenant makes an independent copy on the same runtime', async () => {
      const slug = `${tenant.slug.slice(0, 20)}-copy`;
      const res = await p.api.call('POST', `/api/v1/backups/${backup.id}/restore`, { newTenant: { slug } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const op = await p.api.waitOperation(res.body.operation.id, 60_000);
      assert.equal(op.state, 'succeeded', JSON.stringify(op));
      const list = await p.api.call('GET', `/api/v1/tenants?slugPrefix=${slug}&limit=5`);
      const found = list.body.items.find((t: { slug: string }) => t.slug === slug);
      assert.ok(found, JSON.stringify(list.body));
      assert.equal(found.state, 'active');
      assert.equal(found.sourceTenantId, tenant.id);
      copy = found;
      assert.ok((await partners(found.databaseName)).includes(marker));
      await inDb(
        found.databaseName,
        "INSERT INTO res_partner (name, active) VALUES ('only in the copy', true)",
      );
      assert.ok(!(await partners(tenant.databaseName)).includes('only in the copy'));
      assert.equal(
        await readFile(path.join(filestoreRoot, found.databaseName, 'ab', 'abcdef'), 'utf8'),
        fileMarker,
      );
    });

    let zip: Buffer;

    test("a backup downloads as the zip Odoo's database manager writes", async () => {
      const res = await fetch(`${p.gateway.url}/api/v1/backups/${backup.id}/download`, {
        headers: { authorization: `Bearer ${p.api.token}` },
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('content-type'), 'application/zip');
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=".+\.zip"/);
      zip = Buffer.from(await res.arrayBuffer());
      const entries = await zipEntries(zip);
      assert.ok(entries.has('dump.sql'));
      assert.ok(entries.has('manifest.json'));
      assert.equal(entries.get('filestore/ab/abcdef')?.toString(), fileMarker);
      const manifest = JSON.parse(entries.get('manifest.json')!.toString());
      assert.deepEqual(Object.keys(manifest).sort(), [
        'db_name',
        'major_version',
        'modules',
        'odoo_dump',
        'pg_version',
        'version',
        'version_info',
      ]);
      assert.equal(manifest.odoo_dump, '1');
      assert.equal(manifest.db_name, tenant.databaseName);
      const sql = entries.get('dump.sql')!.toString();
      assert.ok(sql.includes(marker));
      assert.doesNotMatch(sql, /^\\(un)?restrict /m);
      assert.doesNotMatch(sql, /OWNER TO/);
    });

    test('that zip imports as a new working tenant', async () => {
      const slug = `${tenant.slug.slice(0, 20)}-imp`;
      const res = await fetch(`${p.gateway.url}/api/v1/tenants/import?slug=${slug}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.api.token}`, 'content-type': 'application/zip' },
        body: zip,
      });
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      const body: any = await res.json();
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.equal(body.tenant.state, 'active');
      assert.equal(body.operation.state, 'succeeded');
      assert.ok((await partners(body.tenant.databaseName)).includes(marker));
      assert.equal(
        await readFile(path.join(filestoreRoot, body.tenant.databaseName, 'ab', 'abcdef'), 'utf8'),
        fileMarker,
      );
      const owner = await adminQuery<{ owner: string }>(
        'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
        [body.tenant.databaseName],
      );
      assert.equal(owner.rows[0]?.owner, p.tenantEnv.TENANT_DEFAULT_RUNTIME_ROLE);
    });

    test('a zip without a manifest is refused, and no tenant is left active', async () => {
      const slug = `${tenant.slug.slice(0, 20)}-bad`;
      const res = await fetch(`${p.gateway.url}/api/v1/tenants/import?slug=${slug}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.api.token}`, 'content-type': 'application/zip' },
        body: Buffer.from('PK\u0003\u0004 this is not a zip'),
      });
      const body: unknown = await res.json();
      assert.equal(res.status, 422, JSON.stringify(body));
      const list = await p.api.call('GET', `/api/v1/tenants?slugPrefix=${slug}&limit=5`);
      for (const t of list.body.items) assert.notEqual(t.state, 'active');
    });

    test("another tenant's backup is refused for a tenant, and an unknown backup is not found", async () => {
      assert.ok(copy);
      const other = await p.api.call('POST', `/api/v1/backups/${backup.id}/restore`, { tenantId: copy.id });
      assert.equal(other.status, 422, JSON.stringify(other.body));
      assert.equal(other.body.code, 'BACKUP_UNUSABLE');
      const missing = await p.api.call('POST', `/api/v1/backups/${randomUUID()}/restore`, {
        tenantId: tenant.id,
      });
      assert.equal(missing.status, 404, JSON.stringify(missing.body));
    });

    test('a drill restores into a scratch database, compares, records the result and drops it', async () => {
      const res = await p.api.call('POST', `/api/v1/backups/${backup.id}/drill`);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const op = await p.api.waitOperation(res.body.operation.id, 60_000);
      assert.equal(op.state, 'succeeded', JSON.stringify(op));
      const b = await p.api.call('GET', `/api/v1/backups/${backup.id}`);
      assert.equal(b.body.drill.state, 'passed', JSON.stringify(b.body));
      const { rows } = await adminQuery("SELECT datname FROM pg_database WHERE datname LIKE 'ocp-drill-%'");
      assert.deepEqual(rows, []);
    });

    test('a suspended tenant is backed up from a momentary copy, and its database stays shut', async () => {
      assert.ok(copy);
      const suspend = await p.api.call('POST', `/api/v1/tenants/${copy.id}/suspend`, { reason: 'manual' });
      assert.equal(suspend.status, 202, JSON.stringify(suspend.body));
      assert.equal((await p.api.waitOperation(suspend.body.operation.id)).state, 'succeeded');
      const res = await p.api.call('POST', `/api/v1/tenants/${copy.id}/backups`);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const op = await p.api.waitOperation(res.body.operation.id, 60_000);
      assert.equal(op.state, 'succeeded', JSON.stringify(op));
      const shut = await adminQuery<{ allow: boolean }>(
        'SELECT datallowconn AS allow FROM pg_database WHERE datname = $1',
        [copy.databaseName],
      );
      assert.equal(shut.rows[0]?.allow, false);
      const { rows } = await adminQuery("SELECT datname FROM pg_database WHERE datname LIKE 'ocp-bk-%'");
      assert.deepEqual(rows, []);
      const b = await p.api.call('GET', `/api/v1/backups/${res.body.backup.id}`);
      assert.ok(b.body.database.tables > 10);
    });

    test('one byte changed in the stored object fails the restore clearly, and the tenant keeps its database', async () => {
      const objects = (await filesUnder(s3.dir)).filter(
        (f) => f.includes(backup.id) && !f.includes('metadata'),
      );
      assert.ok(objects.length > 0, 'the object file of the backup');
      const biggest = (await Promise.all(objects.map(async (f) => ({ f, size: (await stat(f)).size })))).sort(
        (a, b) => b.size - a.size,
      )[0]!.f;
      const content = await readFile(biggest);
      const at = Math.floor(content.length / 2);
      content[at] = content[at]! ^ 0x01;
      await writeFile(biggest, content);
      await inDb(tenant.databaseName, "INSERT INTO res_partner (name, active) VALUES ('kept', true)");
      const res = await p.api.call('POST', `/api/v1/backups/${backup.id}/restore`, { tenantId: tenant.id });
      assert.equal(res.status, 202);
      const op = await p.api.waitOperation(res.body.operation.id, 60_000);
      assert.equal(op.state, 'failed');
      assert.match(op.error, /decrypt|damaged|integrity|authenticat/i);
      assert.ok((await partners(tenant.databaseName)).includes('kept'));
      const t = await p.api.call('GET', `/api/v1/tenants/${tenant.id}`);
      assert.equal(t.body.state, 'active');
    });

    test('a deletion takes a final backup and waits out its grace period, during which it can be undone', async () => {
      const t = await createTenant(p, 'leaving');
      await inDb(t.databaseName, 'INSERT INTO res_partner (name, active) VALUES ($1, true)', [marker]);
      const del = await p.api.call('DELETE', `/api/v1/tenants/${t.id}`);
      assert.equal(del.status, 202, JSON.stringify(del.body));
      const op = await p.api.waitOperation(del.body.operation.id, 60_000);
      assert.equal(op.state, 'succeeded', JSON.stringify(op));
      assert.match(op.result?.finalBackupId, /^[0-9a-f-]{36}$/, JSON.stringify(op));
      const deleting = await p.api.call('GET', `/api/v1/tenants/${t.id}`);
      assert.equal(deleting.body.state, 'deleting');
      assert.ok(Date.parse(deleting.body.purgeAfter) > Date.now());
      const final = await p.api.call('GET', `/api/v1/backups/${op.result.finalBackupId}`);
      assert.equal(final.body.kind, 'final');
      assert.equal(final.body.state, 'succeeded');
      const shut = await adminQuery<{ allow: boolean }>(
        'SELECT datallowconn AS allow FROM pg_database WHERE datname = $1',
        [t.databaseName],
      );
      assert.equal(shut.rows[0]?.allow, false, 'shut during the grace period');
      const undo = await p.api.call('POST', `/api/v1/tenants/${t.id}/undelete`);
      assert.equal(undo.status, 200, JSON.stringify(undo.body));
      assert.equal(undo.body.state, 'active');
      assert.equal(undo.body.purgeAfter, null);
      assert.ok((await partners(t.databaseName)).includes(marker), 'its data is back and open');
      // Deleted again, and left alone: the grace period ends and the database goes.
      const again = await p.api.call('DELETE', `/api/v1/tenants/${t.id}`);
      assert.equal((await p.api.waitOperation(again.body.operation.id, 60_000)).state, 'succeeded');
      const until = Date.now() + 30_000;
      for (;;) {
        const now = await p.api.call('GET', `/api/v1/tenants/${t.id}`);
        if (now.status === 404 || now.body.state === 'deleted') break;
        assert.ok(Date.now() < until, `still ${now.body.state}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const gone = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [t.databaseName]);
      assert.equal(gone.rowCount, 0);
      const late = await p.api.call('POST', `/api/v1/tenants/${t.id}/undelete`);
      assert.equal(late.status, 404, JSON.stringify(late.body));
      // The final backup outlives the tenant, and restores it as a new one.
      const restore = await p.api.call('POST', `/api/v1/backups/${op.result.finalBackupId}/restore`, {
        newTenant: { slug: 'came-back' },
      });
      assert.equal(restore.status, 202, JSON.stringify(restore.body));
      const back = await p.api.waitOperation(restore.body.operation.id, 60_000);
      assert.equal(back.state, 'succeeded', JSON.stringify(back));
    });

    test("an operator sets a tenant's backup window, and can give it back to the derived one", async () => {
      const derived = await p.api.call('GET', `/api/v1/tenants/${tenant.id}/backup-window`);
      assert.equal(derived.status, 200, JSON.stringify(derived.body));
      assert.equal(derived.body.derived, true);
      assert.match(derived.body.windowStart, /^\d\d:\d\d$/);
      const set = await p.api.call('PUT', `/api/v1/tenants/${tenant.id}/backup-window`, {
        windowStart: '01:15',
        windowMinutes: 60,
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body, {
        tenantId: tenant.id,
        windowStart: '01:15',
        windowMinutes: 60,
        derived: false,
      });
      const bad = await p.api.call('PUT', `/api/v1/tenants/${tenant.id}/backup-window`, {
        windowStart: '25:00',
      });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      const back = await p.api.call('PUT', `/api/v1/tenants/${tenant.id}/backup-window`, {
        windowStart: null,
      });
      assert.equal(back.body.derived, true);
      assert.equal(back.body.windowStart, derived.body.windowStart);
      assert.equal(back.body.windowMinutes, 60);
    });

    test('the schedule backs a tenant up once inside its window, and not outside it', async () => {
      const t = await createTenant(p, 'scheduled');
      const set = await p.api.call('PUT', `/api/v1/tenants/${t.id}/backup-window`, {
        windowStart: '03:00',
        windowMinutes: 60,
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const ctx = p.backup!.parts.ctx;
      const at = (hhmm: string) => ({ ...ctx, now: () => new Date(`2030-01-02T${hhmm}:00Z`) });
      const backupsOf = async () =>
        (await p.api.call('GET', `/api/v1/tenants/${t.id}/backups?limit=10`)).body.items as Array<{
          kind: string;
        }>;
      await queueScheduledBackups(at('02:59'));
      await queueScheduledBackups(at('04:00'));
      assert.deepEqual(await backupsOf(), []);
      await queueScheduledBackups(at('03:30'));
      await queueScheduledBackups(at('03:31'));
      const taken = await backupsOf();
      assert.deepEqual(
        taken.map((b) => b.kind),
        ['scheduled'],
      );
    });
  },
);
