import { readFile } from 'node:fs/promises';

/** A process's memory as the kernel accounts it, in bytes (`/proc/<pid>/smaps_rollup`). */
export interface Footprint {
  /** Proportional set size: private pages plus a fair share of the pages shared with others. */
  pss: number;
  rss: number;
}

/** Reads `/proc/<pid>/smaps_rollup` (Linux 4.14 and later). */
export async function footprintOf(pid: number): Promise<Footprint> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!match) throw new Error(`/proc/${pid}/smaps_rollup has no ${field} line`);
    return Number(match[1]) * 1024;
  };
  return { pss: kib('Pss'), rss: kib('Rss') };
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
