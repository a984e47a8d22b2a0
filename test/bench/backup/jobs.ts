import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PgConnection, PgTools } from '@ocp/backup/pipeline';

/** The S3 store as the backup service makes it (BACKUP_S3_PART_MB, BACKUP_S3_QUEUE). */
export interface StoreSettings {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  partSizeBytes: number;
  queueSize: number;
}

/** One job of the worker process (worker.ts): what the backup worker runs, or one of its stages alone. */
export type Job = { store: StoreSettings } & (
  | {
      kind: 'backup';
      tools: PgTools;
      source: PgConnection;
      filestoreDir: string;
      keyFile: string;
      key: string;
      ids: { tenantId: string; backupId: string };
    }
  | {
      kind: 'restore';
      tools: PgTools;
      target: PgConnection;
      ownerRole: string;
      filestoreDir: string;
      /** The dump's size in the backup, to tell the database phase from the files' in the time line. */
      dumpBytes?: number;
      keyFile: string;
      key: string;
      ids: { tenantId: string; backupId: string };
    }
  /** A plain multipart upload of `bytes` random bytes through the same store. */
  | { kind: 'upload'; key: string; bytes: number }
  /** A plain download of a stored object, its bytes read and dropped. */
  | { kind: 'download'; key: string }
);

export interface JobResult {
  /** The job alone: from after the process started and loaded its modules to its end. */
  ms: number;
  /** Bytes stored (backup, upload) or read (download, restore). */
  bytes: number;
  /** VmRSS just before the job, with its modules loaded (bytes). */
  rssBefore: number;
  /** VmHWM at the end: the process's peak resident set over its whole life (bytes). */
  peakRss: number;
  /** A backup's or restore's manifest: the dump's size and the filestore's. */
  dumpBytes?: number;
  fileBytes?: number;
  files?: number;
  /** Where a backup's or restore's time went, from its progress reports; they add up to `ms`. */
  phases?: Array<{ name: string; ms: number }>;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Runs `job` in a new Node process (`node --import tsx worker.ts`), so that the peak RSS it reports
 * is a process that did that job and nothing else, as the backup worker does. `signal` kills it.
 */
export function runJob(job: Job, signal: AbortSignal): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      cwd: REPO_ROOT,
      // The SDK's notice that Node 20 will lose support, once per worker, says nothing about the run.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['pipe', 'pipe', 'inherit'],
      signal,
      killSignal: 'SIGKILL',
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    // The job on stdin, not argv: nothing of it shows in `ps`.
    child.stdin.end(JSON.stringify(job));
    child.once('error', reject);
    child.once('close', (code, sig) => {
      if (code !== 0) {
        reject(new Error(`the ${job.kind} worker ${sig ? `was ended by ${sig}` : `exited with ${code}`}`));
        return;
      }
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as JobResult);
      } catch {
        reject(new Error(`the ${job.kind} worker printed no result: ${JSON.stringify(out.slice(-500))}`));
      }
    });
  });
}

const PRINT_RSS =
  "process.stdout.write(/^VmRSS:\\s+(\\d+)/m.exec(require('node:fs').readFileSync('/proc/self/status','utf8'))[1])";

/**
 * The resident set of an idle Node process (bytes), bare and with tsx's loader (which runs its
 * hooks in a thread of their own): what every worker of the benchmark carries before its job and a
 * built service does not.
 */
export async function idleRss(): Promise<{ bare: number; tsx: number }> {
  const measure = (args: string[]) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [...args, '--input-type=commonjs', '-e', PRINT_RSS], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
      });
      child.once('error', reject);
      child.once('close', () => {
        const kb = Number(out.trim());
        if (Number.isFinite(kb) && kb > 0) resolve(kb * 1024);
        else reject(new Error(`an idle node printed ${JSON.stringify(out)}`));
      });
    });
  return { bare: await measure([]), tsx: await measure(['--import', 'tsx']) };
}
