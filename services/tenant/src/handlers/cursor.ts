import { RpcError } from '@ocp/bus';

/** A keyset position in a list: the time and id of the last row of the page. */
export interface Cursor {
  t: string;
  id: string;
}

/** The opaque `nextCursor` of a page. */
export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** A `cursor` this API gave out, or a 400 naming the field. */
export function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.t === 'string' && typeof c.id === 'string' && !Number.isNaN(Date.parse(c.t))) return c;
  } catch {}
  throw new RpcError(
    'VALIDATION_FAILED',
    'cursor is not one this API gave out; pass nextCursor from the previous page',
    '/cursor',
  );
}
