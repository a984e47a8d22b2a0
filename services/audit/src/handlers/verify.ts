import type { RpcHandler } from '@ocp/bus';
import { linkAt, readHead, readRange } from '../db/log.ts';
import { type BrokenLink, ChainVerifier, GENESIS } from '../domain/chain.ts';
import type { HandlerContext } from './context.ts';

/**
 * `rpc.audit.verify.v1`: checks the chain from `fromSeq` (default 1) to `toSeq` (default the last
 * entry, when verify starts), reading it in chunks so that memory does not grow with the range, and
 * reports the first broken link. Entries appended meanwhile are left for the next verify.
 */
export function verifyHandler(ctx: HandlerContext): RpcHandler<'audit.verify.v1'> {
  return async (req) => {
    const head = await readHead(ctx.pool);
    const from = req.fromSeq ?? 1;
    const to = Math.min(req.toSeq ?? head.seq, head.seq);
    if (head.seq === 0 || from > to) return { ok: true, checked: 0, fromSeq: null, toSeq: null };

    const range = { fromSeq: from, toSeq: to };
    const broken = (verifier: ChainVerifier, b: BrokenLink) => ({
      ok: false,
      checked: verifier.checked,
      ...range,
      firstBroken: b,
    });
    const before = from === 1 ? GENESIS : await linkAt(ctx.pool, from - 1);
    if (!before) {
      const verifier = new ChainVerifier(GENESIS);
      return broken(verifier, {
        seq: from,
        problem: 'missing',
        detail: `position ${from - 1} is absent, so the link of entry ${from} cannot be checked`,
      });
    }
    const verifier = new ChainVerifier(before);
    for (let next = from; next <= to; ) {
      const chunk = await readRange(ctx.pool, next, to, ctx.config.VERIFY_CHUNK_SIZE);
      for (const entry of chunk) {
        const b = verifier.next(entry);
        if (b) return broken(verifier, b);
      }
      const last = chunk[chunk.length - 1];
      if (!last || chunk.length < ctx.config.VERIFY_CHUNK_SIZE) break;
      next = last.seq + 1;
    }
    const b = verifier.end(to);
    return b ? broken(verifier, b) : { ok: true, checked: verifier.checked, ...range };
  };
}
