import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminQuery } from '@ocp/testkit';
import {
  type BackupKeyring,
  createBackupKeyring,
  createS3Store,
  findPgTools,
  type ObjectStore,
  type PgTools,
  writeBackup,
} from '../src/pipeline/index.ts';
import { backupSessions, createSourceDatabase, type SourceDatabase } from './support/pipeline-fixtures.ts';
import { startS3rver, type TestS3 } from './support/s3rver.ts';

/** The command lines of this process's pg_dump children. */
async function pgDumpCommandLines(): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
      if (cmd.includes('pg_dump')) out.push(cmd);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function objectsUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys;
}

describe('a backup that fails leaves nothing behind', () => {
  let s3: TestS3;
  let tools: PgTools;
  let source: SourceDatabase;
  let store: ObjectStore;
  let keyring: BackupKeyring;
  let keyDir: string;
  const password = `pw-${randomUUID()}`;
  const role = `ocp_bk_role_${randomUUID().slice(0, 8)}`;

  before(async () => {
    [s3, tools, source] = await Promise.all([startS3rver(), findPgTools(15), createSourceDatabase(250_000)]);
    // A login with a password, to see where the password goes (trust auth accepts it regardless).
    await adminQuery(`CREATE ROLE "${role}" LOGIN SUPERUSER PASSWORD '${password}'`);
    source.connection.user = role;
    source.connection.password = password;
    store = createS3Store({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      partSizeBytes: 5 * 1024 * 1024,
    });
    keyDir = await mkdtemp(join(tmpdir(), 'ocp-bk-key-'));
    keyring = await createBackupKeyring({ kind: 'local', keyFile: join(keyDir, 'backup.key') });
  });
  after(async () => {
    await Promise.allSettled([
      source?.drop(),
      s3?.close(),
      keyDir && rm(keyDir, { recursive: true, force: true }),
    ]);
    await adminQuery(`DROP ROLE IF EXISTS "${role}"`);
  });

  test('pg_dump ended mid-dump fails with DumpFailedError, stores nothing and ends the sessions', async () => {
    const ids = { tenantId: 't1', backupId: randomUUID() };
    let terminated: Promise<unknown> | undefined;
    await assert.rejects(
      writeBackup({
        tools,
        source: source.connection,
        filestoreDir: null,
        ids,
        store,
        key: `dumpfail/${ids.backupId}`,
        keyring,
        onProgress: (p) => {
          if (p.dumpedBytes > 0 && !terminated)
            terminated = adminQuery(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = $1 AND application_name = 'ocp-backup pg_dump'`,
              [source.name],
            );
        },
      }),
      (err: Error) => {
        assert.equal(err.name, 'DumpFailedError');
        assert.match(err.message, /pg_dump exited with code 1: .*terminat/s);
        return true;
      },
    );
    await terminated;
    assert.deepEqual(await objectsUnder(store, 'dumpfail/'), []);
    assert.equal(await backupSessions(source.name), 0);
    assert.deepEqual(await pgDumpCommandLines(), []);
  });

  test('an abort mid-upload rejects, stores nothing, and pg_dump had no password on its command line', async () => {
    const ids = { tenantId: 't1', backupId: randomUUID() };
    const ac = new AbortController();
    // pg_dump's command line is read while pg_dump surely runs: the upload takes nothing until the
    // look is done, so back-pressure holds pg_dump (however fast the dump, however slow /proc).
    let lines: string[] | undefined;
    const held: ObjectStore = {
      ...store,
      async upload(key, body, opts) {
        lines = await pgDumpCommandLines();
        return store.upload(key, body, opts);
      },
    };
    await assert.rejects(
      writeBackup({
        tools,
        source: source.connection,
        filestoreDir: null,
        ids,
        store: held,
        key: `aborted/${ids.backupId}`,
        keyring,
        signal: ac.signal,
        onProgress: (p) => {
          // Past one 5 MiB part: the multipart upload is under way.
          if (p.dumpedBytes > 7 * 1024 * 1024) ac.abort(new Error('stopped by the test'));
        },
      }),
      /stopped by the test/,
    );
    assert.equal(lines?.length, 1, 'pg_dump ran');
    assert.ok(!lines?.[0]?.includes(password), 'the password is not on the command line');
    assert.deepEqual(await objectsUnder(store, 'aborted/'), []);
    assert.equal(await backupSessions(source.name), 0);
  });

  test('a backup stopped while it opens its snapshot rejects with the reason, and leaves nothing', async () => {
    // A worker stopping at that moment: before, the store refused the aborted upload and the body,
    // destroyed with the reason and listened to by no one, crashed the process.
    const ids = { tenantId: 't1', backupId: randomUUID() };
    const ac = new AbortController();
    const running = writeBackup({
      tools,
      source: source.connection,
      filestoreDir: null,
      ids,
      store,
      key: `stopped/${ids.backupId}`,
      keyring,
      signal: ac.signal,
    });
    // writeBackup is now waiting for its snapshot's connection.
    ac.abort(new Error('the worker is stopping'));
    await assert.rejects(running, /the worker is stopping/);
    assert.deepEqual(await objectsUnder(store, 'stopped/'), []);
    assert.equal(await backupSessions(source.name), 0);
    assert.deepEqual(await pgDumpCommandLines(), []);
  });

  test('an unreachable store fails with StoreError and ends pg_dump', async () => {
    const s3down = createS3Store({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      bucket: s3.bucket,
      accessKeyId: 'x',
      secretAccessKey: 'y',
      maxAttempts: 1,
    });
    const ids = { tenantId: 't1', backupId: randomUUID() };
    await assert.rejects(
      writeBackup({
        tools,
        source: source.connection,
        filestoreDir: null,
        ids,
        store: s3down,
        key: 'k',
        keyring,
      }),
      (err: Error) => {
        assert.equal(err.name, 'StoreError');
        assert.match(err.message, /ECONNREFUSED/);
        return true;
      },
    );
    assert.equal(await backupSessions(source.name), 0);
    assert.deepEqual(await pgDumpCommandLines(), []);
  });

  test('a store that refuses the upload fails with StoreError and keeps nothing', async () => {
    const wrongBucket = createS3Store({
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: `${s3.bucket}-absent`,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      maxAttempts: 1,
    });
    const ids = { tenantId: 't1', backupId: randomUUID() };
    await assert.rejects(
      writeBackup({
        tools,
        source: source.connection,
        filestoreDir: null,
        ids,
        store: wrongBucket,
        key: 'k',
        keyring,
      }),
      (err: Error) => err.name === 'StoreError' && /NoSuchBucket/.test(err.message),
    );
    assert.equal(await backupSessions(source.name), 0);
    assert.deepEqual(await objectsUnder(store, ''), []);
  });
});
