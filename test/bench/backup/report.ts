/** Figures of one pass (one database size) and the targets of the issue, as text. */

/** Backup and restore each at most this many times their slowest stage. */
export const TARGET_STAGE_RATIO = 1.25;
/** The worker's peak RSS below this, in bytes (MB = 10^6 bytes throughout). */
export const TARGET_PEAK_RSS = 200e6;
/** With a database four times larger, the peak RSS at most this many times the smaller's. */
export const TARGET_RSS_GROWTH = 1.1;

/** A step timed `runs.length` times; `ms` is the best. */
export interface Timed {
  ms: number;
  runs: number[];
}

export interface WorkerTimed extends Timed {
  /** The highest peak RSS (VmHWM) of the runs' worker processes. */
  peakRss: number;
  /** The worker's RSS before its job, modules loaded (of the run with the highest peak). */
  rssBefore: number;
  /** Where the best run's time went (the worker's progress reports). */
  phases?: Array<{ name: string; ms: number }>;
}

export interface PassResult {
  scale: number;
  database: { bytes: number; rows: number };
  filestore: { files: number; bytes: number };
  /** The custom-format dump's size (the backup's manifest). */
  dumpBytes: number;
  storedBytes: number;
  dump: Timed;
  upload: WorkerTimed;
  backup: WorkerTimed;
  pgRestore: Timed;
  download: WorkerTimed;
  restore: WorkerTimed;
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (bytes: number, ms: number) => `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
const x = (v: number) => `${v.toFixed(2)}x`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

function line(label: string, t: Timed, extra: string): string {
  const runs = t.runs.length > 1 ? ` (runs: ${t.runs.map((r) => (r / 1000).toFixed(2)).join(', ')} s)` : '';
  return `  ${label.padEnd(58)}${s(t.ms).padStart(10)}   ${extra}${runs}`;
}

const phases = (t: WorkerTimed) =>
  (t.phases ?? []).map((p) => `      ${p.name.padEnd(54)}${s(p.ms).padStart(10)}`);

const rss = (t: WorkerTimed) => `peak RSS ${mb(t.peakRss)} (before the job ${mb(t.rssBefore)})`;

export function backupRatio(p: PassResult): number {
  return p.backup.ms / Math.max(p.dump.ms, p.upload.ms);
}

export function restoreRatio(p: PassResult): number {
  return p.restore.ms / Math.max(p.pgRestore.ms, p.download.ms);
}

export function formatPass(
  p: PassResult,
  o: { compression: number; partMb: number; queue: number },
): string[] {
  const slowestBackup = p.dump.ms >= p.upload.ms ? '(a)' : '(b)';
  const slowestRestore = p.pgRestore.ms >= p.download.ms ? '(d)' : '(e)';
  return [
    `pgbench scale ${p.scale}: database ${mb(p.database.bytes)} (${p.database.rows.toLocaleString('en')} accounts), filestore ${p.filestore.files.toLocaleString('en')} files ${mb(p.filestore.bytes)}; dump ${mb(p.dumpBytes)}, stored ${mb(p.storedBytes)}`,
    'backup:',
    line(
      `(a) pg_dump -Fc --compress=${o.compression} > /dev/null`,
      p.dump,
      `${rate(p.database.bytes, p.dump.ms)} of database`,
    ),
    line(
      `(b) multipart upload of ${mb(p.storedBytes)} (${o.partMb} MiB parts, ${o.queue} at once)`,
      p.upload,
      `${rate(p.storedBytes, p.upload.ms)}, ${rss(p.upload)}`,
    ),
    line('(c) writeBackup (dump, archive, encrypt, upload), worker', p.backup, rss(p.backup)),
    ...phases(p.backup),
    `  ratio (c) / max(a, b) = (c) / ${slowestBackup}: ${x(backupRatio(p))}   [(c)/(a) ${x(p.backup.ms / p.dump.ms)}, (c)/(b) ${x(p.backup.ms / p.upload.ms)}]`,
    'restore:',
    line(
      '(d) pg_restore of the same dump, from a file',
      p.pgRestore,
      `${rate(p.database.bytes, p.pgRestore.ms)} of database`,
    ),
    line(
      `(e) download of the stored object (${mb(p.storedBytes)})`,
      p.download,
      `${rate(p.storedBytes, p.download.ms)}, ${rss(p.download)}`,
    ),
    line('(f) restoreBackup (download ... pg_restore, files, row counts), worker', p.restore, rss(p.restore)),
    ...phases(p.restore),
    `  ratio (f) / (d): ${x(p.restore.ms / p.pgRestore.ms)}; (f) / max(d, e) = (f) / ${slowestRestore}: ${x(restoreRatio(p))}`,
  ];
}

export function formatTargets(passes: readonly PassResult[], sizeFactor: number): string[] {
  const [base, larger] = passes;
  if (!base) return [];
  const lines = ['targets of the issue:'];
  for (const p of passes) {
    const tag = passes.length > 1 ? ` [scale ${p.scale}]` : '';
    const b = backupRatio(p);
    const r = restoreRatio(p);
    lines.push(
      `  backup <= ${TARGET_STAGE_RATIO}x its slowest stage${tag}: ${verdict(b <= TARGET_STAGE_RATIO)} (${x(b)})`,
      `  restore <= ${TARGET_STAGE_RATIO}x its slowest stage${tag}: ${verdict(r <= TARGET_STAGE_RATIO)} (${x(r)})`,
      `  backup worker peak RSS < ${mb(TARGET_PEAK_RSS)}${tag}: ${verdict(p.backup.peakRss < TARGET_PEAK_RSS)} (${mb(p.backup.peakRss)})`,
      `  restore worker peak RSS < ${mb(TARGET_PEAK_RSS)}${tag}: ${verdict(p.restore.peakRss < TARGET_PEAK_RSS)} (${mb(p.restore.peakRss)})`,
    );
  }
  if (larger) {
    const growth = (k: 'backup' | 'restore') => larger[k].peakRss / base[k].peakRss;
    const pct = (g: number) => `${g >= 1 ? '+' : ''}${((g - 1) * 100).toFixed(1)} %`;
    for (const k of ['backup', 'restore'] as const)
      lines.push(
        `  ${k} peak RSS, database ${sizeFactor}x larger, <= +${((TARGET_RSS_GROWTH - 1) * 100).toFixed(0)} %: ${verdict(growth(k) <= TARGET_RSS_GROWTH)} (${mb(base[k].peakRss)} -> ${mb(larger[k].peakRss)}, ${pct(growth(k))})`,
      );
  } else {
    lines.push(`  peak RSS with a database 4x larger: not measured (run with --larger)`);
  }
  return lines;
}
