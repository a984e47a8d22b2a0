import type { Queryable } from '@ocp/db';

/** A keyset position: created_at to the microsecond, and the id. */
export interface Cursor {
  t: string;
  id: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** The cursor in `s`, or undefined when this API did not make it. */
export function decodeCursor(s: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.t === 'string' && typeof c.id === 'string' && !Number.isNaN(Date.parse(c.t))) return c;
  } catch {}
  return undefined;
}

/**
 * One page, newest first, keyset-paginated over (created_at, id) of the relation aliased `key`
 * (empty for a plain table). The cursor keeps created_at to the microsecond: a millisecond cursor
 * would skip rows made within the same millisecond.
 */
export async function keysetPage<R>(
  q: Queryable,
  rel: { from: string; columns: string; key: string },
  f: { limit: number; cursor?: Cursor | undefined },
  filters: (arg: (v: unknown) => string) => string[],
): Promise<{ rows: R[]; next: Cursor | null }> {
  const k = rel.key ? `${rel.key}.` : '';
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  const where = filters(arg);
  if (f.cursor)
    where.push(`(${k}created_at, ${k}id) < (${arg(f.cursor.t)}::timestamptz, ${arg(f.cursor.id)}::uuid)`);
  const { rows } = await q.query<R & { cursor_id: string; cursor_t: string }>(
    `SELECT ${rel.columns}, ${k}id AS cursor_id,
       to_char(${k}created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_t
     FROM ${rel.from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY ${k}created_at DESC, ${k}id DESC LIMIT ${arg(f.limit + 1)}`,
    args,
  );
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    next: rows.length > f.limit && last ? { t: last.cursor_t, id: last.cursor_id } : null,
  };
}
