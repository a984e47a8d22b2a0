import { createHash } from 'node:crypto';
import { type EventEmitter, once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { dumpPartIndex, FILESTORE_PREFIX, isSafeRelativePath, MANIFEST_ENTRY } from './archive-layout.ts';
import { backupEncryptionContext, contextMismatch, decryptBackupStream } from './envelope.ts';
import { BackupIntegrityError, BackupKeyError, RestoreFailedError, StoreError } from './errors.ts';
import type { BackupKeyring } from './keyring.ts';
import { type BackupManifest, FilestoreDigest, parseManifest } from './manifest.ts';
import { restoreCustomDump, verifyRowCounts } from './pg-restore.ts';
import type { PgConnection, PgTools } from './pg-tools.ts';
import type { ObjectStore } from './store.ts';

export type ArchiveEntry =
  /** The whole pg_dump custom-format output, its parts joined; consume it fully. */
  | { kind: 'database'; stream: Readable }
  /** A filestore file; `path` is posix and relative to the filestore directory; consume it fully. */
  | { kind: 'file'; path: string; size: number; stream: Readable };

export interface ReadBackupOptions {
  store: ObjectStore;
  key: string;
  keyring: BackupKeyring;
  /** The tenant and backup the caller means: a backup of any other does not decrypt. */
  expect: { tenantId: string; backupId: string };
  signal?: AbortSignal;
  /** Stored (encrypted) bytes read so far. */
  onProgress?: (readBytes: number) => void;
}

/** The manifest is small; a larger one is not ours. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Resolves on 'drain'; rejects when `dest` fails or closes first, or when `signal` aborts. */
function drained(dest: Writable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      dest.off('drain', onDrain);
      dest.off('error', onError);
      dest.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = () => done();
    const onError = (err: unknown) => done(err);
    const onClose = () => done(new Error('the consumer closed its stream before the end'));
    const onAbort = () => done(signal.reason);
    dest.on('drain', onDrain);
    dest.on('error', onError);
    dest.on('close', onClose);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Copies `from` into `to` (not ending it), calling `seen` on each chunk, at the pace `to` is read. */
async function pump(
  from: AsyncIterable<unknown>,
  to: Writable,
  seen: (chunk: Buffer) => void,
  signal: AbortSignal,
): Promise<void> {
  for await (const c of from) {
    const chunk = c as Buffer;
    seen(chunk);
    if (!to.write(chunk)) await drained(to, signal);
  }
}

async function collect(from: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of from) {
    n += (c as Buffer).length;
    if (n > limit) throw new BackupIntegrityError(`the backup manifest is larger than ${limit} bytes`);
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

/**
 * Decrypts, unpacks and hands each entry to `consume` in archive order (the database, then the
 * files, one at a time). The database's consumer may still be busy with the whole dump (pg_restore
 * building indexes) while the files are handed over; it is waited for at the end. Verifies sizes and SHA-256 of both against the manifest, which comes last: rejects with
 * BackupIntegrityError when they differ or the archive ends early, with BackupKeyError when the
 * ciphertext does not decrypt (changed, another key, another tenant's or backup's). What `consume`
 * received is garbage unless this resolves.
 */
export async function readBackup(
  o: ReadBackupOptions,
  consume: (e: ArchiveEntry) => Promise<void>,
): Promise<BackupManifest> {
  o.signal?.throwIfAborted();
  const body = await o.store.download(o.key, o.signal ? { signal: o.signal } : {});
  const { stream: decrypt } = decryptBackupStream(o.keyring);
  const extract = tar.extract();
  const stop = new AbortController();
  const pending = new Set<Writable>();
  let failure: unknown;
  const fail = (err: unknown) => {
    if (failure !== undefined) return;
    failure = err;
    stop.abort(err);
    const reason = err instanceof Error ? err : new Error(String(err));
    for (const s of pending) s.destroy(reason);
    body.destroy();
    decrypt.destroy();
    extract.destroy(reason);
  };
  const onAbort = () => fail(o.signal?.reason ?? new Error('aborted'));
  o.signal?.addEventListener('abort', onAbort, { once: true });

  body.on('error', (err) =>
    fail(
      new StoreError(`reading ${o.key} from ${o.store.description} failed: ${err.message}`, { cause: err }),
    ),
  );
  decrypt.on('error', (err: Error) =>
    fail(
      /incomplete message/i.test(err.message)
        ? new BackupIntegrityError(`the backup ${o.key} is cut short: its last frame is missing`, {
            cause: err,
          })
        : new BackupKeyError(
            `the backup ${o.key} does not decrypt with ${o.keyring.describe}: it was made with another key, ` +
              `or its stored bytes were changed (${err.message})`,
            { cause: err },
          ),
    ),
  );
  // The SDK parses and authenticates the header before it releases any plaintext.
  let headerChecked = false;
  decrypt.once('MessageHeader', (h: { encryptionContext: Record<string, string> }) => {
    const why = contextMismatch(h.encryptionContext, backupEncryptionContext(o.expect));
    if (why)
      fail(
        new BackupKeyError(
          `the backup ${o.key} is not tenant ${o.expect.tenantId}'s backup ${o.expect.backupId}: ${why}`,
        ),
      );
    else headerChecked = true;
  });

  let readBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      readBytes += chunk.length;
      o.onProgress?.(readBytes);
      cb(null, chunk);
    },
  });
  const decrypting = pipeline(body, counter, decrypt).catch((err) => fail(err));
  const feeding = (async () => {
    for await (const chunk of decrypt) {
      if (!headerChecked) throw new BackupKeyError(`the backup ${o.key} has no readable header`);
      // The signal ends the wait when the read fails: a destroyed extractor never drains.
      if (!extract.write(chunk))
        await once(extract as unknown as EventEmitter, 'drain', { signal: stop.signal });
      if (failure !== undefined) return;
    }
    extract.end(undefined);
  })().catch((err) => fail(err));

  /** A consumer's failure stops the whole read; a consumer that returns early lets the rest drain. */
  const handOver = (entry: ArchiveEntry, stream: PassThrough): Promise<void> => {
    pending.add(stream);
    // The consumer sees a failure through its reading (pipeline, for await); without a listener of
    // its own, an 'error' it does not watch would end the process.
    stream.on('error', () => {});
    const done = Promise.resolve()
      .then(() => consume(entry))
      .then(
        () => {
          stream.resume();
        },
        (err) => {
          fail(err);
          throw err;
        },
      );
    done.catch(() => {});
    return done;
  };

  const dbHash = createHash('sha256');
  let dbBytes = 0;
  let nextPart = 0;
  let database: { stream: PassThrough; done: Promise<void> } | null = null;
  let databaseEnded = false;
  const files = new FilestoreDigest();
  let manifest: BackupManifest | null = null;
  const integrity = (msg: string) => new BackupIntegrityError(`the backup ${o.key} ${msg}`);
  // The dump's stream ends with its last part, but its consumer (pg_restore building indexes) is not
  // waited for until the end: the files are written meanwhile.
  const endDatabase = async () => {
    if (databaseEnded) return;
    databaseEnded = true;
    if (!database) throw integrity('has no database dump');
    database.stream.end();
  };

  try {
    for await (const entry of extract) {
      const name = entry.header.name;
      if (manifest) throw integrity(`has an entry after its manifest (${name})`);
      const part = dumpPartIndex(name);
      if (part !== null) {
        if (databaseEnded || part !== nextPart)
          throw integrity(`has its database parts out of order at ${name}`);
        if (!database) {
          const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
          database = { stream, done: handOver({ kind: 'database', stream }, stream) };
        }
        await pump(
          entry,
          database.stream,
          (c) => {
            dbHash.update(c);
            dbBytes += c.length;
          },
          stop.signal,
        );
        nextPart += 1;
        continue;
      }
      await endDatabase();
      if (name === MANIFEST_ENTRY) {
        manifest = parseManifest(await collect(entry, MAX_MANIFEST_BYTES));
      } else if (name.startsWith(FILESTORE_PREFIX) && entry.header.type === 'file') {
        const path = name.slice(FILESTORE_PREFIX.length);
        if (!isSafeRelativePath(path))
          throw integrity(`has a file outside the filestore: ${JSON.stringify(path)}`);
        const size = entry.header.size;
        files.beginFile(path, size);
        const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
        const done = handOver({ kind: 'file', path, size, stream }, stream);
        await pump(entry, stream, (c) => files.update(c), stop.signal);
        stream.end();
        await done;
        pending.delete(stream);
      } else {
        throw integrity(`has an unexpected entry ${JSON.stringify(name)}`);
      }
    }
    await feeding;
    await decrypting;
    if (database) {
      await (database as { done: Promise<void> }).done;
      pending.delete((database as { stream: PassThrough }).stream);
    }
    if (failure !== undefined) throw failure;
    if (!manifest) throw integrity('ends before its manifest: the archive is cut short');
    const m: BackupManifest = manifest;
    const problems: string[] = [];
    if (m.tenantId !== o.expect.tenantId || m.backupId !== o.expect.backupId)
      problems.push(`its manifest names tenant ${m.tenantId} backup ${m.backupId}`);
    if (dbBytes !== m.database.bytes || dbHash.digest('hex') !== m.database.sha256)
      problems.push(
        `its database dump (${dbBytes} bytes) differs from the manifest's (${m.database.bytes} bytes)`,
      );
    if (
      files.files !== m.filestore.files ||
      files.bytes !== m.filestore.bytes ||
      files.digest() !== m.filestore.sha256
    )
      problems.push(
        `its filestore (${files.files} files, ${files.bytes} bytes) differs from the manifest's (${m.filestore.files} files, ${m.filestore.bytes} bytes)`,
      );
    if (problems.length > 0) throw integrity(`is not whole: ${problems.join('; ')}`);
    return m;
  } catch (err) {
    fail(err);
    // The tar parser ending early (or a consumer failing) is a symptom; the first failure is the cause.
    const cause = failure ?? err;
    await Promise.allSettled([feeding, decrypting, database?.done]);
    if (
      cause instanceof Error &&
      !(
        cause instanceof BackupKeyError ||
        cause instanceof BackupIntegrityError ||
        cause instanceof StoreError
      ) &&
      /unexpected end|invalid tar|size mismatch|header/i.test(cause.message)
    )
      throw new BackupIntegrityError(`the backup ${o.key} is not a whole archive: ${cause.message}`, {
        cause,
      });
    throw cause;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

export interface RestoreBackupOptions extends ReadBackupOptions {
  tools: PgTools;
  /** An existing, empty database. */
  target: PgConnection;
  /** The role that is to own what is restored (pg_restore --role). */
  ownerRole: string;
  /** Where the files go (created); null: the files are read and verified, not kept. */
  filestoreDir: string | null;
}

/**
 * Restores a backup into an EXISTING empty database and its files under `filestoreDir`, then checks
 * every table's row count against the manifest. On failure the database and directory hold garbage:
 * the caller drops them.
 */
export async function restoreBackup(o: RestoreBackupOptions): Promise<BackupManifest> {
  const root = o.filestoreDir;
  if (root !== null) await mkdir(root, { recursive: true });
  const manifest = await readBackup(o, async (e) => {
    if (e.kind === 'database') {
      await restoreCustomDump({
        tools: o.tools,
        target: o.target,
        ownerRole: o.ownerRole,
        input: e.stream,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      return;
    }
    if (root === null) {
      e.stream.resume();
      await new Promise((resolve, reject) => e.stream.once('end', resolve).once('error', reject));
      return;
    }
    const dest = join(root, ...e.path.split('/'));
    await mkdir(dirname(dest), { recursive: true });
    await pipeline(e.stream, createWriteStream(dest, { flags: 'w', mode: 0o640 }));
  });
  const problems = await verifyRowCounts(o.target, manifest.database.tables);
  if (problems.length > 0)
    throw new RestoreFailedError(
      `the restored database ${o.target.database} differs from the backup: ${problems.slice(0, 10).join('; ')}`,
      0,
      '',
    );
  return manifest;
}
