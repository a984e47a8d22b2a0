import { formatBytes } from '../../format.ts';

/** The figures a plan limits and the quota service measures, in the order the screens show them. */
export const metrics = [
  'activeUsers',
  'databaseBytes',
  'filestoreBytes',
  'backupBytes',
  'backupGenerations',
] as const;
export type Metric = (typeof metrics)[number];

/** Limits as the API gives them: a non-negative integer each, or null for unlimited. */
export type Limits = Record<Metric, number | null>;

export const metricInfo: Record<Metric, { label: string; bytes: boolean; short: string }> = {
  activeUsers: { label: 'Active users', bytes: false, short: 'Users' },
  databaseBytes: { label: 'Database size', bytes: true, short: 'Database' },
  filestoreBytes: { label: 'Filestore size', bytes: true, short: 'Filestore' },
  backupBytes: { label: 'Backup storage', bytes: true, short: 'Backups' },
  backupGenerations: { label: 'Backups kept', bytes: false, short: 'Generations' },
};

/** A figure in its unit: bytes as KB/MB/GB, counts as they are; `null` as a dash. */
export function formatFigure(metric: Metric, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return metricInfo[metric].bytes ? formatBytes(value) : value.toLocaleString();
}

/** A limit as a person reads it: "Unlimited" for null. */
export const formatLimit = (metric: Metric, limit: number | null): string =>
  limit === null ? 'Unlimited' : formatFigure(metric, limit);

/**
 * Byte limits are typed in MiB, which is what an operator thinks in; the API takes bytes. A count
 * is typed as it is.
 */
export const MIB = 1_048_576;

/** What an input shows for a limit (MiB for bytes); empty for unlimited. */
export function limitToInput(metric: Metric, limit: number | null | undefined): string {
  if (limit === null || limit === undefined) return '';
  return String(metricInfo[metric].bytes ? Math.round((limit / MIB) * 100) / 100 : limit);
}

/**
 * The limit an input's text makes: null when empty (unlimited), the number in the API's unit, or the
 * text itself when it is no number, so that the request schema refuses it with its own words.
 */
export function limitFromInput(metric: Metric, text: string): number | null | string {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  if (!Number.isFinite(n)) return t;
  return metricInfo[metric].bytes ? Math.round(n * MIB) : n;
}

/** Mantine colours of each level of a figure against its limit. */
export const levelColor: Record<string, string> = {
  ok: 'green.9',
  warning: 'orange.9',
  exceeded: 'red.9',
  unlimited: 'gray.8',
  unknown: 'gray.8',
};

export const levelWords: Record<string, string> = {
  ok: 'Under the warning threshold',
  warning: 'At or over the warning threshold',
  exceeded: 'Over the limit',
  unlimited: 'No limit',
  unknown: 'Not measured yet, or the last measurement failed',
};
