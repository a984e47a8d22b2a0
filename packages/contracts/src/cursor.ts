import { createHash } from 'node:crypto';

/** A UUID as the platform writes them (lowercase). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An opaque page cursor: the position of a page's end, as base64url JSON. */
export const encodeCursor = (position: object): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

/**
 * What a cursor holds, or undefined when it is no cursor this API gave out (not base64url JSON of
 * an object). The caller checks each field it reads.
 */
export function readCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A list's filters in 16 characters, carried by its cursors so that one continues only its own list. */
export const filtersFingerprint = (filters: readonly unknown[]): string =>
  createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
