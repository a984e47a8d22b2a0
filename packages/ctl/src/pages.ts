import { InvalidArgumentError } from 'commander';
import type { Context } from './context.ts';
import type { Column } from './output.ts';

/** One page of a cursor-paged list, as every list route of the API answers it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagingOptions {
  /** Rows per page (the API's `limit`). */
  limit?: number;
  /** Starts at this page (the `nextCursor` of an earlier one). */
  cursor?: string;
  /** Follows every cursor to the last page. */
  all?: boolean;
}

/**
 * The pages of a list: one, or with `all` every page in turn, each fetched only when the previous
 * one was used, so memory holds a page at a time however long the list.
 */
export async function* pagesOf<T>(
  fetchPage: (query: { limit?: number; cursor?: string }) => Promise<Page<T>>,
  opts: PagingOptions,
): AsyncGenerator<Page<T>> {
  let cursor = opts.cursor;
  for (;;) {
    const page = await fetchPage({
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    yield page;
    if (!opts.all || page.nextCursor === null || page.items.length === 0) return;
    cursor = page.nextCursor;
  }
}

/**
 * Writes a list page by page as it comes: rows of a table, or one JSON line per row. Without
 * `--all`, a table is followed on stderr by how to get the next page.
 */
export async function printPages<T>(
  ctx: Context,
  columns: ReadonlyArray<Column<T>>,
  pages: AsyncIterable<Page<T>>,
  opts: PagingOptions,
): Promise<void> {
  const list = ctx.out.list(columns);
  let next: string | null = null;
  for await (const page of pages) {
    list.rows(page.items);
    next = page.nextCursor;
  }
  list.end();
  if (!opts.all && next !== null && ctx.out.format === 'table')
    ctx.out.note(`(more: add --cursor ${next}, or --all for every page)`);
}

/** Parses a positive integer flag, as commander's argument parser. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${value} is not a positive whole number`);
  return n;
}
