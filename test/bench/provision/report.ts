import type { Breakdown } from './breakdown.ts';
import type { Summary } from './stats.ts';

/** The target of the issue: API-to-active p50 at most this many times the raw statement's p50. */
export const TARGET_P50_RATIO = 1.25;

export interface SideResult {
  label: string;
  summary: Summary;
  /** Items per second over the side's batches (sum of their wall times). */
  throughput: number;
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '-').padStart(9);
const row = (label: string, width: number, cells: string[]) => `${label.padEnd(width)}${cells.join('')}`;

function table(rows: Array<{ label: string; summary: Summary; extra?: string }>, width: number): string[] {
  const head = row(
    '',
    width,
    ['    n', '  p50 ms', '  p95 ms', ' mean ms', '  max ms'].map((h) => h.padStart(9)),
  );
  return [
    head,
    ...rows.map((r) =>
      row(r.label, width, [
        String(r.summary.n).padStart(9),
        ms(r.summary.p50),
        ms(r.summary.p95),
        ms(r.summary.mean),
        ms(r.summary.max),
        r.extra ?? '',
      ]),
    ),
  ];
}

/** The figures of one run, as text. */
export function formatReport(r: {
  header: string[];
  raw: SideResult;
  api: SideResult;
  breakdown: Breakdown;
}): string {
  const { raw, api } = r;
  const p50 = api.summary.p50 / raw.summary.p50;
  const p95 = api.summary.p95 / raw.summary.p95;
  const width = 30;
  const lines = [
    ...r.header,
    '',
    ...table(
      [
        { label: raw.label, summary: raw.summary, extra: `   ${raw.throughput.toFixed(2)} /s` },
        { label: api.label, summary: api.summary, extra: `   ${api.throughput.toFixed(2)} /s` },
      ],
      width,
    ),
    '',
    `ratio API / raw: p50 ${p50.toFixed(2)}x, p95 ${p95.toFixed(2)}x, throughput ${(api.throughput / raw.throughput).toFixed(2)}x`,
    `target (API p50 <= ${TARGET_P50_RATIO}x raw p50): ${p50 <= TARGET_P50_RATIO ? 'met' : 'missed'} (${p50.toFixed(2)}x)`,
  ];
  const b = r.breakdown;
  lines.push(
    '',
    'breakdown of API-to-active, per tenant (steps timed in the in-process tenant service; they add up to the total):',
    ...table(
      [
        ...b.segments.map((s) => ({ label: s.name, summary: s.summary, extra: `   ${s.what}` })),
        { label: '(POST -> 202 answered)', summary: b.accepted, extra: '   inside the first segment' },
      ],
      width,
    ),
  );
  if (b.missing > 0) lines.push(`(${b.missing} tenants left out: their steps were not seen)`);
  lines.push(
    '',
    'the same from the operation timestamps the API answers (PostgreSQL now(), ms resolution):',
    ...table(
      b.operation.map((s) => ({ label: s.name, summary: s.summary, extra: `   ${s.what}` })),
      width,
    ),
  );
  return lines.join('\n');
}
