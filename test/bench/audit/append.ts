import type { Bus } from '@ocp/bus';
import { type CloudEvent, messages } from '@ocp/contracts';
import type pg from 'pg';
import { appendEntries } from '../../../services/audit/src/db/log.ts';
import type { EntryContent } from '../../../services/audit/src/domain/chain.ts';
import { toEntryContent } from '../../../services/audit/src/domain/entry.ts';
import type { World } from './world.ts';
import { seededEntry } from './world.ts';

const SUBJECT = messages['ocp.audit.request.v1'].subject;
const enc = new TextEncoder();
/** Publishes in flight at once: gateways publish side by side. */
const PUBLISH_WINDOW = 512;

/**
 * Seeds the log through the service's own append (valid chain, same statement), `batch` entries a
 * transaction, then copies it into the plain table of the baseline.
 */
export async function seed(
  pool: pg.Pool,
  world: World,
  count: number,
  batch: number,
  progress: (line: string) => void,
): Promise<number> {
  const started = performance.now();
  for (let done = 0; done < count; ) {
    const size = Math.min(batch, count - done);
    const contents = Array.from({ length: size }, (_, k) => seededEntry(world, done + k, count));
    await appendEntries(pool, contents);
    done += size;
    if (done % 100_000 < size || done === count) progress(`  seeded ${done} of ${count}`);
  }
  return performance.now() - started;
}

/** The plain table of the baseline: the log's columns and indexes, no trigger, no chain. */
export async function makePlainTable(pool: pg.Pool): Promise<void> {
  await pool.query('CREATE TABLE bench_plain (LIKE audit_entries INCLUDING ALL)');
  await pool.query('INSERT INTO bench_plain SELECT * FROM audit_entries');
  await pool.query('ANALYZE audit_entries');
  await pool.query('ANALYZE bench_plain');
}

/** Events ready to publish: built and serialised before the clock starts. */
export interface Prepared {
  events: CloudEvent<'ocp.audit.request.v1'>[];
  payloads: Uint8Array[];
}

export function prepare(events: CloudEvent<'ocp.audit.request.v1'>[]): Prepared {
  return { events, payloads: events.map((e) => enc.encode(JSON.stringify(e))) };
}

/** Publishes every event, `PUBLISH_WINDOW` at a time; resolves when JetStream acked the last. */
export async function publishAll(bus: Bus, p: Prepared): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < p.events.length; i = next++) {
      await bus.publishRaw(SUBJECT, p.payloads[i]!, p.events[i]!.id);
    }
  };
  await Promise.all(Array.from({ length: PUBLISH_WINDOW }, worker));
  return performance.now() - started;
}

/** Resolves (performance.now()) when the head of the chain reaches `seq`. */
export async function headReaches(db: pg.Client, seq: number, timeoutMs = 600_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ seq: string }>('SELECT seq FROM audit_head');
    if (Number(rows[0]?.seq) >= seq) return performance.now();
    if (Date.now() > until) throw new Error(`the log did not reach seq ${seq} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const FAKE_HASH = 'f'.repeat(64);

/**
 * The baseline: the same rows (the entries the service makes of the same events) inserted into the
 * plain table with the same multi-row statement, `batchSize` a transaction, one after another on
 * one connection; no NATS, no head lock, no duplicate check, no hashing.
 */
export async function rawInserts(db: pg.Client, events: CloudEvent[], batchSize: number): Promise<number> {
  const contents: EntryContent[] = events.map(toEntryContent);
  const { rows } = await db.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM bench_plain');
  let seq = Number(rows[0]?.seq ?? 0);
  const started = performance.now();
  for (let i = 0; i < contents.length; i += batchSize) {
    const batch = contents.slice(i, i + batchSize);
    const column = <K extends keyof EntryContent>(k: K) => batch.map((e) => e[k]);
    await db.query(
      `INSERT INTO bench_plain (seq, id, time, source, type, actor, action, target, tenant_id, outcome, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
         $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])`,
      [
        batch.map(() => ++seq),
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
        batch.map(() => FAKE_HASH),
        batch.map(() => FAKE_HASH),
      ],
    );
  }
  return performance.now() - started;
}

/** The audit service's own counters, read from its /metrics. */
export async function serviceCounters(
  port: number,
): Promise<{ appended: number; batches: number; batchSeconds: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  return {
    appended: value('ocp_audit_entries_appended_total'),
    batches: value('ocp_audit_append_batch_duration_seconds_count'),
    batchSeconds: value('ocp_audit_append_batch_duration_seconds_sum'),
  };
}
