import { createHash } from 'node:crypto';
import type { AuditEntry } from '@ocp/contracts';
import canonicalize from 'canonicalize';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export type Outcome = AuditEntry['outcome'];

/** What an entry says, before it has a place in the chain. */
export interface EntryContent {
  id: string;
  /** RFC 3339 UTC with milliseconds, as `Date.toISOString()` writes it. */
  time: string;
  source: string;
  type: string;
  actor: string;
  action: string;
  target: string | null;
  tenantId: string | null;
  outcome: Outcome;
  /** The event's data as canonical JSON (RFC 8785): the exact text that is hashed and stored. */
  data: string;
}

/** An entry with its place in the chain. */
export interface ChainedEntry extends EntryContent {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The last entry of the chain (or the genesis: seq 0 and the all-zero hash). */
export interface Link {
  seq: number;
  hash: string;
}

export const GENESIS: Link = { seq: 0, hash: GENESIS_HASH };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A string PostgreSQL can store as text and RFC 8785 can serialise: NUL and unpaired surrogates
 * (which neither allows) become U+FFFD. Every other string is returned as it is.
 */
export function storable(s: string): string {
  return s.replace(/\0/g, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD');
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k), wellFormed(v)]));
  }
  return value;
}

/**
 * The canonical JSON (RFC 8785) of an event's data. JSON that is not I-JSON (an unpaired surrogate
 * in a string, which no UTF-8 store keeps either) has those replaced by U+FFFD first. NUL is kept,
 * escaped as `\u0000`.
 */
export function canonicalData(data: unknown): string {
  try {
    return canonicalize(data) ?? 'null';
  } catch {
    return canonicalize(wellFormed(data)) ?? 'null';
  }
}

const str = (v: string | null) => JSON.stringify(v);

/**
 * The canonical JSON (RFC 8785) of an entry without its hash: members in code-unit order, strings as
 * `JSON.stringify` writes them, and `data` spliced in verbatim (it is canonical JSON already). The
 * same text as `canonicalize({...entry, data: JSON.parse(entry.data)})`, without parsing `data`, so
 * anyone can check a hash with any RFC 8785 implementation.
 */
export function canonicalEntry(e: EntryContent & { seq: number; prevHash: string }): string {
  return (
    `{"action":${str(e.action)},"actor":${str(e.actor)},"data":${e.data},"id":${str(e.id)},` +
    `"outcome":${str(e.outcome)},"prevHash":${str(e.prevHash)},"seq":${e.seq},"source":${str(e.source)},` +
    `"target":${str(e.target)},"tenantId":${str(e.tenantId)},"time":${str(e.time)},"type":${str(e.type)}}`
  );
}

/** SHA-256 (hex) of the entry's canonical JSON, which includes its seq and the previous hash. */
export function hashEntry(e: EntryContent & { seq: number; prevHash: string }): string {
  return createHash('sha256').update(canonicalEntry(e)).digest('hex');
}

/** Gives each entry, in order, its place after `head`: seq, the previous entry's hash and its own. */
export function extendChain(head: Link, contents: readonly EntryContent[]): ChainedEntry[] {
  let prev = head;
  return contents.map((c) => {
    const seq = prev.seq + 1;
    const linked = { ...c, seq, prevHash: prev.hash };
    const entry = { ...linked, hash: hashEntry(linked) };
    prev = entry;
    return entry;
  });
}

export type Problem = 'changed' | 'missing' | 'relinked';

/** Where the chain breaks first, and how. */
export interface BrokenLink {
  seq: number;
  problem: Problem;
  detail: string;
}

const range = (from: number, to: number) =>
  from === to ? `position ${from} is` : `positions ${from} to ${to} are`;

/**
 * Checks entries read in seq order against the one before them: each must come at the next
 * position (else `missing`: positions were removed before it), give its own hash from its content
 * (else `changed`), and carry the previous entry's hash (else `relinked`: an entry before it was
 * changed and given a new hash, or it was moved). Holds one link, whatever the length of the range.
 */
export class ChainVerifier {
  private prev: Link;
  private checkedCount = 0;

  /** `before`: the entry just before the range (GENESIS when the range starts at 1). */
  constructor(before: Link) {
    this.prev = before;
  }

  get checked(): number {
    return this.checkedCount;
  }

  /** The entry before the next one expected. */
  get last(): Link {
    return this.prev;
  }

  /** Checks the next entry; returns the broken link when this is where the chain breaks. */
  next(e: ChainedEntry): BrokenLink | undefined {
    const expected = this.prev.seq + 1;
    if (e.seq !== expected) {
      return {
        seq: e.seq,
        problem: 'missing',
        detail: `${range(expected, e.seq - 1)} absent: entries were removed before entry ${e.seq}`,
      };
    }
    const hash = hashEntry(e);
    if (hash !== e.hash) {
      return {
        seq: e.seq,
        problem: 'changed',
        detail: `entry ${e.seq} no longer gives its hash: its content was changed after it was written (stored ${e.hash}, content gives ${hash})`,
      };
    }
    if (e.prevHash !== this.prev.hash) {
      return {
        seq: e.seq,
        problem: 'relinked',
        detail: `entry ${e.seq} does not carry the hash of entry ${this.prev.seq} (carries ${e.prevHash}, entry ${this.prev.seq} has ${this.prev.hash})`,
      };
    }
    this.prev = { seq: e.seq, hash: e.hash };
    this.checkedCount++;
    return undefined;
  }

  /** After the last entry read: positions up to `lastSeq` that never came were removed. */
  end(lastSeq: number): BrokenLink | undefined {
    if (this.prev.seq >= lastSeq) return undefined;
    return {
      seq: lastSeq + 1,
      problem: 'missing',
      detail: `${range(this.prev.seq + 1, lastSeq)} absent: entries were removed from the end of the log`,
    };
  }
}
