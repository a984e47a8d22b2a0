/// <reference path="./s3rver-module.d.ts" />
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface TestS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** A bucket of this test's own, named like a DNS label. */
  bucket: string;
  /** Where s3rver keeps every byte it was sent, objects and multipart parts alike. */
  dir: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

/** A real S3-compatible server (s3rver) on a free port with its own directory and bucket, gone on close. */
export async function startS3rver(): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-s3rver-'));
  const bucket = `ocp-test-${randomBytes(6).toString('hex')}`;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: dir,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  let address: Awaited<ReturnType<S3rver['run']>>;
  try {
    address = await server.run();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    dir,
    region: 'us-east-1',
    ...S3RVER_CREDENTIALS,
    async close() {
      await server.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function clientFor(s3: TestS3): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

/** Every stored byte of every object under `prefix`, read back through the S3 API, object by object. */
export async function readStoredObjects(
  s3: TestS3,
  prefix: string,
): Promise<Array<{ key: string; bytes: Buffer }>> {
  const client = clientFor(s3);
  try {
    const out: Array<{ key: string; bytes: Buffer }> = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.Key }));
        out.push({
          key: o.Key,
          bytes: Buffer.from(await (res.Body?.transformToByteArray() ?? new Uint8Array())),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  } finally {
    client.destroy();
  }
}

/** Every file s3rver wrote to its directory (objects, metadata, multipart parts), for a search at rest. */
export async function readServerFiles(s3: TestS3): Promise<Array<{ path: string; bytes: Buffer }>> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const e of await readdir(s3.dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out.push({ path, bytes: await readFile(path) });
  }
  return out;
}
