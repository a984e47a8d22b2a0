import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import tar from 'tar-stream';
import {
  type BackupKeyring,
  createBackupKeyring,
  createS3Store,
  findPgTools,
  type ObjectStore,
  type PgTools,
  readBackup,
  restoreBackup,
  writeBackup,
} from '../src/pipeline/index.ts';
import { type KmsDouble, startKmsDouble } from './support/kms-double/index.ts';
import {
  createFilestore,
  createSourceDatabase,
  createTargetDatabase,
  type Filestore,
  readTree,
  type SourceDatabase,
  tableContents,
} from './support/pipeline-fixtures.ts';
import { readServerFiles, readStoredObjects, startS3rver, type TestS3 } from './support/s3rver.ts';

/** A consumer that reads an entry to its end, or fails with it. */
async function drain(e: { stream: Readable }): Promise<void> {
  for await (const _ of e.stream);
}

/** The archive inside a stored backup, decrypted with the SDK directly: entry names and the plaintext. */
async function openArchive(bytes: Buffer, k: BackupKeyring): Promise<{ names: string[]; plaintext: Buffer }> {
  const { decryptUnsignedMessageStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const chunks: Buffer[] = [];
  for await (const c of Readable.from([bytes]).pipe(decryptUnsignedMessageStream(k.keyring)))
    chunks.push(c as Buffer);
  const plaintext = Buffer.concat(chunks);
  const names: string[] = [];
  const extract = tar.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      names.push(entry.header.name);
      entry.resume();
    }
  })();
  extract.end(plaintext);
  await reading;
  return { names, plaintext };
}

describe('a backup through S3 and KMS', () => {
  let s3: TestS3;
  let kms: KmsDouble;
  let tools: PgTools;
  let source: SourceDatabase;
  let files: Filestore;
  let store: ObjectStore;
  let keyring: BackupKeyring;
  const ids = { tenantId: `t-${randomUUID()}`, backupId: `b-${randomUUID()}` };
  const key = `tenants/${ids.tenantId}/${ids.backupId}.ocpbak`;
  let written: Awaited<ReturnType<typeof writeBackup>>;
  const progress: Array<{ dumpedBytes: number; fileBytes: number; storedBytes: number }> = [];

  before(async () => {
    [s3, kms, tools] = await Promise.all([startS3rver(), startKmsDouble(), findPgTools(15)]);
    // ~16 MB of hex text: the dump is cut into two or more 8 MiB parts, and the upload is multipart.
    [source, files] = await Promise.all([createSourceDatabase(250_000), createFilestore(6 * 1024 * 1024)]);
    store = createS3Store({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      partSizeBytes: 5 * 1024 * 1024,
    });
    keyring = await createBackupKeyring({
      kind: 'kms',
      keyId: kms.keyId,
      region: kms.region,
      endpoint: kms.url,
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'kms-test-secret',
    });
    written = await writeBackup({
      tools,
      source: source.connection,
      filestoreDir: files.dir,
      ids,
      odooVersion: { version: '17.0', versionInfo: [17, 0, 0, 'final', 0, ''] },
      store,
      key,
      keyring,
      onProgress: (p) => progress.push(p),
    });
  });
  after(async () => {
    await Promise.allSettled([source?.drop(), files?.remove(), s3?.close(), kms?.close()]);
  });

  test('the manifest describes the database, its modules and the files', async () => {
    const m = written.manifest;
    assert.equal(m.format, 'ocp-backup/1');
    assert.equal(m.tenantId, ids.tenantId);
    assert.equal(m.databaseName, source.name);
    assert.deepEqual(m.odoo.modules, { base: '17.0.1.3', sale: '17.0.1.2' });
    assert.equal(m.odoo.version, '17.0');
    assert.equal(m.database.tables['public.bulk'], 250_000);
    assert.equal(m.database.tables[`public.${source.markerTable}`], 1);
    assert.equal(m.database.tables['Odd "schema".;DROP TABLE x;'], 50);
    assert.equal(m.database.tables['public.empty_table'], 0);
    assert.match(m.postgres.serverVersion, /^15\./);
    assert.equal(m.postgres.pgDumpVersion, tools.version);
    // The symlinks are not stored; the four regular files are.
    assert.equal(m.filestore.files, 4);
    assert.equal(
      m.filestore.bytes,
      6 * 1024 * 1024 + `attachment ${files.fileMarker} end`.length + 'non-ascii name'.length,
    );
    const head = await store.head(key);
    assert.equal(head?.size, written.storedBytes);
    assert.ok(kms.calls.GenerateDataKey === 1, 'the data key came from KMS');
  });

  test('progress counts the dump, the files and the stored bytes up to the totals', () => {
    const last = progress.at(-1);
    assert.equal(last?.dumpedBytes, written.manifest.database.bytes);
    assert.equal(last?.fileBytes, written.manifest.filestore.bytes);
    assert.equal(last?.storedBytes, written.storedBytes);
    for (let i = 1; i < progress.length; i++) {
      const a = progress[i - 1];
      const b = progress[i];
      assert.ok(a && b && b.dumpedBytes >= a.dumpedBytes && b.fileBytes >= a.fileBytes);
    }
  });

  test('the archive holds the dump in 8 MiB parts, then the files, then the manifest', async () => {
    const [obj] = await readStoredObjects(s3, key);
    assert.ok(obj);
    const { names } = await openArchive(obj.bytes, keyring);
    const parts = names.filter((n) => n.startsWith('database/'));
    assert.ok(
      parts.length >= 2,
      `the dump of ${written.manifest.database.bytes} bytes is in ${parts.length} parts`,
    );
    assert.deepEqual(
      parts,
      parts.map((_, i) => `database/${String(i).padStart(6, '0')}`),
    );
    assert.deepEqual(names.slice(parts.length), [
      'filestore/ab/ab12cd34',
      'filestore/cd/deeper/big.bin',
      'filestore/cd/empty',
      'filestore/ünï/cödé €.txt',
      'manifest.json',
    ]);
  });

  test('no stored byte holds the row, the file or the table name in the clear', async () => {
    // The encryption context (tenant and backup ids) is in the clear by design: authenticated, not secret.
    const markers = [source.rowMarker, files.fileMarker, source.markerTable];
    const objects = await readStoredObjects(s3, 'tenants/');
    assert.equal(objects.length, 1);
    const [obj] = objects;
    assert.ok(obj);
    // The search can fail: decrypted, the same bytes hold the file and the table name.
    const { plaintext } = await openArchive(obj.bytes, keyring);
    assert.ok(plaintext.includes(files.fileMarker) && plaintext.includes(source.markerTable));
    for (const m of markers) assert.ok(!obj.bytes.includes(m), `the stored object holds ${m}`);
    // Everything s3rver keeps on disk too: objects, metadata, multipart parts.
    for (const f of await readServerFiles(s3))
      for (const m of markers) assert.ok(!f.bytes.includes(m), `${f.path} holds ${m}`);
  });

  test('a restore gives the same rows, owner and files', async () => {
    const target = await createTargetDatabase();
    const restoredFiles = await mkdtemp(join(tmpdir(), 'ocp-bk-restore-'));
    try {
      let read = 0;
      const manifest = await restoreBackup({
        store,
        key,
        keyring,
        expect: ids,
        tools,
        target: target.connection,
        ownerRole: target.ownerRole,
        filestoreDir: join(restoredFiles, 'fs'),
        onProgress: (n) => {
          read = n;
        },
      });
      assert.deepEqual(manifest, written.manifest);
      assert.equal(read, written.storedBytes);
      assert.deepEqual(await tableContents(target.url), await tableContents(source.url));
      const owners = await import('@ocp/testkit').then(({ adminQuery }) =>
        adminQuery<{ owner: string }>(
          `SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
          [],
          target.url,
        ),
      );
      assert.deepEqual(
        owners.rows.map((r) => r.owner),
        [target.ownerRole],
      );
      const want = await readTree(files.dir);
      const got = await readTree(join(restoredFiles, 'fs'));
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
      for (const [p, content] of want) assert.ok(got.get(p)?.equals(content), `${p} differs`);
      await assert.rejects(stat(join(restoredFiles, 'fs', 'ab', 'link-to-file')), { code: 'ENOENT' });
    } finally {
      await target.drop();
      await rm(restoredFiles, { recursive: true, force: true });
    }
  });

  test('one changed byte anywhere in the stored object fails the read', async () => {
    const [obj] = await readStoredObjects(s3, key);
    assert.ok(obj);
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    try {
      const n = obj.bytes.length;
      // The header (context, data key), the first frame, a middle frame, the final frame's tag.
      for (const at of [20, 400, Math.floor(n / 2), n - 3]) {
        const changed = Buffer.from(obj.bytes);
        changed[at] = (changed[at] ?? 0) ^ 0x01;
        const tampered = `tampered/${at}.ocpbak`;
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: tampered, Body: changed }));
        await assert.rejects(
          readBackup({ store, key: tampered, keyring, expect: ids }, drain),
          (err: Error) => ['BackupKeyError', 'BackupIntegrityError'].includes(err.name),
          `a change at byte ${at} of ${n} went unnoticed`,
        );
      }
      // Cut short at a frame boundary's neighbourhood and in the middle.
      for (const length of [n - 1, Math.floor(n / 3)]) {
        const cut = `tampered/cut-${length}.ocpbak`;
        await client.send(
          new PutObjectCommand({ Bucket: s3.bucket, Key: cut, Body: obj.bytes.subarray(0, length) }),
        );
        await assert.rejects(
          readBackup({ store, key: cut, keyring, expect: ids }, drain),
          (err: Error) => ['BackupKeyError', 'BackupIntegrityError'].includes(err.name),
          `a backup cut to ${length} of ${n} bytes was read`,
        );
      }
    } finally {
      client.destroy();
    }
  });

  test("another KMS key, or another tenant's or backup's id, does not decrypt it", async () => {
    const otherKey = await createBackupKeyring({
      kind: 'kms',
      keyId: kms.createKey(),
      region: kms.region,
      endpoint: kms.url,
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'kms-test-secret',
    });
    await assert.rejects(readBackup({ store, key, keyring: otherKey, expect: ids }, drain), {
      name: 'BackupKeyError',
    });
    let handed = 0;
    await assert.rejects(
      readBackup({ store, key, keyring, expect: { ...ids, tenantId: 't-other' } }, async (e) => {
        handed += 1;
        await drain(e);
      }),
      (err: Error) => err.name === 'BackupKeyError' && /tenant/.test(err.message),
    );
    await assert.rejects(
      readBackup({ store, key, keyring, expect: { ...ids, backupId: 'b-other' } }, drain),
      {
        name: 'BackupKeyError',
      },
    );
    assert.equal(handed, 0, 'nothing of a backup for another tenant reaches the consumer');
  });

  test('a missing object is ObjectMissingError', async () => {
    await assert.rejects(
      readBackup({ store, key: 'tenants/none.ocpbak', keyring, expect: ids }, async () => {}),
      { name: 'ObjectMissingError' },
    );
  });
});
