import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { adminQuery, freePort, urlFor, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { startS3rver, type TestS3 } from '../../services/backup/test/support/s3rver.ts';
import { type Platform, startBackup, startPlatform } from '../support/platform.ts';
import { type ServiceProcess, spawnService } from '../support/process.ts';
import { createTenant } from '../support/tenants.ts';

const limit = { timeout: 300_000 };

/** The S3 settings of the backup service for `s3`, with the smallest parts S3 allows. */
const s3Env = (s3: TestS3): Record<string, string> => ({
  BACKUP_STORE: 's3',
  BACKUP_S3_ENDPOINT: s3.endpoint,
  BACKUP_S3_BUCKET: s3.bucket,
  BACKUP_S3_FORCE_PATH_STYLE: 'true',
  BACKUP_S3_ACCESS_KEY_ID: s3.accessKeyId,
  BACKUP_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  BACKUP_S3_PART_MB: '5',
});

/** The keys of the complete objects under `prefix`, as ListObjects shows them. */
async function visibleObjects(s3: TestS3, prefix: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key ?? '');
  } finally {
    client.destroy();
  }
}

const BLOBS = 150;

/**
 * Fills the tenant's database with BLOBS MiB of random bytes (pg_dump's compression and TOAST's
 * leave them as they are), in a table its owner role owns, as Odoo's tables are: the backup role
 * reads it as a member of that role.
 */
async function fillWithRandomBytes(database: string): Promise<string> {
  const client = new pg.Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    const { rows } = await client.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()',
    );
    await client.query(`SET ROLE ${pg.escapeIdentifier(rows[0]!.owner)}`);
    await client.query('CREATE TABLE ocp_test_blobs (id integer PRIMARY KEY, data bytea NOT NULL)');
    await client.query('ALTER TABLE ocp_test_blobs ALTER COLUMN data SET STORAGE EXTERNAL');
    for (let i = 0; i < BLOBS; i++)
      await client.query('INSERT INTO ocp_test_blobs VALUES ($1, $2)', [i, randomBytes(1 << 20)]);
    return await blobsDigest(client);
  } finally {
    await client.end();
  }
}

/** The rows of the blob table and a digest of all their bytes. */
async function blobsDigest(client: pg.Client | string): Promise<string> {
  const sql = `SELECT count(*) || ':' || md5(string_agg(md5(data), '' ORDER BY id)) AS digest FROM ocp_test_blobs`;
  const { rows } =
    typeof client === 'string'
      ? await adminQuery<{ digest: string }>(sql, [], urlFor(client))
      : await client.query<{ digest: string }>(sql);
  return rows[0]!.digest;
}

describe('a backup worker killed with SIGKILL in the middle of an upload', limit, () => {
  let s3: TestS3;
  let p: Platform;
  let worker: ServiceProcess | undefined;
  let port: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  let tenant: any;
  let digest: string;

  before(async () => {
    s3 = await startS3rver();
    // A short lease: the dead worker's operation is taken up again 3 s after its last heartbeat.
    p = await startPlatform({ backup: true, backupEnv: { ...s3Env(s3), OPERATION_LEASE_MS: '3000' } });
    // The backup service runs as a process of its own, so that it can be killed as a crash kills.
    await p.backup?.close();
    p.backup = undefined;
    port = await freePort();
    worker = spawnService('backup', { ...p.backupEnv!, HTTP_PORT: String(port) });
    await waitFor(
      'the backup service process to be ready',
      async () =>
        (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ? true : undefined,
      { timeoutMs: 30_000 },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${worker?.output()}`);
    });
    tenant = await createTenant(p, 'crashed-backup');
    digest = await fillWithRandomBytes(tenant.databaseName);
  });

  after(async () => {
    await worker?.kill('SIGTERM');
    await p?.close();
    await s3?.close();
  });

  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let started: any;

  test('leaves no succeeded catalog entry and no visible object', async () => {
    const res = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/backups`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    started = res.body;
    const mid = await waitFor(
      'the upload to be under way',
      async () => {
        const op = await p.api.call('GET', `/api/v1/operations/${started.operation.id}`);
        const ended = op.body.state === 'succeeded' || op.body.state === 'failed';
        return op.body.bytesDone > 0 || ended ? op.body : undefined;
      },
      { timeoutMs: 60_000 },
    );
    assert.equal(mid.state, 'running', `the backup was to be under way: ${JSON.stringify(mid)}`);
    await worker!.kill('SIGKILL');
    assert.equal(worker!.proc.signalCode, 'SIGKILL');

    // The catalog is the backup service's: with it dead, it is read in its database.
    const { rows } = await adminQuery<{ state: string; object_key: string | null }>(
      'SELECT state, object_key FROM backups WHERE id = $1',
      [started.backup.id],
      p.databases.backup,
    );
    assert.equal(rows[0]?.state, 'running');
    assert.equal(rows[0]?.object_key, null);
    assert.deepEqual(await visibleObjects(s3, `tenants/${tenant.id}/`), []);
  });

  test('is backed up again by the next worker once the lease runs out, once, and restores', async () => {
    p.backup = await startBackup(p);
    const op = await p.api.waitOperation(started.operation.id, 120_000);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    assert.equal(op.attempts, 2, 'claimed by the killed worker, then by the new one');
    assert.equal(op.result.backupId, started.backup.id);

    const list = await p.api.call('GET', `/api/v1/tenants/${tenant.id}/backups?limit=10`);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(
      list.body.items.map((b: { id: string; state: string }) => `${b.id}:${b.state}`),
      [`${started.backup.id}:succeeded`],
    );
    const backup = (await p.api.call('GET', `/api/v1/backups/${started.backup.id}`)).body;
    assert.equal(backup.state, 'succeeded');
    assert.ok(backup.storedBytes > BLOBS << 20, 'the random bytes are stored as they are, not compressed');
    const objects = await visibleObjects(s3, `tenants/${tenant.id}/`);
    assert.equal(objects.length, 1, JSON.stringify(objects));
    assert.match(objects[0]!, new RegExp(`/${started.backup.id}\\.ocpbak$`));

    const slug = 'crashed-backup-copy';
    const res = await p.api.call('POST', `/api/v1/backups/${started.backup.id}/restore`, {
      newTenant: { slug },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const restored = await p.api.waitOperation(res.body.operation.id, 120_000);
    assert.equal(restored.state, 'succeeded', JSON.stringify(restored));
    const copy = (await p.api.call('GET', `/api/v1/tenants/${restored.result.tenantId}`)).body;
    assert.equal(copy.slug, slug);
    assert.equal(copy.state, 'active');
    assert.equal(await blobsDigest(copy.databaseName), digest);
    assert.equal(digest.split(':')[0], String(BLOBS));
  });
});

describe('a backup whose object store cannot be reached', limit, () => {
  let p: Platform;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  let tenant: any;

  before(async () => {
    const nobody = await freePort();
    p = await startPlatform({
      backup: true,
      backupEnv: {
        BACKUP_STORE: 's3',
        BACKUP_S3_ENDPOINT: `http://127.0.0.1:${nobody}`,
        BACKUP_S3_BUCKET: 'ocp-nowhere',
        BACKUP_S3_FORCE_PATH_STYLE: 'true',
        BACKUP_S3_ACCESS_KEY_ID: 'KEY',
        BACKUP_S3_SECRET_ACCESS_KEY: 'SECRET',
        STORE_MAX_ATTEMPTS: '2',
      },
    });
    tenant = await createTenant(p, 'unreachable-store');
  });

  after(() => p?.close());

  test("fails with the store's error after bounded retries; no backup succeeds and the tenant stays active", async (t) => {
    const res = await p.api.call('POST', `/api/v1/tenants/${tenant.id}/backups`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const began = Date.now();
    const op = await p.api.waitOperation(res.body.operation.id, 60_000);
    t.diagnostic(`the backup failed after ${Date.now() - began} ms`);
    assert.equal(op.state, 'failed', JSON.stringify(op));
    assert.match(
      op.error,
      new RegExp(`storing tenants/${tenant.id}/\\S+ on s3://ocp-nowhere failed: connect ECONNREFUSED`),
    );
    assert.equal(op.attempts, 1, 'a store that refused each of its attempts fails the operation at once');

    const backup = (await p.api.call('GET', `/api/v1/backups/${res.body.backup.id}`)).body;
    assert.equal(backup.state, 'failed');
    assert.equal(backup.error, op.error);
    const list = await p.api.call('GET', `/api/v1/tenants/${tenant.id}/backups?limit=10`);
    assert.deepEqual(
      list.body.items.map((b: { state: string }) => b.state),
      ['failed'],
    );
    const after = (await p.api.call('GET', `/api/v1/tenants/${tenant.id}`)).body;
    assert.equal(after.state, 'active');
  });
});
