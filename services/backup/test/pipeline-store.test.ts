import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  connectionFromUrl,
  createBackupKeyring,
  createDirStore,
  createS3Store,
  findPgTools,
  type ObjectStore,
  type PgTools,
  pgEnv,
  readBackup,
  restoreBackup,
  writeBackup,
} from '../src/pipeline/index.ts';
import {
  createSourceDatabase,
  createTargetDatabase,
  type SourceDatabase,
  tableContents,
} from './support/pipeline-fixtures.ts';
import { startS3rver, type TestS3 } from './support/s3rver.ts';

const text = async (r: Readable) => {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
};

/** A body that yields some bytes and then fails, as a pipeline whose source broke would. */
function failingBody(): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.alloc(64 * 1024, 1);
      throw new Error('the source broke');
    })(),
  );
}

async function keys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out;
}

/** What both stores must do alike. */
function storeContract(name: string, make: () => Promise<{ store: ObjectStore; close(): Promise<void> }>) {
  describe(`the ${name} store`, () => {
    let store: ObjectStore;
    let close: () => Promise<void>;
    before(async () => {
      ({ store, close } = await make());
    });
    after(() => close());

    test('stores, lists by prefix, reads back and removes an object', async () => {
      const progress: number[] = [];
      const { bytes } = await store.upload(
        'a/b/one',
        Readable.from([Buffer.from('first '), Buffer.from('object')]),
        {
          onProgress: (n) => progress.push(n),
        },
      );
      assert.equal(bytes, 12);
      assert.equal(progress.at(-1), 12);
      await store.upload('a/two', Readable.from([Buffer.from('2')]));
      await store.upload('z/three', Readable.from([Buffer.from('3')]));
      assert.deepEqual((await keys(store, 'a/')).sort(), ['a/b/one', 'a/two']);
      assert.equal((await store.head('a/b/one'))?.size, 12);
      assert.equal(await text(await store.download('a/b/one')), 'first object');
      await store.remove('a/b/one');
      await store.remove('a/b/one');
      assert.equal(await store.head('a/b/one'), null);
      await assert.rejects(store.download('a/b/one'), { name: 'ObjectMissingError' });
    });

    test('an upload whose body fails rejects with that failure and leaves nothing', async () => {
      await assert.rejects(store.upload('broken/x', failingBody()), /the source broke/);
      assert.deepEqual(await keys(store, 'broken/'), []);
      assert.equal(await store.head('broken/x'), null);
    });

    test('an aborted upload rejects and leaves nothing', async () => {
      const ac = new AbortController();
      const body = new Readable({ read() {} });
      body.push(Buffer.alloc(1024));
      const up = store.upload('aborted/x', body, { signal: ac.signal });
      setTimeout(() => ac.abort(new Error('stop')), 50);
      await assert.rejects(up, /stop/);
      assert.deepEqual(await keys(store, 'aborted/'), []);
    });

    test('lifecycle rules are applied, or it says why not', async () => {
      const r = await store.applyLifecycle([{ id: 'expire-daily', prefix: 'daily/', expireDays: 7 }], 1);
      assert.equal(r.applied, false);
      assert.ok(r.reason && r.reason.length > 0);
    });
  });
}

storeContract('S3 (s3rver)', async () => {
  const s3: TestS3 = await startS3rver();
  const store = createS3Store({
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  });
  assert.equal(store.description, `s3://${s3.bucket}`);
  return { store, close: () => s3.close() };
});

storeContract('directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-dirstore-'));
  return { store: createDirStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
});

describe('the directory store', () => {
  test('keeps partial files out of sight and refuses keys that leave its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocp-dirstore-'));
    try {
      const store = createDirStore(dir);
      await assert.rejects(store.upload('broken', failingBody()), /the source broke/);
      assert.deepEqual(await readdir(dir), [], 'no partial file is left');
      for (const bad of ['../escape', '/abs', 'a//b', 'a/./b', ''])
        await assert.rejects(store.upload(bad, Readable.from([Buffer.from('x')])), { name: 'StoreError' });
      await writeFile(join(dir, 'k.partial-123'), 'half');
      await store.upload('k', Readable.from([Buffer.from('whole')]));
      assert.deepEqual(await keys(store), ['k']);
      assert.equal((await stat(join(dir, 'k'))).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the sweep removes the partial files a crash left once they are old, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocp-dirstore-'));
    try {
      const store = createDirStore(dir);
      await store.upload('t/a/whole', Readable.from([Buffer.from('whole')]));
      await mkdir(join(dir, 't', 'a'), { recursive: true });
      const old = join(dir, 't', 'a', `cut.partial-${randomUUID()}`);
      const fresh = join(dir, 't', 'a', `writing.partial-${randomUUID()}`);
      await writeFile(old, 'cut off by a crash');
      await writeFile(fresh, 'still being written');
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
      await utimes(old, twoDaysAgo, twoDaysAgo);
      assert.equal(await store.sweepIncomplete(24 * 3600 * 1000), 1);
      assert.deepEqual(
        (await readdir(join(dir, 't', 'a'))).sort(),
        [`${fresh.split('/').pop()}`, 'whole'].sort(),
      );
      assert.deepEqual(await keys(store), ['t/a/whole']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('keys, tools and connections', () => {
  let tools: PgTools;
  let source: SourceDatabase;
  let dir: string;
  before(async () => {
    [tools, source, dir] = await Promise.all([
      findPgTools(15),
      createSourceDatabase(100),
      mkdtemp(join(tmpdir(), 'ocp-bk-keys-')),
    ]);
  });
  after(async () => {
    await Promise.allSettled([source?.drop(), rm(dir, { recursive: true, force: true })]);
  });

  test('a local key is made once, 32 bytes with mode 0600, and found again', async () => {
    const keyFile = join(dir, 'keys', 'backup.key');
    const a = await createBackupKeyring({ kind: 'local', keyFile });
    const st = await stat(keyFile);
    assert.equal(st.size, 32);
    assert.equal(st.mode & 0o777, 0o600);
    const b = await createBackupKeyring({ kind: 'local', keyFile });
    assert.equal(a.describe, b.describe);
    assert.match(a.describe, /^local:key-[0-9a-f]{16}$/);
    await writeFile(join(dir, 'short.key'), Buffer.alloc(16));
    await assert.rejects(createBackupKeyring({ kind: 'local', keyFile: join(dir, 'short.key') }), {
      name: 'BackupKeyError',
    });
  });

  test('a backup without a filestore restores from a directory store; another local key cannot read it', async () => {
    const store = createDirStore(join(dir, 'store'));
    const keyring = await createBackupKeyring({ kind: 'local', keyFile: join(dir, 'k1') });
    const ids = { tenantId: 't', backupId: randomUUID() };
    const { manifest } = await writeBackup({
      tools,
      source: source.connection,
      filestoreDir: join(dir, 'no-such-filestore'),
      ids,
      store,
      key: 'b.ocpbak',
      keyring,
    });
    assert.deepEqual(
      { files: manifest.filestore.files, bytes: manifest.filestore.bytes },
      { files: 0, bytes: 0 },
    );
    const other = await createBackupKeyring({ kind: 'local', keyFile: join(dir, 'k2') });
    await assert.rejects(
      readBackup({ store, key: 'b.ocpbak', keyring: other, expect: ids }, async (e) => {
        for await (const _ of e.stream);
      }),
      { name: 'BackupKeyError' },
    );
    // A consumer that fails stops the read with its own error.
    await assert.rejects(
      readBackup({ store, key: 'b.ocpbak', keyring, expect: ids }, async () => {
        throw new Error('consumer gave up');
      }),
      /consumer gave up/,
    );
    const target = await createTargetDatabase();
    try {
      await restoreBackup({
        store,
        key: 'b.ocpbak',
        keyring,
        expect: ids,
        tools,
        target: target.connection,
        ownerRole: target.ownerRole,
        filestoreDir: null,
      });
      assert.deepEqual(await tableContents(target.url), await tableContents(source.url));
    } finally {
      await target.drop();
    }
  });

  test('pg_dump older than the server is refused, naming the package to install', async () => {
    await assert.rejects(findPgTools(99), (err: Error) => {
      assert.equal(err.name, 'PgToolsMissingError');
      assert.match(err.message, /PostgreSQL 99/);
      assert.match(err.message, /postgresql-client-99/);
      return true;
    });
    assert.ok(tools.major >= 15);
    const fromDir = await findPgTools(15, '/usr/lib/postgresql/15/bin');
    assert.equal(fromDir.pgDump, '/usr/lib/postgresql/15/bin/pg_dump');
  });

  test('a URL becomes a connection whose password travels only in the environment', () => {
    const c = connectionFromUrl('postgres://us%40er:p%3Ass@db.example:6543/my%20db');
    assert.deepEqual(c, {
      host: 'db.example',
      port: 6543,
      user: 'us@er',
      password: 'p:ss',
      database: 'my db',
    });
    assert.equal(connectionFromUrl('postgres://u@h/x', 'other').database, 'other');
    const env = pgEnv(c);
    assert.equal(env.PGPASSWORD, 'p:ss');
    assert.equal(env.PGDATABASE, 'my db');
    assert.equal(env.PGPASSFILE, '/dev/null');
  });
});
