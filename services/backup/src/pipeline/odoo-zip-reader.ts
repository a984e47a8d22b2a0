import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { FILESTORE_PREFIX, isSafeRelativePath } from './archive-layout.ts';
import { OdooZipError } from './odoo-zip-errors.ts';
import { type OdooManifest, parseOdooManifest } from './odoo-zip-manifest.ts';
import { newRestrictKey, psqlKnowsRestrict, stripRestrictLines } from './odoo-zip-sql.ts';
import { readZipEntries } from './odoo-zip-stream.ts';
import { type PgConnection, type PgTools, pgEnv } from './pg-tools.ts';
import { startTool, type ToolProcess } from './tool-process.ts';

export interface ImportOdooZipOptions {
  /** The zip, read once front to back; never buffered whole, never written to a temporary file. */
  input: Readable;
  tools: PgTools;
  /** An existing, empty database; connected to as `target.user`. */
  target: PgConnection;
  /** Owns what the dump creates: the session runs `SET ROLE` to it, so `target.user` must be a member. */
  ownerRole: string;
  /** Receives the filestore; created when absent, and must be empty. Emptied again on failure. */
  filestoreDir: string;
  /** null accepts the dump; a string refuses it and is the reason shown. */
  acceptVersion: (m: OdooManifest) => string | null;
  signal?: AbortSignal;
  /** Bytes of the zip read so far. */
  onProgress?: (bytes: number) => void;
  /**
   * Lets `target.user` be a superuser. Off by default: the dump is the uploader's SQL, and SQL can
   * `RESET ROLE` back to the session's user; as a superuser it could then run programs on the
   * database server (COPY ... PROGRAM) or read any database's data. Only for zips you made.
   */
  allowSuperuser?: boolean;
}

export interface ImportOdooZipResult {
  manifest: OdooManifest;
  /** Files written under filestoreDir, and their bytes. */
  files: number;
  bytes: number;
}

const MAX_MANIFEST_BYTES = 1024 * 1024;
const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const codeOf = (e: unknown) => (e as { code?: string })?.code;

/** Refuses, before anything is loaded, a session that cannot or must not act as the owner. */
async function checkSession(target: PgConnection, ownerRole: string, allowSuperuser: boolean): Promise<void> {
  const client = new pg.Client({ ...target, application_name: 'ocp-backup' });
  await client.connect();
  try {
    const { rows } = await client.query<{
      superuser: boolean;
      owner_exists: boolean;
      member: boolean | null;
    }>(
      `SELECT r.rolsuper AS superuser,
              EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS owner_exists,
              CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
                   THEN pg_has_role(session_user, $1, 'MEMBER') END AS member
         FROM pg_roles r WHERE r.rolname = session_user`,
      [ownerRole],
    );
    const r = rows[0];
    if (!r) throw new OdooZipError(`role ${target.user} is not in pg_roles`);
    if (r.superuser && !allowSuperuser)
      throw new OdooZipError(
        `role ${target.user} is a superuser: SQL in an uploaded dump could RESET ROLE and act as it; import as a role that is a member of ${ownerRole} and not a superuser`,
      );
    if (!r.owner_exists) throw new OdooZipError(`the owner role ${ownerRole} does not exist`);
    if (!r.member)
      throw new OdooZipError(
        `role ${target.user} is not a member of ${ownerRole}, so it cannot SET ROLE to it`,
      );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Prepares filestoreDir; returns what undoes it. */
async function claimFilestoreDir(dir: string): Promise<() => Promise<void>> {
  let created = false;
  try {
    const present = await readdir(dir);
    if (present.length > 0) throw new OdooZipError(`the filestore directory ${dir} is not empty`);
  } catch (e) {
    if (codeOf(e) !== 'ENOENT') throw e;
    await mkdir(dir, { recursive: true });
    created = true;
  }
  return async () => {
    if (created) await rm(dir, { recursive: true, force: true });
    else for (const child of await readdir(dir)) await rm(join(dir, child), { recursive: true, force: true });
  };
}

/**
 * psql loading dump.sql into `target` in one transaction, as `ownerRole`. Its input starts with a
 * `\restrict` of a fresh key, so psql refuses every backslash command of the dump (\! runs a shell
 * command, \o and \copy write and read files here): the dump is the uploader's. Its stdin stays
 * open after the dump, the transaction uncommitted, until the rest of the zip has been checked.
 */
function startLoad(o: ImportOdooZipOptions): ToolProcess {
  const psql = startTool(
    o.tools.psql,
    ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--single-transaction'],
    pgEnv(o.target),
    ['pipe', 'ignore', 'pipe'],
  );
  psql.child.stdin?.on('error', () => {}); // EPIPE when psql stops at an error; its exit code says why
  psql.child.stdin?.write(`\\restrict ${newRestrictKey()}\nSET ROLE ${quoteIdent(o.ownerRole)};\n`);
  return psql;
}

const loadFailed = (psql: ToolProcess, code: number | null | string) =>
  new OdooZipError(`dump.sql from the zip did not load (psql exit ${code}): ${psql.stderr.lines(8)}`);

/** Counts the bytes that pass. */
function counter(add: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      add(chunk.length);
      callback(null, chunk);
    },
  });
}

async function readManifest(stream: Readable, acceptVersion: ImportOdooZipOptions['acceptVersion']) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_MANIFEST_BYTES) throw new OdooZipError('manifest.json in the zip is larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  const manifest = parseOdooManifest(Buffer.concat(chunks));
  const reason = acceptVersion(manifest);
  if (reason !== null)
    throw new OdooZipError(
      `the zip holds an Odoo ${manifest.version} database (major_version ${manifest.major_version}), which cannot be imported here: ${reason}`,
    );
  return manifest;
}

/**
 * Imports a zip in the layout of Odoo's database manager (dump.sql, filestore/..., manifest.json;
 * any order, as Odoo writes dump.sql first and manifest.json second, writeOdooZip manifest.json
 * last) read sequentially from `input`: dump.sql into the existing empty `target` database with
 * psql in one transaction as `ownerRole` (see startLoad), files under filestoreDir. The load
 * commits only after the whole zip has been read and its manifest.json accepted (odoo_dump "1",
 * `acceptVersion`). Other entries are skipped, as Odoo does. Rejects with OdooZipError for a
 * missing or refused manifest, no dump.sql, a dump that fails to load, an entry name that is
 * absolute or has `..`, a corrupt or truncated zip; nothing is then committed, the filestore
 * directory is emptied, and psql has disconnected, so the caller can drop the database at once.
 */
export async function importOdooZip(o: ImportOdooZipOptions): Promise<ImportOdooZipResult> {
  o.signal?.throwIfAborted();
  if (!psqlKnowsRestrict(o.tools.version))
    throw new OdooZipError(
      `psql ${o.tools.version} cannot keep an uploaded dump from running backslash commands (\\restrict came with 13.22, 14.19, 15.14, 16.10 and 17.6); install a newer postgresql-client`,
    );
  await checkSession(o.target, o.ownerRole, o.allowSuperuser ?? false);
  const undoFiles = await claimFilestoreDir(o.filestoreDir);
  const onAbort = () =>
    o.input.destroy(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
  o.signal?.addEventListener('abort', onAbort, { once: true });

  let psql: ToolProcess | null = null;
  let manifest: OdooManifest | null = null;
  let files = 0;
  let bytes = 0;
  try {
    for await (const entry of readZipEntries(o.input, o.onProgress)) {
      const name = entry.name;
      if (!isSafeRelativePath(entry.directory ? name.slice(0, -1) : name))
        throw new OdooZipError(
          `zip entry ${JSON.stringify(name)} has an absolute path or a '..' segment; it is refused, not written`,
        );
      if (entry.directory) continue;
      if (name === 'dump.sql') {
        if (psql) throw new OdooZipError('the zip holds dump.sql twice');
        const load = startLoad(o);
        psql = load;
        const stdin = load.child.stdin;
        if (!stdin) throw new Error('psql started without stdin');
        try {
          await pipeline(entry.stream, stripRestrictLines(), stdin, { end: false });
        } catch (e) {
          if (e instanceof OdooZipError) throw e;
          const exit = await load.exited;
          throw exit.code !== null && exit.code !== 0 ? loadFailed(load, exit.code) : e;
        }
      } else if (name === 'manifest.json') {
        if (manifest) throw new OdooZipError('the zip holds manifest.json twice');
        manifest = await readManifest(entry.stream, o.acceptVersion);
      } else if (name.startsWith(FILESTORE_PREFIX)) {
        const path = join(o.filestoreDir, name.slice(FILESTORE_PREFIX.length));
        await mkdir(dirname(path), { recursive: true });
        try {
          await pipeline(
            entry.stream,
            counter((n) => {
              bytes += n;
            }),
            createWriteStream(path, { flags: 'wx' }),
          );
        } catch (e) {
          if (codeOf(e) === 'EEXIST' || codeOf(e) === 'ENOTDIR' || codeOf(e) === 'EISDIR')
            throw new OdooZipError(`zip entry ${name} clashes with another entry of the same path`, {
              cause: e,
            });
          throw e;
        }
        files += 1;
      }
    }
    if (!manifest)
      throw new OdooZipError('the zip has no manifest.json: it is not a dump from Odoo’s database manager');
    if (!psql) throw new OdooZipError('the zip has no dump.sql (a zip made by Odoo holds one at its start)');
    const load: ToolProcess = psql;
    load.child.stdin?.end();
    const exit = await load.exited;
    if (exit.code !== 0) throw loadFailed(load, exit.code ?? exit.signal ?? 'unknown');
    return { manifest, files, bytes };
  } catch (e) {
    const load = psql as ToolProcess | null;
    if (load) {
      // Ending psql mid-transaction rolls it back; wait for it so the database can be dropped.
      load.kill();
      await load.exited.catch(() => {});
    }
    await undoFiles().catch(() => {});
    if (o.signal?.aborted) throw o.signal.reason;
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
