import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, opendir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutBucketLifecycleConfigurationCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectMissingError, StoreError } from './errors.ts';

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** Where backups are kept: an S3 bucket, or a directory for a single machine. */
export interface ObjectStore {
  /** 's3://<bucket>' or 'dir:<path>'. */
  readonly description: string;
  /**
   * Streams `body` to `key`. The object becomes visible only when complete; on failure or abort
   * nothing is left (the multipart upload is aborted, the partial file removed). A failure of
   * `body` itself rejects with that error; a failure of the store with StoreError.
   */
  upload(
    key: string,
    body: Readable,
    opts?: { signal?: AbortSignal; onProgress?: (bytes: number) => void },
  ): Promise<{ bytes: number }>;
  /** The object's bytes; ObjectMissingError when there is none. */
  download(key: string, opts?: { signal?: AbortSignal }): Promise<Readable>;
  head(key: string): Promise<StoredObject | null>;
  /** Removes the object; an absent one is no error. */
  remove(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<StoredObject>;
  /**
   * Expires `<prefix>` objects after `expireDays` and aborts multipart uploads left incomplete
   * after `abortIncompleteDays`. `{ applied: false, reason }` where the store has no lifecycle.
   */
  applyLifecycle(
    rules: Array<{ id: string; prefix: string; expireDays: number }>,
    abortIncompleteDays: number,
  ): Promise<{ applied: boolean; reason?: string }>;
  /**
   * Removes what uploads cut off by a crash left behind and older than `olderThanMs`; answers how
   * many. A directory store removes its `.partial-` files; an S3 store leaves it to the bucket's
   * rule that aborts incomplete multipart uploads (0).
   */
  sweepIncomplete(olderThanMs: number): Promise<number>;
}

export interface S3StoreOptions {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  /** Asks S3 to encrypt at rest with this KMS key (SSE-KMS), on top of the backup's own encryption. */
  sseKmsKeyId?: string;
  /** At least 5 MiB; memory held by an upload is about partSizeBytes * (queueSize + 1). */
  partSizeBytes?: number;
  queueSize?: number;
  maxAttempts?: number;
}

const MIN_PART = 5 * 1024 * 1024;

/** Counts the bytes that pass; `failed` keeps the body's own error apart from the store's. */
class Tally extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void) {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

function messageOf(err: unknown): string {
  if (err instanceof S3ServiceException) return `${err.name}: ${err.message}`;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

const isNotFound = (err: unknown): boolean =>
  err instanceof S3ServiceException &&
  (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404);

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted', { cause: signal.reason });
}

/**
 * Watches `body` for its own failure, so that an upload that fails because its source failed
 * rejects with the source's error, not a StoreError.
 */
function watchBody(body: Readable): { failure: () => unknown } {
  let failure: unknown;
  body.once('error', (err) => {
    failure ??= err;
  });
  return { failure: () => failure };
}

export function createS3Store(o: S3StoreOptions): ObjectStore {
  if (o.partSizeBytes !== undefined && o.partSizeBytes < MIN_PART)
    throw new Error(`partSizeBytes must be at least ${MIN_PART} (S3's smallest part)`);
  const client = new S3Client({
    region: o.region,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    forcePathStyle: o.forcePathStyle ?? Boolean(o.endpoint),
    ...(o.accessKeyId && o.secretAccessKey
      ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
      : {}),
    maxAttempts: o.maxAttempts ?? 5,
  });
  const Bucket = o.bucket;
  const description = `s3://${Bucket}`;
  const fail = (what: string, err: unknown): StoreError =>
    new StoreError(`${what} on ${description} failed: ${messageOf(err)}`, { cause: err });

  return {
    description,

    async upload(key, body, opts = {}) {
      const { signal, onProgress } = opts;
      signal?.throwIfAborted();
      const tally = new Tally();
      const watched = watchBody(body);
      // The Upload reads `tally`; an error of `body` (or an abort) destroys `tally`, which fails
      // the Upload's reading, which aborts the multipart upload before done() rejects. Upload's
      // own abort() would reject at once and abort the multipart upload later, in the background.
      const feed = pipeline(body, tally).catch(() => {});
      const params: PutObjectCommandInput = {
        Bucket,
        Key: key,
        Body: tally,
        ContentType: 'application/octet-stream',
      };
      if (o.sseKmsKeyId) {
        params.ServerSideEncryption = 'aws:kms';
        params.SSEKMSKeyId = o.sseKmsKeyId;
      }
      const upload = new Upload({
        client,
        params,
        leavePartsOnError: false,
        ...(o.partSizeBytes ? { partSize: o.partSizeBytes } : {}),
        ...(o.queueSize ? { queueSize: o.queueSize } : {}),
      });
      if (onProgress) upload.on('httpUploadProgress', (p) => onProgress(p.loaded ?? 0));
      const onAbort = () => body.destroy(abortError(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await upload.done();
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        const own = watched.failure();
        if (own !== undefined) throw own;
        body.destroy();
        throw fail(`storing ${key}`, err);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        await feed;
      }
      onProgress?.(tally.bytes);
      return { bytes: tally.bytes };
    },

    async download(key, opts = {}) {
      try {
        const res = await client.send(
          new GetObjectCommand({ Bucket, Key: key }),
          opts.signal ? { abortSignal: opts.signal } : {},
        );
        if (!(res.Body instanceof Readable)) throw new Error('the response has no streamed body');
        return res.Body;
      } catch (err) {
        if (isNotFound(err)) throw new ObjectMissingError(key, { cause: err });
        throw fail(`reading ${key}`, err);
      }
    },

    async head(key) {
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw fail(`looking up ${key}`, err);
      }
    },

    async remove(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (isNotFound(err)) return;
        throw fail(`removing ${key}`, err);
      }
    },

    async *list(prefix) {
      let ContinuationToken: string | undefined;
      do {
        let page: ListObjectsV2CommandOutput;
        try {
          page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
        } catch (err) {
          throw fail(`listing ${prefix}`, err);
        }
        for (const c of page.Contents ?? [])
          if (c.Key !== undefined)
            yield { key: c.Key, size: c.Size ?? 0, lastModified: c.LastModified ?? new Date(0) };
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },

    async sweepIncomplete() {
      return 0;
    },

    async applyLifecycle(rules, abortIncompleteDays) {
      try {
        await client.send(
          new PutBucketLifecycleConfigurationCommand({
            Bucket,
            LifecycleConfiguration: {
              Rules: [
                {
                  ID: 'abort-incomplete-uploads',
                  Status: 'Enabled',
                  Filter: { Prefix: '' },
                  AbortIncompleteMultipartUpload: { DaysAfterInitiation: abortIncompleteDays },
                },
                ...rules.map((r) => ({
                  ID: r.id,
                  Status: 'Enabled' as const,
                  Filter: { Prefix: r.prefix },
                  Expiration: { Days: r.expireDays },
                })),
              ],
            },
          }),
        );
        return { applied: true };
      } catch (err) {
        if (
          err instanceof S3ServiceException &&
          (err.name === 'NotImplemented' || err.$metadata?.httpStatusCode === 501)
        )
          return { applied: false, reason: `${description} does not implement bucket lifecycle rules` };
        throw fail('setting lifecycle rules', err);
      }
    },
  };
}

const PARTIAL = '.partial-';

/** `key` as a path under `root`; refuses keys that would leave it. */
function pathOf(root: string, key: string): string {
  const parts = key.split('/');
  if (
    key === '' ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0') || p.includes(PARTIAL))
  )
    throw new StoreError(`the object key ${JSON.stringify(key)} is not a relative path of plain names`);
  return join(root, ...parts);
}

/** A store in a local directory: keys are relative paths, objects are files. */
export function createDirStore(dir: string): ObjectStore {
  const description = `dir:${dir}`;
  const fail = (what: string, err: unknown): StoreError =>
    new StoreError(`${what} in ${description} failed: ${messageOf(err)}`, { cause: err });

  async function* walk(at: string): AsyncGenerator<string> {
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw fail('listing', err);
    }
    const names: Array<{ name: string; dir: boolean }> = [];
    for await (const d of handle)
      if (d.isDirectory() || d.isFile()) names.push({ name: d.name, dir: d.isDirectory() });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const n of names) {
      const p = join(at, n.name);
      if (n.dir) yield* walk(p);
      else if (!n.name.includes(PARTIAL)) yield p;
    }
  }

  return {
    description,

    async upload(key, body, opts = {}) {
      const { signal, onProgress } = opts;
      signal?.throwIfAborted();
      const target = pathOf(dir, key);
      const partial = `${target}${PARTIAL}${randomUUID()}`;
      const tally = new Tally();
      let last = 0;
      if (onProgress)
        tally.on('data', () => {
          // Reported at most every MiB: a file write is cheap, a progress callback need not be.
          if (tally.bytes - last >= 1 << 20) {
            last = tally.bytes;
            onProgress(tally.bytes);
          }
        });
      const watched = watchBody(body);
      try {
        await mkdir(dirname(target), { recursive: true });
        // flush: fsync before close, so a renamed object is on disk, not only in the page cache.
        const file = createWriteStream(partial, { flags: 'wx', mode: 0o600, flush: true });
        await pipeline(body, tally, file, signal ? { signal } : {});
        await rename(partial, target);
      } catch (err) {
        await rm(partial, { force: true }).catch(() => {});
        if (signal?.aborted) throw abortError(signal);
        const own = watched.failure();
        if (own !== undefined) throw own;
        throw fail(`storing ${key}`, err);
      }
      onProgress?.(tally.bytes);
      return { bytes: tally.bytes };
    },

    async download(key, opts = {}) {
      const p = pathOf(dir, key);
      try {
        const fh = await open(p, 'r');
        const s = createReadStream('', { fd: fh, ...(opts.signal ? { signal: opts.signal } : {}) });
        return s.pipe(new PassThrough()).on('close', () => s.destroy());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          throw new ObjectMissingError(key, { cause: err });
        throw fail(`reading ${key}`, err);
      }
    },

    async head(key) {
      try {
        const s = await stat(pathOf(dir, key));
        return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw fail(`looking up ${key}`, err);
      }
    },

    async remove(key) {
      try {
        await unlink(pathOf(dir, key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw fail(`removing ${key}`, err);
      }
    },

    async *list(prefix) {
      for await (const p of walk(dir)) {
        const key = relative(dir, p).split(sep).join('/');
        if (!key.startsWith(prefix)) continue;
        try {
          const s = await stat(p);
          yield { key, size: s.size, lastModified: s.mtime };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fail('listing', err);
        }
      }
    },

    async applyLifecycle() {
      return {
        applied: false,
        reason: `${description} has no lifecycle rules; old backups are removed by the service`,
      };
    },

    async sweepIncomplete(olderThanMs) {
      const before = Date.now() - olderThanMs;
      let removed = 0;
      async function sweep(at: string): Promise<void> {
        let handle: Awaited<ReturnType<typeof opendir>>;
        try {
          handle = await opendir(at);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw fail('sweeping', err);
        }
        for await (const d of handle) {
          const p = join(at, d.name);
          if (d.isDirectory()) await sweep(p);
          else if (d.isFile() && d.name.includes(PARTIAL)) {
            const s = await stat(p).catch(() => undefined);
            if (s && s.mtimeMs < before) {
              await rm(p, { force: true });
              removed++;
            }
          }
        }
      }
      await sweep(dir);
      return removed;
    },
  };
}
