import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { adminQuery, dropByPrefix, uniqueName } from '@ocp/testkit';
import pg from 'pg';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { readBackup } from '../src/pipeline/backup-reader.ts';
import { writeBackup } from '../src/pipeline/backup-writer.ts';
import { type BackupKeyring, createBackupKeyring } from '../src/pipeline/keyring.ts';
import { OdooZipError } from '../src/pipeline/odoo-zip-errors.ts';
import type { OdooManifest } from '../src/pipeline/odoo-zip-manifest.ts';
import { importOdooZip } from '../src/pipeline/odoo-zip-reader.ts';
import { stripRestrictLines } from '../src/pipeline/odoo-zip-sql.ts';
import { readZipEntries } from '../src/pipeline/odoo-zip-stream.ts';
import { writeOdooZip } from '../src/pipeline/odoo-zip-writer.ts';
import { findPgTools, type PgConnection, type PgTools } from '../src/pipeline/pg-tools.ts';
import { createDirStore, type ObjectStore } from '../src/pipeline/store.ts';

const run = promisify(execFile);
const HOST = '127.0.0.1';
const PORT = 5432;
const MARKER = `odoo-zip-marker-${randomBytes(6).toString('hex')}`;
const accept18 = (m: OdooManifest) => (m.major_version === '18.0' ? null : `only Odoo 18.0 is served here`);

const prefix = uniqueName('ocp_oz_');
const owner = `${prefix}_owner`;
/** The import's login: a member of the owner role, not a superuser. */
const importer = `${prefix}_importer`;
let tools: PgTools;
let tmp: string;
let store: ObjectStore;
let keyring: BackupKeyring;

const q = pg.escapeIdentifier;
const conn = (database: string, user = importer): PgConnection => ({
  host: HOST,
  port: PORT,
  user,
  database,
});
const dbUrl = (database: string) => `postgres://root@${HOST}:${PORT}/${database}`;

async function createDb(): Promise<string> {
  const name = `${prefix}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${q(name)} OWNER ${q(owner)}`);
  return name;
}
const dropDb = (name: string) => adminQuery(`DROP DATABASE IF EXISTS ${q(name)}`);
const query = (database: string, sql: string) => adminQuery(sql, [], dbUrl(database));
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Every file under `dir` as relative path -> content. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!(await exists(dir))) return out;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) {
      const full = join(e.parentPath, e.name);
      out[relative(dir, full)] = (await readFile(full)).toString('base64');
    }
  return out;
}

/** The content of every table the test makes, in a comparable form. */
async function contents(database: string) {
  const tables = ['res_partner', 'ir_module_module', 'ir_attachment'];
  const out: Record<string, unknown> = {};
  for (const t of tables) out[t] = (await query(database, `SELECT * FROM ${t} ORDER BY 1`)).rows;
  out.owners = (
    await query(
      database,
      `SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    )
  ).rows;
  out.view = (await query(database, 'SELECT * FROM partner_names ORDER BY 1')).rows;
  out.fn = (await query(database, 'SELECT shout(name) AS s FROM res_partner ORDER BY id')).rows;
  return out;
}

/** A zip built by yazl from [name, content] pairs (stored when `compress` is false). */
async function zipOf(entries: Array<[string, string | Buffer]>, compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries) {
    const data = Buffer.from(content);
    zip.addReadStream(Readable.from([data]), name, { compress, size: data.length });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const manifestJson = (version = '18.0', extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    odoo_dump: '1',
    db_name: 'x',
    version,
    version_info: [...version.split('.').map(Number), 0, 'final', 0, ''],
    major_version: version,
    pg_version: '15.0',
    modules: { base: `${version}.1.3` },
    ...extra,
  });

/** Feeds `zip` to importOdooZip in small chunks, so that headers and lines straddle reads. */
function chunked(zip: Buffer, size = 997): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < zip.length; i += size) parts.push(zip.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

async function importInto(database: string, input: Readable, filestoreDir: string, user = importer) {
  return importOdooZip({
    input,
    tools,
    target: conn(database, user),
    ownerRole: owner,
    filestoreDir,
    acceptVersion: accept18,
  });
}

/**
 * A zip made as Odoo 18's dump_db makes one: files in a temporary directory, then
 * odoo.tools.osutil.zip_dir (dump.sql sorted first, then manifest.json, then the filestore walk),
 * written to a file (`seekable`) or to a pipe, where zipfile writes data descriptors.
 */
async function pythonZip(files: Record<string, string | Buffer>, seekable: boolean): Promise<Buffer> {
  const dir = await mkdtemp(join(tmp, 'py-'));
  const src = join(dir, 'dump');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(src, name, '..'), { recursive: true });
    await writeFile(join(src, name), content);
  }
  const out = join(dir, 'out.zip');
  const script = `
import os, sys, zipfile
def zip_dir(path, stream, include_dir=True, fnct_sort=None):
    path = os.path.normpath(path)
    len_prefix = len(os.path.dirname(path)) if include_dir else len(path)
    if len_prefix:
        len_prefix += 1
    with zipfile.ZipFile(stream, 'w', compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zipf:
        for dirpath, dirnames, filenames in os.walk(path):
            filenames = sorted(filenames, key=fnct_sort)
            for fname in filenames:
                bname, ext = os.path.splitext(fname)
                ext = ext or bname
                if ext not in ['.pyc', '.pyo', '.swp', '.DS_Store']:
                    path = os.path.normpath(os.path.join(dirpath, fname))
                    if os.path.isfile(path):
                        zipf.write(path, path[len_prefix:])
class Unseekable:
    def __init__(self, f): self.f = f
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()
with open(sys.argv[2], 'wb') as f:
    zip_dir(sys.argv[1], f if sys.argv[3] == 'seekable' else Unseekable(f), include_dir=False, fnct_sort=lambda n: n != 'dump.sql')
`;
  await run('python3', ['-c', script, src, out, seekable ? 'seekable' : 'pipe']);
  return readFile(out);
}

/** A zip crafted with Python's zipfile, entry names taken as given. */
async function pythonRawZip(entries: Array<[string, string]>): Promise<Buffer> {
  const out = join(await mkdtemp(join(tmp, 'raw-')), 'raw.zip');
  const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', compression=zipfile.ZIP_DEFLATED) as z:
    for name, content in json.loads(sys.stdin.read()):
        z.writestr(zipfile.ZipInfo(name), content)
`;
  const child = execFile('python3', ['-c', script, out]);
  child.stdin?.end(JSON.stringify(entries));
  await new Promise<void>((resolve, reject) =>
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`python3 exit ${code}`)))),
  );
  return readFile(out);
}

async function tableExists(database: string, table: string): Promise<boolean> {
  const r = await query(database, `SELECT to_regclass('public.${table}') IS NOT NULL AS e`);
  return r.rows[0]?.e === true;
}

before(async () => {
  tools = await findPgTools(15);
  tmp = await mkdtemp(join(tmpdir(), 'ocp-odoo-zip-'));
  store = createDirStore(join(tmp, 'store'));
  keyring = await createBackupKeyring({ kind: 'local', keyFile: join(tmp, 'keys', 'backup.key') });
  await adminQuery(`CREATE ROLE ${q(owner)} NOLOGIN`);
  await adminQuery(`CREATE ROLE ${q(importer)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  await adminQuery(`GRANT ${q(owner)} TO ${q(importer)}`);
});

after(async () => {
  await dropByPrefix(prefix);
  await rm(tmp, { recursive: true, force: true });
});

describe('an Odoo zip written from a stored backup', () => {
  let source: string;
  let sourceFiles: string;
  const ids = { tenantId: randomBytes(8).toString('hex'), backupId: randomBytes(8).toString('hex') };
  const key = `${ids.tenantId}/${ids.backupId}`;
  let zipPath: string;
  let manifest: OdooManifest;

  before(async () => {
    source = await createDb();
    await query(
      source,
      `SET ROLE ${q(owner)};
       CREATE TABLE res_partner (id serial PRIMARY KEY, name text NOT NULL, note text);
       CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, state varchar, latest_version varchar);
       CREATE TABLE ir_attachment (id serial PRIMARY KEY, store_fname varchar, db_datas bytea);
       CREATE INDEX res_partner_name ON res_partner (name);
       CREATE VIEW partner_names AS SELECT id, upper(name) AS name FROM res_partner;
       CREATE FUNCTION shout(t text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN t || '!'; END $$;
       INSERT INTO res_partner (name, note) VALUES
         ('${MARKER}', 'plain'), ('tab\tand newline\nand backslash \\ here', E'\\\\restrict looks like a meta-command'),
         ('unicode é ü 日本', NULL), (E'\\rrestrict zz', 'starts with a carriage return');
       INSERT INTO ir_module_module (name, state, latest_version) VALUES
         ('base', 'installed', '18.0.1.3'), ('web', 'installed', '18.0.1.0'), ('sale', 'uninstalled', NULL);
       INSERT INTO ir_attachment (store_fname, db_datas) VALUES ('ab/abcdef', NULL), (NULL, '\\x000102ff504b0708');`,
    );
    sourceFiles = join(tmp, 'filestore-src');
    await mkdir(join(sourceFiles, 'ab'), { recursive: true });
    await mkdir(join(sourceFiles, 'cd'), { recursive: true });
    await writeFile(join(sourceFiles, 'ab', 'abcdef'), `file with ${MARKER}`);
    await writeFile(join(sourceFiles, 'cd', 'cdef01'), randomBytes(3 * 1024 * 1024 + 17));
    // Bytes that are a data-descriptor signature, for the sequential reader to not stop at.
    await writeFile(
      join(sourceFiles, 'cd', 'cdef02'),
      Buffer.concat([Buffer.from('PK\x07\x08'), randomBytes(40)]),
    );
    await writeFile(join(sourceFiles, 'cd', 'empty'), '');
    await writeBackup({
      tools,
      source: conn(source, 'root'),
      filestoreDir: sourceFiles,
      ids,
      odooVersion: { version: '18.0', versionInfo: [18, 0, 0, 'final', 0, ''] },
      store,
      key,
      keyring,
    });
    zipPath = join(tmp, 'download.zip');
    manifest = await writeOdooZip({
      store,
      key,
      keyring,
      expect: ids,
      tools,
      out: createWriteStream(zipPath),
    });
  });

  test("has Odoo's layout: dump.sql first, the filestore, manifest.json last with Odoo's keys", async () => {
    const zip = await promisify<string, yauzl.Options, yauzl.ZipFile>(yauzl.open)(zipPath, {
      lazyEntries: true,
    });
    const entries: Array<{ name: string; data: Buffer }> = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, async (err, s) => {
          if (err || !s) return reject(err);
          const chunks: Buffer[] = [];
          for await (const c of s) chunks.push(c as Buffer);
          entries.push({ name: e.fileName, data: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
      zip.once('end', resolve);
      zip.once('error', reject);
      zip.readEntry();
    });
    const names = entries.map((e) => e.name);
    assert.equal(names[0], 'dump.sql');
    assert.equal(names.at(-1), 'manifest.json');
    assert.deepEqual(names.slice(1, -1).sort(), [
      'filestore/ab/abcdef',
      'filestore/cd/cdef01',
      'filestore/cd/cdef02',
      'filestore/cd/empty',
    ]);
    for (const e of entries.filter((x) => x.name.startsWith('filestore/')))
      assert.deepEqual(e.data, await readFile(join(sourceFiles, e.name.slice('filestore/'.length))));

    const json = JSON.parse(entries.at(-1)?.data.toString() ?? '');
    assert.deepEqual(Object.keys(json), [
      'odoo_dump',
      'db_name',
      'version',
      'version_info',
      'major_version',
      'pg_version',
      'modules',
    ]);
    assert.deepEqual(json, {
      odoo_dump: '1',
      db_name: source,
      version: '18.0',
      version_info: [18, 0, 0, 'final', 0, ''],
      major_version: '18.0',
      pg_version: '15.0',
      modules: { base: '18.0.1.3', web: '18.0.1.0' },
    });
    assert.deepEqual(json, manifest);

    const sql = entries[0]?.data.toString() ?? '';
    assert.match(sql, new RegExp(MARKER));
    assert.doesNotMatch(sql, /^\\(un)?restrict /m, 'no \\restrict lines');
    assert.doesNotMatch(sql, /OWNER TO|^GRANT |^REVOKE /m, 'no owners, no privileges');
  });

  test('imports into a fresh database with the same rows, owned by the owner role, and the same files', async () => {
    const target = await createDb();
    const files = join(tmp, `filestore-${target}`);
    try {
      const progress: number[] = [];
      const result = await importOdooZip({
        input: createReadStream(zipPath, { highWaterMark: 1000 }),
        tools,
        target: conn(target),
        ownerRole: owner,
        filestoreDir: files,
        acceptVersion: accept18,
        onProgress: (b) => progress.push(b),
      });
      assert.deepEqual(result.manifest, manifest);
      assert.equal(result.files, 4);
      assert.equal(result.bytes, 3 * 1024 * 1024 + 17 + 44 + `file with ${MARKER}`.length);
      assert.equal(progress.at(-1), (await readFile(zipPath)).length);
      const got = await contents(target);
      assert.deepEqual(got, await contents(source));
      assert.ok((got.owners as Array<{ tableowner: string }>).every((r) => r.tableowner === owner));
      assert.deepEqual(await filesUnder(files), await filesUnder(sourceFiles));
    } finally {
      await dropDb(target);
    }
  });

  test('a backup that does not decrypt for the caller fails the download and destroys its output', async () => {
    const out = new PassThrough();
    out.resume();
    await assert.rejects(
      writeOdooZip({ store, key, keyring, expect: { ...ids, tenantId: 'another' }, tools, out }),
      (e: Error) => e.name === 'BackupKeyError' || e.name === 'BackupIntegrityError',
    );
    assert.ok(out.destroyed);
  });

  test('readBackup of the same object still works (the zip writer leaves the backup alone)', async () => {
    const m = await readBackup({ store, key, keyring, expect: ids }, async (e) => {
      e.stream.resume();
      await new Promise((r) => e.stream.once('end', r));
    });
    assert.equal(m.databaseName, source);
  });
});

describe('importing an Odoo zip', () => {
  const goodSql =
    "CREATE TABLE imported (id int PRIMARY KEY, v text);\nINSERT INTO imported VALUES (1, 'one');\n";

  test('a zip without manifest.json is refused and nothing is kept', async () => {
    const db = await createDb();
    const files = join(tmp, `fs-${db}`);
    try {
      const zip = await zipOf([
        ['dump.sql', goodSql],
        ['filestore/ab/abc', 'x'],
      ]);
      await assert.rejects(importInto(db, chunked(zip), files), (e: Error) => {
        assert.ok(e instanceof OdooZipError);
        assert.match(e.message, /no manifest\.json/);
        return true;
      });
      assert.equal(await tableExists(db, 'imported'), false);
      assert.equal(await exists(files), false);
    } finally {
      await dropDb(db);
    }
  });

  test('a zip of Odoo 9.0 is refused with the reason acceptVersion gives', async () => {
    const db = await createDb();
    try {
      const zip = await zipOf([
        ['dump.sql', goodSql],
        ['manifest.json', manifestJson('9.0')],
      ]);
      await assert.rejects(importInto(db, chunked(zip), join(tmp, `fs-${db}`)), (e: Error) => {
        assert.ok(e instanceof OdooZipError);
        assert.match(e.message, /Odoo 9\.0 .*only Odoo 18\.0 is served here/);
        return true;
      });
      assert.equal(await tableExists(db, 'imported'), false);
    } finally {
      await dropDb(db);
    }
  });

  test('a manifest that is not an Odoo dump, and a zip without dump.sql, are refused', async () => {
    const db = await createDb();
    try {
      const notOdoo = await zipOf([
        ['dump.sql', goodSql],
        ['manifest.json', manifestJson('18.0', { odoo_dump: '2' })],
      ]);
      await assert.rejects(importInto(db, chunked(notOdoo), join(tmp, `fs1-${db}`)), /odoo_dump "2"/);
      const noDump = await zipOf([['manifest.json', manifestJson()]]);
      await assert.rejects(importInto(db, chunked(noDump), join(tmp, `fs2-${db}`)), /no dump\.sql/);
      await assert.rejects(
        importInto(db, chunked(Buffer.from('not a zip at all')), join(tmp, `fs3-${db}`)),
        OdooZipError,
      );
    } finally {
      await dropDb(db);
    }
  });

  test("a dump.sql that fails to load is an OdooZipError with psql's message, nothing is kept, and the database can be dropped", async () => {
    const db = await createDb();
    const files = join(tmp, `fs-${db}`);
    const zip = await zipOf([
      ['dump.sql', `${goodSql}SELECT no_such_function();\n`],
      ['filestore/ab/abc', 'x'],
      ['manifest.json', manifestJson()],
    ]);
    await assert.rejects(importInto(db, chunked(zip), files), (e: Error) => {
      assert.ok(e instanceof OdooZipError);
      assert.match(e.message, /did not load.*no_such_function/s);
      return true;
    });
    assert.equal(await tableExists(db, 'imported'), false);
    assert.equal(await exists(files), false);
    await dropDb(db);
    const left = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    assert.equal(left.rowCount, 0);
  });

  test('backslash commands in an uploaded dump.sql are refused by psql, not run', async () => {
    const db = await createDb();
    const witness = join(tmp, `pwned-${db}`);
    try {
      for (const attack of [
        `\\! touch ${witness}`,
        `\\unrestrict guess\n\\! touch ${witness}`,
        `SELECT 1; \\! touch ${witness}`,
      ]) {
        const zip = await zipOf([
          ['dump.sql', `${goodSql}${attack}\n`],
          ['manifest.json', manifestJson()],
        ]);
        await assert.rejects(importInto(db, chunked(zip), join(tmp, `fs-${db}`)), /did not load/);
        assert.equal(await exists(witness), false, attack);
        assert.equal(await tableExists(db, 'imported'), false);
      }
    } finally {
      await dropDb(db);
    }
  });

  test('SQL in the dump acts as the owner role, and a superuser login is refused unless allowed', async () => {
    const db = await createDb();
    try {
      const zip = await zipOf([
        ['dump.sql', `${goodSql}CREATE TABLE who AS SELECT current_user::text AS u;\n`],
        ['manifest.json', manifestJson()],
      ]);
      await assert.rejects(importInto(db, chunked(zip), join(tmp, `fs1-${db}`), 'root'), /superuser/);
      assert.equal(await tableExists(db, 'imported'), false);
      await importInto(db, chunked(zip), join(tmp, `fs2-${db}`));
      assert.deepEqual((await query(db, 'SELECT u FROM who')).rows, [{ u: owner }]);
    } finally {
      await dropDb(db);
    }
  });

  test('entry names with .. or an absolute path are refused and nothing is written outside', async () => {
    for (const evil of ['filestore/../../escaped', '/tmp/escaped-abs', 'filestore/ab/../../../escaped']) {
      const db = await createDb();
      const files = join(tmp, `fs-${db}`, 'inner');
      try {
        const zip = await pythonRawZip([
          ['dump.sql', goodSql],
          [evil, 'gotcha'],
          ['manifest.json', manifestJson()],
        ]);
        await assert.rejects(importInto(db, chunked(zip), files), (e: Error) => {
          assert.ok(e instanceof OdooZipError, String(e));
          assert.match(e.message, /absolute path or a '\.\.' segment/);
          return true;
        });
        assert.equal(await exists(join(tmp, `fs-${db}`, 'escaped')), false);
        assert.equal(await exists(join(tmp, 'escaped')), false);
        assert.equal(await tableExists(db, 'imported'), false);
      } finally {
        await dropDb(db);
      }
    }
  });

  for (const seekable of [true, false])
    test(`a zip written by Python's zipfile as Odoo writes it (${seekable ? 'to a file' : 'to a pipe, with data descriptors'}) imports`, async () => {
      const source = await createDb();
      const db = await createDb();
      const files = join(tmp, `fs-${db}`);
      try {
        await query(
          source,
          `SET ROLE ${q(owner)}; CREATE TABLE res_partner (id int PRIMARY KEY, name text);
           INSERT INTO res_partner SELECT g, '${MARKER} ' || g FROM generate_series(1, 5000) g;`,
        );
        const { stdout: sql } = await run(tools.pgDump, ['--no-owner', `--dbname=${dbUrl(source)}`], {
          maxBuffer: 64 * 1024 * 1024,
        });
        assert.match(sql, /^\\restrict /m, 'pg_dump 15.20 writes \\restrict, which the import must handle');
        const content = randomBytes(200_000);
        const zip = await pythonZip(
          {
            'dump.sql': sql,
            'manifest.json': manifestJson(),
            'filestore/0a/0a1b2c': content,
            'filestore/ff/ffeedd': MARKER,
          },
          seekable,
        );
        assert.equal(
          (zip.readUInt16LE(6) & 0x08) !== 0,
          !seekable,
          'data descriptors exactly when written to a pipe',
        );
        const result = await importInto(db, chunked(zip, 4093), files);
        assert.equal(result.files, 2);
        assert.equal(result.manifest.major_version, '18.0');
        assert.deepEqual(
          (await query(db, 'SELECT count(*)::int AS n, max(name) AS m FROM res_partner')).rows,
          (await query(source, 'SELECT count(*)::int AS n, max(name) AS m FROM res_partner')).rows,
        );
        assert.deepEqual(await readFile(join(files, '0a', '0a1b2c')), content);
        assert.equal(await readFile(join(files, 'ff', 'ffeedd'), 'utf8'), MARKER);
      } finally {
        await dropDb(source);
        await dropDb(db);
      }
    });
});

describe('reading a zip front to back', () => {
  test('a streamed entry whose bytes hold a data-descriptor signature is read whole', async () => {
    const tricky = Buffer.concat([
      Buffer.from('before PK\x07\x08'),
      Buffer.alloc(12),
      Buffer.from('PK\x03\x04 after'),
    ]);
    const zip = await zipOf(
      [
        ['a.bin', tricky],
        ['b.txt', 'second'],
      ],
      false,
    );
    const got: Record<string, Buffer> = {};
    for await (const e of readZipEntries(chunked(zip, 5))) {
      const chunks: Buffer[] = [];
      for await (const c of e.stream) chunks.push(c as Buffer);
      got[e.name] = Buffer.concat(chunks);
    }
    assert.deepEqual(got, { 'a.bin': tricky, 'b.txt': Buffer.from('second') });
  });

  test('a changed byte in an entry fails its CRC check; a cut zip fails as truncated', async () => {
    const zip = await zipOf([['a.txt', 'hello hello hello']], false);
    const bad = Buffer.from(zip);
    const at = bad.indexOf('hello') + 2;
    bad[at] = (bad[at] ?? 0) ^ 0x01;
    const drain = async (input: Readable) => {
      for await (const e of readZipEntries(input)) for await (const _ of e.stream);
    };
    await assert.rejects(drain(chunked(bad)), /CRC-32/);
    await assert.rejects(drain(chunked(zip.subarray(0, 40))), /ends early/);
  });
});

describe('stripping \\restrict lines', () => {
  const strip = async (text: string, size: number) => {
    const parts: Buffer[] = [];
    const buf = Buffer.from(text);
    for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
    const chunks: Buffer[] = [];
    await pipeline(Readable.from(parts), stripRestrictLines(), async (s: AsyncIterable<Buffer>) => {
      for await (const c of s) chunks.push(c);
    });
    return Buffer.concat(chunks).toString();
  };

  test("removes the header's key lines only, at any chunk boundary", async () => {
    const dump = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '',
      '\\restrict Abc123',
      '',
      'SET x = 1;',
      'COPY t (a) FROM stdin;',
      '\\restrict Other',
      '\\N',
      '\\.',
      '\\unrestrict Abc123',
      '',
    ].join('\n');
    const want = dump.replace('\\restrict Abc123\n', '').replace('\\unrestrict Abc123\n', '');
    for (const size of [1, 2, 3, 7, 64, 10_000])
      assert.equal(await strip(dump, size), want, `chunks of ${size}`);
    const late = 'SET x = 1;\n\\restrict Abc123\nSELECT 1;\n';
    assert.equal(await strip(late, 4), late, 'a \\restrict after the header is kept (psql then refuses it)');
  });
});
