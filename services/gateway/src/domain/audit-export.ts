import type { AuditEntry } from '@ocp/contracts';

/** The columns of the CSV export, in order; `data` is the recorded event's data as JSON. */
export const csvColumns = [
  'seq',
  'id',
  'time',
  'source',
  'type',
  'actor',
  'action',
  'target',
  'tenantId',
  'outcome',
  'data',
  'prevHash',
  'hash',
] as const satisfies readonly (keyof AuditEntry)[];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * A text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading `'`.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s =
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const csvHeader = `${csvColumns.join(',')}\r\n`;

export const csvRow = (e: AuditEntry): string => `${csvColumns.map((c) => csvField(e[c])).join(',')}\r\n`;

export const ndjsonRow = (e: AuditEntry): string => `${JSON.stringify(e)}\n`;
