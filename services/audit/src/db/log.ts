import type { AuditEntry } from '@ocp/contracts';
import { type Pool, type Queryable, withTransaction } from '@ocp/db';
import {
  type ChainedEntry,
  type EntryContent,
  extendChain,
  type Link,
  type Outcome,
} from '../domain/chain.ts';

/**
 * The stored time as text with microseconds. An entry written by the service has none past the
 * millisecond, so this reads back the text it hashed; a time changed by hand to a finer one reads
 * back with it, and no longer gives the hash.
 */
const TIME_TEXT = `to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS time`;
const COLUMNS = `seq, id, ${TIME_TEXT}, source, type, actor, action, target, tenant_id, outcome, data, prev_hash, hash`;

interface EntryRow {
  seq: string;
  id: string;
  time: string;
  source: string;
  type: string;
  actor: string;
  action: string;
  target: string | null;
  tenant_id: string | null;
  outcome: Outcome;
  data: string;
  prev_hash: string;
  hash: string;
}

/** `2024-05-01T10:00:00.123000` -> `2024-05-01T10:00:00.123Z`; finer times keep their digits. */
function isoTime(text: string): string {
  return `${text.endsWith('000') ? text.slice(0, -3) : text}Z`;
}

function toChained(r: EntryRow): ChainedEntry {
  return {
    seq: Number(r.seq),
    id: r.id,
    time: isoTime(r.time),
    source: r.source,
    type: r.type,
    actor: r.actor,
    action: r.action,
    target: r.target,
    tenantId: r.tenant_id,
    outcome: r.outcome,
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** An entry as the API answers it: `data` parsed. */
export function toApiEntry(e: ChainedEntry): AuditEntry {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(e.data) as Record<string, unknown>;
  } catch {
    // Only a hand-edited entry gets here; verify reports it, the query still shows what is stored.
    data = { unparsable: e.data };
  }
  return { ...e, data };
}

export async function readHead(db: Queryable): Promise<Link> {
  const { rows } = await db.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head');
  const row = rows[0];
  if (!row) throw new Error('audit_head has no row; the migration makes it');
  return { seq: Number(row.seq), hash: row.hash };
}

export interface AppendResult {
  appended: ChainedEntry[];
  /** Events already in the log (a redelivery, a re-publish), or twice in this batch: dropped. */
  duplicates: number;
  head: Link;
}

/**
 * Appends a batch in one transaction: locks the head of the chain, drops the events whose id is
 * stored already (the log is its own inbox: one entry per event id), chains the rest in order,
 * inserts them with one statement and moves the head. Concurrent appends (other consumers, other
 * replicas) wait for the head lock, so positions have no gaps and every link holds.
 */
export async function appendEntries(pool: Pool, contents: readonly EntryContent[]): Promise<AppendResult> {
  const seen = new Set<string>();
  const unique = contents.filter((c) => !seen.has(c.id) && seen.add(c.id));
  return await withTransaction(pool, async (client) => {
    const { rows: heads } = await client.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_head FOR UPDATE',
    );
    const head = heads[0];
    if (!head) throw new Error('audit_head has no row; the migration makes it');
    const { rows: known } = await client.query<{ id: string }>(
      'SELECT id FROM audit_entries WHERE id = ANY($1::text[])',
      [unique.map((c) => c.id)],
    );
    const stored = new Set(known.map((r) => r.id));
    const fresh = unique.filter((c) => !stored.has(c.id));
    const duplicates = contents.length - fresh.length;
    const headLink = { seq: Number(head.seq), hash: head.hash };
    if (fresh.length === 0) return { appended: [], duplicates, head: headLink };

    const entries = extendChain(headLink, fresh);
    const column = <K extends keyof ChainedEntry>(k: K) => entries.map((e) => e[k]);
    await client.query(
      `INSERT INTO audit_entries (seq, id, time, source, type, actor, action, target, tenant_id, outcome, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
         $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])`,
      [
        column('seq'),
        column('id'),
        column('time'),
        column('source'),
        column('type'),
        column('actor'),
        column('action'),
        column('target'),
        column('tenantId'),
        column('outcome'),
        column('data'),
        column('prevHash'),
        column('hash'),
      ],
    );
    const last = entries[entries.length - 1]!;
    await client.query('UPDATE audit_head SET seq = $1, hash = $2', [last.seq, last.hash]);
    return { appended: entries, duplicates, head: { seq: last.seq, hash: last.hash } };
  });
}

/** Filters of a query; all given ones must hold. */
export interface EntryFilter {
  /** Past this position in the query's order: above it oldest first, below it newest first. */
  afterSeq?: number;
  /** Inclusive. */
  from?: string;
  /** Exclusive. */
  to?: string;
  actor?: string;
  tenantId?: string;
  tenantIds?: string[];
  action?: string;
  outcome?: Outcome;
}

/**
 * Up to `limit` entries that pass the filter, after `afterSeq`: in chain order (`asc`), or newest
 * first (`desc`), which reads the same indexes backwards (`seq`, or an index that ends in it after
 * the filtered column).
 */
export async function findEntries(
  db: Queryable,
  filter: EntryFilter,
  limit: number,
  order: 'asc' | 'desc' = 'asc',
): Promise<ChainedEntry[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (filter.afterSeq !== undefined) where.push(`seq ${order === 'asc' ? '>' : '<'} ${arg(filter.afterSeq)}`);
  if (filter.from !== undefined) where.push(`time >= ${arg(filter.from)}::timestamptz`);
  if (filter.to !== undefined) where.push(`time < ${arg(filter.to)}::timestamptz`);
  if (filter.actor !== undefined) where.push(`actor = ${arg(filter.actor)}`);
  if (filter.tenantId !== undefined) where.push(`tenant_id = ${arg(filter.tenantId)}`);
  if (filter.tenantIds !== undefined) where.push(`tenant_id = ANY(${arg(filter.tenantIds)}::text[])`);
  if (filter.action !== undefined) where.push(`action = ${arg(filter.action)}`);
  if (filter.outcome !== undefined) where.push(`outcome = ${arg(filter.outcome)}`);
  const { rows } = await db.query<EntryRow>(
    `SELECT ${COLUMNS} FROM audit_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY seq ${order === 'asc' ? 'ASC' : 'DESC'} LIMIT ${arg(limit)}`,
    args,
  );
  return rows.map(toChained);
}

/** The entries from `fromSeq` to `toSeq` (both included), at most `limit` of them, in chain order. */
export async function readRange(
  db: Queryable,
  fromSeq: number,
  toSeq: number,
  limit: number,
): Promise<ChainedEntry[]> {
  const { rows } = await db.query<EntryRow>(
    `SELECT ${COLUMNS} FROM audit_entries WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
    [fromSeq, toSeq, limit],
  );
  return rows.map(toChained);
}

/** The link of the entry at `seq`, if it is there. */
export async function linkAt(db: Queryable, seq: number): Promise<Link | undefined> {
  const { rows } = await db.query<{ hash: string }>('SELECT hash FROM audit_entries WHERE seq = $1', [seq]);
  return rows[0] ? { seq, hash: rows[0].hash } : undefined;
}
