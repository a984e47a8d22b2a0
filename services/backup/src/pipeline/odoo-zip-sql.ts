import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
/** Longer than any `\restrict <key>` line pg_dump writes (its key is 63 characters). */
const MAX_INSPECTED_LINE = 1024;
const RESTRICT = /^\\(un)?restrict ([A-Za-z0-9]+)\r?$/;

/**
 * Removes the `\restrict <key>` line that pg_dump/pg_restore 13.22, 14.19, 15.14, 16.10, 17.6 and
 * newer write before the first SQL statement, and every `\restrict`/`\unrestrict` line with that
 * same key: psql clients older than those refuse them, and an import sets its own restriction.
 * The key is taken only from the dump's header (before any line other than comments), so a COPY
 * row that happens to read `\restrict x` is never touched. Only lines starting with a backslash
 * are ever held back, and never more than 1 KiB of one: memory does not grow with the dump.
 */
export function stripRestrictLines(): Transform {
  let key: string | null = null;
  let inHeader = true;
  let atLineStart = true;
  let held: Buffer | null = null;

  /** Whether the complete line (without its newline) is to be dropped; updates the header state. */
  const dropLine = (line: string): boolean => {
    const m = RESTRICT.exec(line);
    if (inHeader) {
      if (m && !m[1] && key === null) {
        key = m[2] ?? null;
        return true;
      }
      if (line.trim() !== '' && !line.startsWith('--')) inHeader = false;
      return false;
    }
    return m !== null && m[2] === key;
  };

  const scan = (buf: Buffer, out: Buffer[], final: boolean): void => {
    let pos = 0;
    while (pos < buf.length) {
      if (!atLineStart) {
        const nl = buf.indexOf(NEWLINE, pos);
        if (nl === -1) {
          out.push(buf.subarray(pos));
          return;
        }
        out.push(buf.subarray(pos, nl + 1));
        pos = nl + 1;
        atLineStart = true;
        continue;
      }
      if (!inHeader && buf[pos] !== BACKSLASH) {
        atLineStart = false;
        continue;
      }
      const nl = buf.indexOf(NEWLINE, pos);
      if (nl === -1 && !final && buf.length - pos <= MAX_INSPECTED_LINE) {
        held = buf.subarray(pos);
        return;
      }
      if (nl === -1 && buf.length - pos > MAX_INSPECTED_LINE) {
        // Too long to be a \restrict line: a long comment keeps the header going, anything else ends it.
        if (inHeader && buf[pos] !== 0x2d) inHeader = false;
        atLineStart = false;
        continue;
      }
      const end = nl === -1 ? buf.length : nl;
      if (!dropLine(buf.toString('utf8', pos, end))) out.push(buf.subarray(pos, nl === -1 ? end : nl + 1));
      pos = nl === -1 ? end : nl + 1;
    }
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const buf: Buffer = held ? Buffer.concat([held, chunk]) : chunk;
      held = null;
      const out: Buffer[] = [];
      scan(buf, out, false);
      callback(null, out.length === 0 ? undefined : out.length === 1 ? out[0] : Buffer.concat(out));
    },
    flush(callback: TransformCallback) {
      const out: Buffer[] = [];
      if (held) {
        const last = held;
        held = null;
        scan(last, out, true);
      }
      callback(null, out.length > 0 ? Buffer.concat(out) : undefined);
    },
  });
}

/** A fresh key for the `\restrict` line an import puts before a dump it did not make. */
export function newRestrictKey(): string {
  return randomBytes(32)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 40);
}

/** psql clients that know `\restrict` (the August 2025 minor releases and every later one). */
export function psqlKnowsRestrict(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const firstMinor: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 };
  if (major >= 18) return true;
  const need = firstMinor[major];
  return need !== undefined && minor >= need;
}
