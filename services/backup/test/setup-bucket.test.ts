import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bucketLifecycle, retentionDays } from '../src/domain/lifecycle.ts';
import { parseRetention } from '../src/domain/retention.ts';
import { startS3rver, type TestS3 } from './support/s3rver.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the command as an operator does, with only `env` (and PATH): no database variables. */
async function setupBucket(
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/backup/src/setup-bucket.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, out, err };
}

const retention = JSON.stringify({
  default: { daily: 7, weekly: 4, monthly: 6 },
  pro: { daily: 30, weekly: 12, monthly: 24 },
});

describe('the bucket lifecycle follows the retention policy', () => {
  test('backups expire a week after the longest any plan keeps them; incomplete uploads after a day', () => {
    assert.equal(retentionDays({ daily: 7, weekly: 4, monthly: 6 }), 186);
    assert.equal(retentionDays({ daily: 90, weekly: 4, monthly: 2 }), 90);
    assert.equal(retentionDays({ daily: 0, weekly: 0, monthly: 0 }), 0);
    const plan = bucketLifecycle(parseRetention(retention).byPlan);
    assert.equal(plan.longestRetentionDays, 24 * 31);
    assert.deepEqual(plan.rules, [{ id: 'expire-backups', prefix: 'tenants/', expireDays: 24 * 31 + 7 }]);
    assert.equal(plan.abortIncompleteDays, 1);
    // A final backup lives through the longest grace period and its keeping time.
    const short = bucketLifecycle(parseRetention('{"default":{"daily":7}}').byPlan, 90);
    assert.equal(short.longestRetentionDays, 90 + 90);
  });
});

describe('setup-bucket against s3rver, which has no lifecycle rules', () => {
  let s3: TestS3;
  let env: Record<string, string>;
  before(async () => {
    s3 = await startS3rver();
    env = {
      BACKUP_STORE: 's3',
      BACKUP_S3_ENDPOINT: s3.endpoint,
      BACKUP_S3_BUCKET: s3.bucket,
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      BACKUP_S3_ACCESS_KEY_ID: s3.accessKeyId,
      BACKUP_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      BACKUP_RETENTION: retention,
    };
  });
  after(() => s3?.close());

  test('says the server does not support them and what that means, and exits 0', async () => {
    const r = await setupBucket(env);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`s3://${s3.bucket}: the server does not support bucket lifecycle rules`));
    assert.match(r.out, /Nothing was applied/);
    assert.match(r.out, /never aborted/);
    assert.match(r.out, /removed only by the service/);
    assert.match(
      r.out,
      /incomplete uploads aborted after 1 day; objects under tenants\/ expire after 751 days/,
    );
  });

  test('a missing bucket is a failure, named', async () => {
    const r = await setupBucket({ ...env, BACKUP_S3_BUCKET: `${s3.bucket}-missing` });
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /NoSuchBucket/);
    assert.doesNotMatch(r.out, /does not support/);
  });

  test('credentials the server refuses are a failure, named', async () => {
    const r = await setupBucket({ ...env, BACKUP_S3_ACCESS_KEY_ID: 'NOT-A-KEY' });
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /setting lifecycle rules on s3:\/\/\S+ failed: InvalidAccessKeyId/);
  });

  test('an invalid config is refused before anything is sent, naming the variable', async () => {
    const { BACKUP_S3_BUCKET: _, ...noBucket } = env;
    const r = await setupBucket(noBucket);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /BACKUP_STORE=s3 needs BACKUP_S3_BUCKET/);
  });
});

describe('setup-bucket against a server that implements lifecycle rules', () => {
  // s3rver answers NotImplemented; this double answers PutBucketLifecycleConfiguration as S3 does
  // (200, empty body) and keeps what it was sent, so the rules on the wire can be read.
  const received: Array<{ method: string; url: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(200, { 'content-length': '0' }).end();
    });
  });
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('applies the abort and expiry rules and prints them', async () => {
    const r = await setupBucket({
      BACKUP_STORE: 's3',
      BACKUP_S3_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      BACKUP_S3_BUCKET: 'ocp-backups',
      BACKUP_S3_FORCE_PATH_STYLE: 'true',
      BACKUP_S3_ACCESS_KEY_ID: 'KEY',
      BACKUP_S3_SECRET_ACCESS_KEY: 'SECRET',
    });
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(received.length, 1);
    const put = received[0]!;
    assert.equal(put.method, 'PUT');
    assert.match(put.url, /^\/ocp-backups\/?\?lifecycle/);
    assert.match(
      put.body,
      /<AbortIncompleteMultipartUpload><DaysAfterInitiation>1<\/DaysAfterInitiation><\/AbortIncompleteMultipartUpload>/,
    );
    const expiry = put.body.match(
      /<Rule>(?:(?!<\/Rule>).)*<ID>expire-backups<\/ID>(?:(?!<\/Rule>).)*<\/Rule>/,
    )?.[0];
    assert.ok(expiry, put.body);
    assert.match(expiry, /<Filter><Prefix>tenants\/<\/Prefix><\/Filter>/);
    assert.match(expiry, /<Expiration><Days>193<\/Days><\/Expiration>/);
    assert.match(r.out, /s3:\/\/ocp-backups: lifecycle rules applied/);
    assert.match(r.out, /aborted after 1 day/);
    assert.match(r.out, /expire-backups: objects under tenants\/ expire after 193 days/);
    assert.match(r.out, /longest retention is 186 days/);
  });
});

describe('setup-bucket with a directory store', () => {
  test('says there is nothing to apply, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocp-setup-bucket-'));
    try {
      const r = await setupBucket({ BACKUP_STORE: 'dir', BACKUP_STORE_DIR: dir });
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, new RegExp(`dir:${dir}: nothing to apply`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
