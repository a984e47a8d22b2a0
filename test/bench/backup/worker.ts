/**
 * The backup worker's side of the benchmark: reads one job (jobs.ts) on stdin, runs it with the
 * pipeline functions the backup service runs, and prints one JSON line: its time and this process's
 * peak RSS. A process per job, so that the peak is that job's (and Node's own, about 50 MB).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  type BackupKeyring,
  createBackupKeyring,
  createS3Store,
  type ObjectStore,
  restoreBackup,
  writeBackup,
} from '@ocp/backup/pipeline';
import type { Job, JobResult } from './jobs.ts';

/** The upload's source repeats one random block of this size: generating bytes is not what is timed. */
const RANDOM_BLOCK = 1024 * 1024;
const CHUNK = 64 * 1024;
/**
 * How far the restore's reader can run ahead of pg_restore (socket buffers, a decrypted frame, the
 * tar parser): bytes read past the dump by more than this mean the files are being restored.
 */
const READ_AHEAD = 16 * 1024 * 1024;

/** A field of /proc/self/status, in bytes. */
async function statusBytes(field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m?.[1]) throw new Error(`/proc/self/status has no ${field}`);
  return Number(m[1]) * 1024;
}

function randomStream(bytes: number): Readable {
  const block = randomBytes(RANDOM_BLOCK);
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < bytes; sent += CHUNK)
        yield block.subarray(sent % RANDOM_BLOCK, (sent % RANDOM_BLOCK) + Math.min(CHUNK, bytes - sent));
    })(),
    { objectMode: false },
  );
}

async function run(
  job: Job,
  store: ObjectStore,
  keyring: BackupKeyring | null,
): Promise<Omit<JobResult, 'rssBefore' | 'peakRss' | 'ms'>> {
  switch (job.kind) {
    case 'backup': {
      if (!keyring) throw new Error('a backup needs its keyring');
      const started = performance.now();
      let filesFrom: number | undefined;
      let lastFileByte = started;
      let seenFileBytes = 0;
      const { manifest, storedBytes } = await writeBackup({
        tools: job.tools,
        source: job.source,
        filestoreDir: job.filestoreDir,
        ids: job.ids,
        store,
        key: job.key,
        keyring,
        onProgress: (p) => {
          // Reports of stored bytes come too; only a file byte read moves the files' phase.
          if (p.fileBytes === seenFileBytes) return;
          seenFileBytes = p.fileBytes;
          const now = performance.now();
          filesFrom ??= now;
          lastFileByte = now;
        },
      });
      const ended = performance.now();
      const dumpEnd = filesFrom ?? ended;
      return {
        phases: [
          { name: 'dump: pg_dump to the first file byte', ms: dumpEnd - started },
          { name: 'files: first to last file byte read', ms: Math.max(0, lastFileByte - dumpEnd) },
          { name: 'end: manifest, last parts, complete', ms: ended - Math.max(dumpEnd, lastFileByte) },
        ],
        bytes: storedBytes,
        dumpBytes: manifest.database.bytes,
        fileBytes: manifest.filestore.bytes,
        files: manifest.filestore.files,
      };
    }
    case 'restore': {
      if (!keyring) throw new Error('a restore needs its keyring');
      let read = 0;
      const started = performance.now();
      let pastDump: number | undefined;
      let lastRead = started;
      const dumpBytes = job.dumpBytes ?? Number.POSITIVE_INFINITY;
      const manifest = await restoreBackup({
        store,
        key: job.key,
        keyring,
        expect: job.ids,
        tools: job.tools,
        target: job.target,
        ownerRole: job.ownerRole,
        filestoreDir: job.filestoreDir,
        onProgress: (n) => {
          read = n;
          lastRead = performance.now();
          if (pastDump === undefined && n > dumpBytes + READ_AHEAD) pastDump = lastRead;
        },
      });
      const ended = performance.now();
      const dumpEnd = pastDump ?? lastRead;
      return {
        phases: [
          { name: 'database: until the files are read (approx.)', ms: dumpEnd - started },
          { name: 'files: until the last byte is read', ms: Math.max(0, lastRead - dumpEnd) },
          { name: 'end: manifest, row-count check', ms: ended - lastRead },
        ],
        bytes: read,
        dumpBytes: manifest.database.bytes,
        fileBytes: manifest.filestore.bytes,
        files: manifest.filestore.files,
      };
    }
    case 'upload':
      return store.upload(job.key, randomStream(job.bytes));
    case 'download': {
      let bytes = 0;
      for await (const chunk of await store.download(job.key)) bytes += (chunk as Buffer).length;
      return { bytes };
    }
  }
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const job = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Job;
  // Made once, as the service makes them at start: not part of the job's time.
  const store = createS3Store({ ...job.store, forcePathStyle: true });
  const keyring =
    job.kind === 'backup' || job.kind === 'restore'
      ? await createBackupKeyring({ kind: 'local', keyFile: job.keyFile })
      : null;
  const rssBefore = await statusBytes('VmRSS');
  const started = performance.now();
  const done = await run(job, store, keyring);
  const ms = performance.now() - started;
  const result: JobResult = { ms, rssBefore, peakRss: await statusBytes('VmHWM'), ...done };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
