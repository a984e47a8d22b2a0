import type { Queryable } from '@ocp/db';
import { readRange } from './db/log.ts';
import { type BrokenLink, ChainVerifier, type Link } from './domain/chain.ts';

/**
 * Checks the entries after `before` up to position `to`, read in chunks of `chunkSize` so that
 * memory does not grow with the range. Returns the verifier (what it checked, the last good link)
 * and the first broken link, if any: positions up to `to` that are absent count as broken.
 */
export async function checkLinks(
  db: Queryable,
  before: Link,
  to: number,
  chunkSize: number,
): Promise<{ verifier: ChainVerifier; broken?: BrokenLink }> {
  const verifier = new ChainVerifier(before);
  for (let next = before.seq + 1; next <= to; ) {
    const chunk = await readRange(db, next, to, chunkSize);
    for (const entry of chunk) {
      const broken = verifier.next(entry);
      if (broken) return { verifier, broken };
    }
    const last = chunk[chunk.length - 1];
    if (!last || chunk.length < chunkSize) break;
    next = last.seq + 1;
  }
  const broken = verifier.end(to);
  return broken ? { verifier, broken } : { verifier };
}
