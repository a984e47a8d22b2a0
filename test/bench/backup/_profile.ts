import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPgTools } from '@ocp/backup/pipeline';
import { adminUrl, uniqueName } from '@ocp/testkit';
import { startS3rver } from '../../../services/backup/test/support/s3rver.ts';
import { createFilestore, createPgbenchDatabase } from './fixtures.ts';
import { createScratch } from './tools.ts';

const scratch = createScratch(console.error);
const ac = new AbortController();
try {
  const tools = await findPgTools(15);
  const work = await mkdtemp(join(tmpdir(), 'ocp-prof-'));
  scratch.defer('work', () => rm(work, { recursive: true, force: true }));
  const s3 = await startS3rver();
  scratch.defer('s3', () => s3.close());
  const mode = process.argv[2] ?? 'backup';
  const fs = join(work, 'fs');
  await mkdir(fs);
  if (mode === 'backup') await createFilestore(fs, 200e6, 2000);
  const db =
    mode !== 'backup'
      ? { connection: {} }
      : await createPgbenchDatabase({
          name: uniqueName('ocp_prof_'),
          scale: 2,
          tools,
          adminUrl: adminUrl(),
          scratch,
          signal: ac.signal,
        });
  const job = {
    kind: mode,
    store: {
      endpoint: s3.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      partSizeBytes: Number(process.argv[3] ?? 16) * 1048576,
      queueSize: Number(process.argv[4] ?? 4),
    },
    tools,
    source: db.connection,
    filestoreDir: fs,
    keyFile: join(work, 'k'),
    key: 'x/y',
    ids: { tenantId: 't', backupId: 'b' },
    bytes: 204e6,
  };
  const flags = process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/bkprof'] : [];
  await new Promise<void>((resolve) => {
    const c = spawn(
      process.execPath,
      [...flags, '--import', 'tsx', new URL('./worker.ts', import.meta.url).pathname],
      {
        stdio: ['pipe', 'inherit', 'inherit'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    c.stdin.end(JSON.stringify(job));
    c.on('close', () => resolve());
  });
} finally {
  await scratch.cleanup();
}
