import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { adminQuery, createTestDatabase, uniqueName, urlFor } from '@ocp/testkit';
import pg from 'pg';
import { connectionFromUrl, type PgConnection } from '../../src/pipeline/index.ts';

const q = pg.escapeIdentifier;

export interface SourceDatabase {
  name: string;
  url: string;
  connection: PgConnection;
  /** A string stored in a row, and the name of the table that holds it (which the manifest names). */
  rowMarker: string;
  markerTable: string;
  drop(): Promise<void>;
}

/**
 * A database shaped like a small Odoo one: ir_module_module with installed and uninstalled modules,
 * a schema and table whose names need quoting, bytea, a sequence, a view, and `bulkRows` rows of
 * incompressible-ish text so that the dump can be made larger than one archive part.
 */
export async function createSourceDatabase(bulkRows = 1000): Promise<SourceDatabase> {
  const db = await createTestDatabase('ocp_bk_');
  const rowMarker = `ROW-MARKER-${randomBytes(12).toString('hex')}`;
  const markerTable = `marker_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(
      `CREATE TABLE public.ir_module_module (id serial PRIMARY KEY, name varchar NOT NULL, state varchar, latest_version varchar);
     INSERT INTO public.ir_module_module (name, state, latest_version) VALUES
       ('base', 'installed', '17.0.1.3'), ('sale', 'installed', '17.0.1.2'), ('crm', 'uninstalled', NULL);
     CREATE SCHEMA "Odd ""schema""";
     CREATE TABLE "Odd ""schema""".";DROP TABLE x;" (id int PRIMARY KEY, note text, data bytea);
     INSERT INTO "Odd ""schema""".";DROP TABLE x;" SELECT g, 'note ' || g, decode(md5(g::text), 'hex') FROM generate_series(1, 50) g;
     CREATE TABLE ${q(markerTable)} (id serial PRIMARY KEY, secret text);
     INSERT INTO ${q(markerTable)} (secret) VALUES (${pg.escapeLiteral(rowMarker)});
     CREATE TABLE bulk (id serial PRIMARY KEY, payload text);
     INSERT INTO bulk (payload) SELECT md5(random()::text) || md5(random()::text) FROM generate_series(1, ${bulkRows});
     CREATE INDEX bulk_payload ON bulk (payload);
     CREATE VIEW installed AS SELECT name FROM ir_module_module WHERE state = 'installed';
     CREATE TABLE empty_table (id int);`,
      [],
      db.url,
    );
  } catch (err) {
    await db.drop();
    throw err;
  }
  return { ...db, connection: connectionFromUrl(db.url), rowMarker, markerTable };
}

/** An empty database owned by a role of its own (not a superuser), as a tenant's would be. */
export async function createTargetDatabase(): Promise<{
  name: string;
  connection: PgConnection;
  url: string;
  ownerRole: string;
  drop(): Promise<void>;
}> {
  const name = uniqueName('ocp_bk_t_');
  const ownerRole = `${name}_owner`;
  await adminQuery(`CREATE ROLE ${q(ownerRole)} NOLOGIN`);
  await adminQuery(`CREATE DATABASE ${q(name)} OWNER ${q(ownerRole)}`);
  const url = urlFor(name);
  return {
    name,
    url,
    connection: connectionFromUrl(url),
    ownerRole,
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`);
      await adminQuery(`DROP ROLE IF EXISTS ${q(ownerRole)}`);
    },
  };
}

/** Every user table's rows, as text, in a stable order: equal output means equal contents. */
export async function tableContents(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    const out: Record<string, string[]> = {};
    for (const { s, t } of tables.rows) {
      const rows = await client.query<{ r: string }>(`SELECT x::text AS r FROM ${q(s)}.${q(t)} x ORDER BY 1`);
      out[`${s}.${t}`] = rows.rows.map((r) => r.r);
    }
    const seq = await client
      .query<{ v: string }>(`SELECT last_value::text AS v FROM bulk_id_seq`)
      .catch(() => null);
    if (seq) out['sequence bulk_id_seq'] = seq.rows.map((r) => r.v);
    return out;
  } finally {
    await client.end();
  }
}

export interface Filestore {
  dir: string;
  fileMarker: string;
  remove(): Promise<void>;
}

/** A filestore: a marker file, an empty file, a non-ASCII name, `bigBytes` random bytes, and symlinks (not to be stored). */
export async function createFilestore(bigBytes = 64 * 1024): Promise<Filestore> {
  const root = await mkdtemp(join(tmpdir(), 'ocp-bk-fs-'));
  const dir = join(root, 'filestore');
  const fileMarker = `FILE-MARKER-${randomBytes(12).toString('hex')}`;
  await mkdir(join(dir, 'ab'), { recursive: true });
  await mkdir(join(dir, 'cd', 'deeper'), { recursive: true });
  await mkdir(join(dir, 'ünï'), { recursive: true });
  await writeFile(join(dir, 'ab', 'ab12cd34'), `attachment ${fileMarker} end`);
  await writeFile(join(dir, 'cd', 'empty'), '');
  await writeFile(join(dir, 'cd', 'deeper', 'big.bin'), randomBytes(bigBytes));
  await writeFile(join(dir, 'ünï', 'cödé €.txt'), 'non-ascii name');
  await symlink('/etc/hostname', join(dir, 'ab', 'link-to-file'));
  await symlink('/etc', join(dir, 'link-to-dir'));
  return { dir, fileMarker, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Regular files under `dir`, posix path -> content. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    out.set(relative(dir, p).split(sep).join('/'), await readFile(p));
  }
  return out;
}

/** Sessions still open on a database by the backup (pg_dump and the snapshot holder). */
export async function backupSessions(database: string): Promise<number> {
  const { rows } = await adminQuery<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'ocp-backup%'`,
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}
