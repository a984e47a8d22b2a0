import type { RpcHandler } from '@ocp/bus';
import { RpcError } from '@ocp/bus';
import { type AuditEntry, encodeCursor, readCursor } from '@ocp/contracts';
import { type EntryFilter, findEntries, toApiEntry } from '../db/log.ts';
import type { HandlerContext } from './context.ts';

const ENVELOPE_BYTES = 64;

type Order = 'asc' | 'desc';

/**
 * The opaque cursor of a page: the position of its last entry, and the order it was read in (a
 * cursor of an oldest-first page names no order: those made before newest first existed go on).
 */
const cursorOf = (seq: number, order: Order) => encodeCursor(order === 'asc' ? { seq } : { seq, order });

function decodeCursor(cursor: string, order: Order): number {
  const at = readCursor(cursor);
  const seq = at?.seq;
  const given = at?.order ?? 'asc';
  if (
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq < 0 ||
    (given !== 'asc' && given !== 'desc')
  )
    throw new RpcError(
      'VALIDATION_FAILED',
      'cursor is not one this API gave out; pass nextCursor from the previous page',
      '/cursor',
    );
  if (given !== order)
    throw new RpcError(
      'VALIDATION_FAILED',
      `cursor belongs to a page read ${given === 'asc' ? 'oldest first (order asc)' : 'newest first (order desc)'}; ask with order ${given} to go on, or start over without a cursor`,
      '/cursor',
    );
  return seq;
}

/**
 * `rpc.audit.query.v1`: a page of entries in chain order (or newest first with `order: desc`), filtered (time range `from` inclusive to
 * `to` exclusive, actor, tenant or tenants, action, outcome), after the `cursor`. A page holds
 * `limit` entries or fewer: it also stops before the reply would not fit in one NATS message, and
 * `nextCursor` then says where to go on.
 */
export function queryHandler(ctx: HandlerContext): RpcHandler<'audit.query.v1'> {
  return async (req) => {
    if (req.from !== undefined && req.to !== undefined && Date.parse(req.from) >= Date.parse(req.to)) {
      throw new RpcError(
        'VALIDATION_FAILED',
        '`from` must be before `to` (from is inclusive, to exclusive)',
        '/from',
      );
    }
    const { limit, cursor, order = 'asc', ...rest } = req;
    const filter: EntryFilter =
      cursor === undefined ? rest : { ...rest, afterSeq: decodeCursor(cursor, order) };
    const rows = await findEntries(ctx.pool, filter, limit + 1, order);
    const items: AuditEntry[] = [];
    let bytes = ENVELOPE_BYTES;
    let cut = false;
    for (const row of rows.slice(0, limit)) {
      // `data` is canonical JSON already: its size as sent is its stored size.
      const size = Buffer.byteLength(JSON.stringify({ ...row, data: 0 })) + Buffer.byteLength(row.data);
      if (items.length > 0 && bytes + size + 1 > ctx.maxReplyBytes) {
        cut = true;
        break;
      }
      bytes += size + 1;
      items.push(toApiEntry(row));
    }
    const more = cut || rows.length > limit;
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? cursorOf(last.seq, order) : null };
  };
}
