import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { FILESTORE_PREFIX, isSafeRelativePath } from './archive-layout.ts';
import { type ReadBackupOptions, readBackup } from './backup-reader.ts';
import { OdooZipError } from './odoo-zip-errors.ts';
import { type OdooManifest, odooManifestOf } from './odoo-zip-manifest.ts';
import { stripRestrictLines } from './odoo-zip-sql.ts';
import type { PgTools } from './pg-tools.ts';
import { startTool, type ToolProcess } from './tool-process.ts';

export interface WriteOdooZipOptions extends ReadBackupOptions {
  tools: PgTools;
  /** Receives the zip. Destroyed with the error when writing fails, so a cut zip is never taken for a whole one. */
  out: Writable;
}

/** pg_restore only converts here (no connection), so it needs no environment of ours. */
const CONVERT_ENV: NodeJS.ProcessEnv = { LC_MESSAGES: 'C', LANG: 'C.UTF-8' };

/** Turns the custom-format dump into plain SQL as the zip's dump.sql, without its \restrict lines. */
async function addDumpSql(
  zip: yazl.ZipFile,
  dump: Readable,
  tools: PgTools,
  mtime: Date,
  started: (p: ToolProcess) => void,
) {
  const restore = startTool(tools.pgRestore, ['--file=-', '--no-owner', '--no-privileges'], CONVERT_ENV, [
    'pipe',
    'pipe',
    'pipe',
  ]);
  started(restore);
  const { stdin, stdout } = restore.child;
  if (!stdin || !stdout) throw new Error('pg_restore started without pipes');
  const sql = new PassThrough();
  zip.addReadStream(sql, 'dump.sql', { mtime, compress: true });
  const [fed, drained, exited] = await Promise.allSettled([
    pipeline(dump, stdin),
    pipeline(stdout, stripRestrictLines(), sql),
    restore.exited,
  ]);
  // The dump's own failure (the backup does not decrypt or is not whole) is the one to report.
  if (fed.status === 'rejected' && !isPipeClosed(fed.reason)) throw fed.reason;
  if (exited.status === 'rejected') throw exited.reason;
  if (exited.value.code !== 0)
    throw new OdooZipError(
      `pg_restore could not turn the backup's dump into SQL (exit ${exited.value.code ?? exited.value.signal}): ${restore.stderr.lines(5)}`,
    );
  if (fed.status === 'rejected') throw fed.reason;
  if (drained.status === 'rejected') throw drained.reason;
}

const isPipeClosed = (e: unknown) => (e as { code?: string })?.code === 'EPIPE';

/**
 * Streams a stored backup as the zip Odoo 18's database manager writes and restores: `dump.sql`
 * first (plain SQL from `pg_restore --file=- --no-owner --no-privileges` of the custom dump, with
 * the `\restrict`/`\unrestrict` lines removed, which psql older than 15.14 etc. refuse), then
 * `filestore/<path>` for each file, then `manifest.json` built from the backup's manifest, last
 * because the backup's manifest is only known (and verified) at its end. Deflated, entries
 * streamed, memory independent of the backup's size. Resolves once `out` has all of it; rejects
 * (and destroys `out`) when the backup does not read whole, pg_restore fails, `out` fails or
 * `signal` aborts.
 */
export async function writeOdooZip(o: WriteOdooZipOptions): Promise<OdooManifest> {
  const zip = new yazl.ZipFile();
  const output = zip.outputStream as PassThrough;
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  let outError: unknown = null;
  const written = pipeline(output, o.out);
  written.catch((e: unknown) => {
    outError = e;
    stop.abort(e);
  });
  let restore: ToolProcess | null = null;
  const mtime = new Date();
  try {
    const backup = await readBackup({ ...o, signal }, async (entry) => {
      if (entry.kind === 'database') {
        await addDumpSql(zip, entry.stream, o.tools, mtime, (p) => {
          restore = p;
        });
        return;
      }
      if (!isSafeRelativePath(entry.path))
        throw new OdooZipError(`the backup holds a file with an unsafe path: ${JSON.stringify(entry.path)}`);
      const data = new PassThrough();
      zip.addReadStream(data, `${FILESTORE_PREFIX}${entry.path}`, { mtime, size: entry.size });
      await pipeline(entry.stream, data);
    });
    const manifest = odooManifestOf(backup);
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 4)}\n`), 'manifest.json', { mtime });
    zip.end();
    await written;
    return manifest;
  } catch (e) {
    (restore as ToolProcess | null)?.kill();
    const err = outError ?? e;
    output.destroy(err instanceof Error ? err : new Error(String(err)));
    await written.catch(() => {});
    throw err;
  }
}
