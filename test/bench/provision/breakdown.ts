import { DbServerAdmin } from '../../../services/tenant/src/dbserver/admin.ts';
import { AdminPasswordPool } from '../../../services/tenant/src/odoo/password-pool.ts';
import type { ApiSample } from './api.ts';
import { type Summary, summarize } from './stats.ts';

// `satisfies`: a renamed step fails the typecheck instead of vanishing from the breakdown.
const STEPS = ['ensureDatabase', 'inTenantDatabase'] as const satisfies ReadonlyArray<keyof DbServerAdmin>;
type Step = (typeof STEPS)[number];
interface Span {
  start: number;
  end: number;
}
type AdminStep = (this: DbServerAdmin, name: string, ...rest: unknown[]) => Promise<unknown>;

/**
 * When the in-process tenant service ran each database-server step, by the tenant's database name
 * (the personalisation runs on the staging clone, `<name>-<10 hex>`, counted as the tenant's).
 */
export interface AdminSpans {
  of(databaseName: string): Partial<Record<Step, Span>> | undefined;
  restore(): void;
}

/**
 * Times the steps of DbServerAdmin that provisioning runs. The service runs in this process, so
 * wrapping the class's methods sees its real calls; the cost is two clock reads per step.
 */
export function instrumentAdmin(): AdminSpans {
  const proto = DbServerAdmin.prototype as unknown as Record<Step, AdminStep>;
  const originals = new Map<Step, AdminStep>();
  const spans = new Map<string, Partial<Record<Step, Span>>>();
  for (const step of STEPS) {
    const original = proto[step];
    originals.set(step, original);
    proto[step] = async function (this: DbServerAdmin, name: string, ...rest: unknown[]) {
      const start = performance.now();
      try {
        return await original.call(this, name, ...rest);
      } finally {
        const key = name.replace(/-[0-9a-f]{10}$/, '');
        const entry = spans.get(key) ?? {};
        entry[step] = { start, end: performance.now() };
        spans.set(key, entry);
      }
    };
  }
  return {
    of: (name) => spans.get(name),
    restore() {
      for (const [step, original] of originals) proto[step] = original;
    },
  };
}

/** Where one tenant's API-to-active time went, segment by segment; they add up to the total. */
export const SEGMENTS = [
  [
    'POST -> worker starts',
    'gateway, create transaction, direct dispatch of the run command, JetStream delivery, worker checks',
  ],
  [
    'clone',
    'CREATE DATABASE ... TEMPLATE ... OWNER <runtime role>, its mark and REVOKE (beside them: the 1st transaction, the password hash, the filestore copy)',
  ],
  [
    'personalise',
    'a new connection to the clone: uuid, secret, administrator, company and address in one transaction',
  ],
  ['personalise -> activated seen', 'rename, last transaction, outbox relay, JetStream, this subscriber'],
] as const;

/** The operation's own timestamps (server clock, ms), against this process's wall clock. */
export const OPERATION_SEGMENTS = [
  ['POST -> startedAt', 'until the first transaction of the worker'],
  ['startedAt -> finishedAt', 'the worker: steps above and its last transaction'],
  ['finishedAt -> activated seen', 'outbox relay, JetStream, this subscriber'],
] as const;

export interface Breakdown {
  /** POST to its 202 answer: the create request (gateway, NATS request/reply, one transaction). */
  accepted: Summary;
  segments: Array<{ name: string; what: string; summary: Summary }>;
  operation: Array<{ name: string; what: string; summary: Summary }>;
  /** Tenants whose steps the instrumentation did not see (a retry, or instrumentation off). */
  missing: number;
}

export function breakdown(tenants: readonly ApiSample[], spans: AdminSpans): Breakdown {
  const accepted: number[] = [];
  const cols: number[][] = SEGMENTS.map(() => []);
  const ops: number[][] = OPERATION_SEGMENTS.map(() => []);
  let missing = 0;
  for (const t of tenants) {
    accepted.push(t.acceptedAt - t.postedAt);
    const s = spans.of(t.databaseName);
    if (s?.ensureDatabase && s.inTenantDatabase) {
      const parts = [
        s.ensureDatabase.start - t.postedAt,
        s.inTenantDatabase.start - s.ensureDatabase.start,
        s.inTenantDatabase.end - s.inTenantDatabase.start,
        t.activatedAt - s.inTenantDatabase.end,
      ];
      for (const [i, v] of parts.entries()) cols[i]!.push(v);
    } else missing++;
    const { startedAt, finishedAt } = t.operation;
    if (startedAt && finishedAt) {
      const started = Date.parse(startedAt);
      const finished = Date.parse(finishedAt);
      const parts = [started - t.postedWall, finished - started, t.activatedWall - finished];
      for (const [i, v] of parts.entries()) ops[i]!.push(v);
    }
  }
  return {
    accepted: summarize(accepted),
    segments: SEGMENTS.map(([name, what], i) => ({ name, what, summary: summarize(cols[i]!) })),
    operation: OPERATION_SEGMENTS.map(([name, what], i) => ({ name, what, summary: summarize(ops[i]!) })),
    missing,
  };
}

/** How many creations took a generated password hashed ahead, and how many found none ready. */
export interface PoolCounts {
  ready: number;
  none: number;
  reset(): void;
  restore(): void;
}

/** Counts the takes of the tenant service's pool of passwords hashed ahead (it runs in this process). */
export function countPoolTakes(): PoolCounts {
  const proto = AdminPasswordPool.prototype;
  const original = proto.take;
  const counts: PoolCounts = {
    ready: 0,
    none: 0,
    reset() {
      counts.ready = 0;
      counts.none = 0;
    },
    restore() {
      proto.take = original;
    },
  };
  proto.take = function (this: AdminPasswordPool) {
    const taken = original.call(this);
    if (taken) counts.ready++;
    else counts.none++;
    return taken;
  };
  return counts;
}
