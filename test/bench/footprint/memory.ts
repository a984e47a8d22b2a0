import { readdir, readFile } from 'node:fs/promises';

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

/** A running process: its id and its command name (`comm`). */
export interface ProcessInfo {
  pid: number;
  comm: string;
}

/** Every process below `ancestor` in the process tree, read from `/proc/<pid>/stat`. */
export async function descendantsOf(ancestor: number): Promise<ProcessInfo[]> {
  const parents = new Map<number, ProcessInfo[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), { pid: Number(entry), comm }]);
  }
  const found: ProcessInfo[] = [];
  const visit = (pid: number) => {
    for (const child of parents.get(pid) ?? []) {
      found.push(child);
      visit(child.pid);
    }
  };
  visit(ancestor);
  return found;
}
