/**
 * What ocpctl writes: aligned plain-text tables for people, or JSON for scripts (one compact JSON
 * document per line: a list is one line per row, so `--all` streams and `jq` reads it as it comes).
 */

export type OutputFormat = 'table' | 'json';

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** A column of a table: its header and how a row shows in it. */
export interface Column<T> {
  header: string;
  value(row: T): unknown;
  /** A colour for the cell, shown only on a colour terminal. */
  color?(row: T): Color | undefined;
}

export type Color = 'red' | 'green' | 'yellow' | 'dim';
const ansi: Record<Color, [string, string]> = {
  red: ['\x1b[31m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
};

/** Rows written page by page, aligned with what came before as far as the widths allow. */
export interface ListWriter<T> {
  rows(rows: readonly T[]): void;
  /** Says so when there was not a single row (tables only). */
  end(): void;
}

export interface Output {
  readonly format: OutputFormat;
  readonly color: boolean;
  /** One JSON document on stdout (json), or nothing (table: the caller shows it otherwise). */
  json(value: unknown): void;
  /** Labelled values, one per line (table), or the object itself as JSON. */
  record(value: unknown, fields: ReadonlyArray<readonly [string, unknown]>): void;
  list<T>(columns: ReadonlyArray<Column<T>>): ListWriter<T>;
  /** A line on stdout, in table format only (a human's confirmation). */
  say(text: string): void;
  /** A line on stderr: hints and progress that must not mix with the data. */
  note(text: string): void;
  paint(text: string, color: Color | undefined): string;
}

/** Shows a cell: nothing for null, ISO dates as they are, objects as JSON. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/[\r\n\t]+/g, ' ');
}

export function createOutput(opts: {
  format: OutputFormat;
  color: boolean;
  stdout: Writable;
  stderr: Writable;
}): Output {
  const { format, stdout, stderr } = opts;
  const color = opts.color && format === 'table';
  const paint = (text: string, c: Color | undefined) => {
    if (!color || !c || text === '') return text;
    const [on, off] = ansi[c];
    return `${on}${text}${off}`;
  };
  const json = (value: unknown) => {
    if (format === 'json') stdout.write(`${JSON.stringify(value)}\n`);
  };
  return {
    format,
    color,
    paint,
    json,
    record(value, fields) {
      if (format === 'json') return json(value);
      const width = Math.max(...fields.map(([label]) => label.length));
      for (const [label, v] of fields)
        stdout.write(`${`${`${label}:`.padEnd(width + 2)}${cell(v)}`.trimEnd()}\n`);
    },
    list<T>(columns: ReadonlyArray<Column<T>>): ListWriter<T> {
      let count = 0;
      const widths = columns.map((c) => c.header.length);
      return {
        rows(rows) {
          if (format === 'json') {
            for (const row of rows) json(row);
            count += rows.length;
            return;
          }
          const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
          for (const line of cells)
            for (const [i, text] of line.entries()) widths[i] = Math.max(widths[i] ?? 0, text.length);
          const render = (texts: string[], colors: Array<Color | undefined>) => {
            const last = texts.length - 1;
            const padded = texts.map((t, i) => paint(i === last ? t : t.padEnd(widths[i] ?? 0), colors[i]));
            return `${padded.join('  ').trimEnd()}\n`;
          };
          if (count === 0 && rows.length > 0)
            stdout.write(
              render(
                columns.map((c) => c.header),
                [],
              ),
            );
          for (const [r, row] of rows.entries())
            stdout.write(
              render(
                cells[r] ?? [],
                columns.map((c) => c.color?.(row)),
              ),
            );
          count += rows.length;
        },
        end() {
          if (format === 'table' && count === 0) stderr.write('(none)\n');
        },
      };
    },
    say(text) {
      if (format === 'table') stdout.write(`${text}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
  };
}

/** A colour for a state, the same in every table. */
export function stateColor(state: string | undefined): Color | undefined {
  if (state === 'active' || state === 'succeeded' || state === 'ready' || state === 'installed')
    return 'green';
  if (state === 'failed' || state === 'deleted' || state === 'deleting') return 'red';
  if (state === 'suspended' || state === 'disabled' || state === 'queued' || state === 'running')
    return 'yellow';
  return undefined;
}
