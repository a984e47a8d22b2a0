import { type Bus, RpcUnavailableError } from '@ocp/bus';
import {
  encodeCursor,
  filtersFingerprint,
  type Operation,
  type OperationListRequestV1,
  readCursor,
  UUID_PATTERN,
} from '@ocp/contracts';
import { apiError } from '../../errors.ts';
import type { operationSources } from '../../schemas/operations.ts';

/** The query string of GET /api/v1/operations, as its schema leaves it. */
export interface OperationListQuery {
  limit: number;
  cursor?: string;
  state?: Operation['state'];
  kind?: Operation['kind'];
  tenantId?: string;
}

type Source = (typeof operationSources)[number];
type Position = { createdAt: string; id: string };

/** What the list answers: a page, the cursor after its last item, the sources left out. */
export interface OperationPage {
  items: Operation[];
  nextCursor: string | null;
  missing?: Source[];
}

/** The filters in a short string: a cursor continues only the list it came from. */
const fingerprint = (q: OperationListQuery, scope: readonly string[] | undefined) =>
  filtersFingerprint([q.state ?? null, q.kind ?? null, q.tenantId ?? null, scope ? [...scope].sort() : null]);

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function decodeCursor(cursor: string, filters: string): Position {
  const c = readCursor(cursor);
  const fail = (why: string) =>
    apiError(
      'VALIDATION_FAILED',
      `cursor ${why}; pass nextCursor from the previous page with the same filters, or leave cursor out to start from the first page`,
      'querystring/cursor',
    );
  if (
    !c ||
    typeof c.t !== 'string' ||
    !ISO_MS.test(c.t) ||
    Number.isNaN(Date.parse(c.t)) ||
    typeof c.id !== 'string' ||
    !UUID_PATTERN.test(c.id)
  )
    throw fail('is not one this API gave out');
  if (c.f !== filters) throw fail('was made for other filters (state, kind, tenantId)');
  return { createdAt: c.t, id: c.id };
}

const cursorAt = (p: Position, filters: string) => encodeCursor({ t: p.createdAt, id: p.id, f: filters });

/** Newest first: createdAt (ISO strings of one length compare as times), then id, descending. */
const newestFirst = (a: Operation, b: Operation) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.createdAt < b.createdAt ? 1 : -1;

/**
 * One page of operations from both services that keep them. Each is asked for `limit` operations
 * after the same position; the two pages are merged by (createdAt, id) and cut at `limit`, and the
 * cursor is the last item's position, from which both services continue. A kind that only one
 * service has asks only that one. When the backup service does not answer, the tenant service's
 * page is answered with `missing: ['backup']` (`onMissing` is told why).
 */
export async function listOperations(
  bus: Bus,
  rpc: { timeoutMs: number },
  q: OperationListQuery,
  scope: readonly string[] | undefined,
  onMissing: (err: unknown) => void,
): Promise<OperationPage> {
  const filters = fingerprint(q, scope);
  const request: OperationListRequestV1 = {
    limit: q.limit,
    ...(q.cursor ? { olderThan: decodeCursor(q.cursor, filters) } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.tenantId ? { tenantId: q.tenantId } : {}),
    ...(scope ? { tenantIds: [...scope] } : {}),
  };
  const askTenant = !q.kind?.startsWith('backup.');
  const askBackup = !q.kind || q.kind.startsWith('backup.');
  const none = { items: [] as Operation[], more: false };
  const [fromTenant, fromBackup] = await Promise.all([
    askTenant ? bus.request('operation.list.v1', request, rpc) : none,
    askBackup
      ? bus.request('backup.operation.list.v1', request, rpc).catch((err: unknown) => {
          if (!(err instanceof RpcUnavailableError)) throw err;
          onMissing(err);
          return undefined;
        })
      : none,
  ]);
  const merged = [...fromTenant.items, ...(fromBackup?.items ?? [])].sort(newestFirst);
  const items = merged.slice(0, q.limit);
  const last = items.at(-1);
  const more = merged.length > q.limit || fromTenant.more || (fromBackup?.more ?? false);
  return {
    items,
    nextCursor: more && last ? cursorAt({ createdAt: last.createdAt, id: last.id }, filters) : null,
    ...(fromBackup ? {} : { missing: ['backup'] }),
  };
}
