import { RpcError, type RpcHandler } from '@ocp/bus';
import { checkLinks } from '../chain-check.ts';
import { CheckpointStreamError } from '../checkpoint-stream.ts';
import { linkAt, readHead } from '../db/log.ts';
import { type BrokenLink, GENESIS, type Link } from '../domain/chain.ts';
import { agrees, type CheckpointReport, compareWithCheckpoint, UNANCHORED } from '../domain/checkpoint.ts';
import type { HandlerContext } from './context.ts';

/**
 * The log against its last checkpoint. A checkpoint stream that does not answer is an error, never
 * a valid log: a log cut back in its database looks whole without it.
 */
async function checkAnchor(ctx: HandlerContext, head: Link): Promise<CheckpointReport> {
  if (!ctx.anchor) return UNANCHORED;
  const { keys, stream } = ctx.anchor;
  let stored: Awaited<ReturnType<typeof stream.latest>>;
  try {
    stored = await stream.latest();
  } catch (e) {
    if (!(e instanceof CheckpointStreamError)) throw e;
    ctx.logger.warn({ err: e }, 'verify could not read the last audit checkpoint');
    throw new RpcError(
      'SERVICE_UNAVAILABLE',
      `${e.message}; without it the log cannot be compared with its last signed checkpoint, so it is not reported valid. Verify again once NATS JetStream answers`,
    );
  }
  const cp = stored?.checkpoint;
  return compareWithCheckpoint(keys, stored, head, cp ? await linkAt(ctx.pool, cp.seq) : undefined);
}

/**
 * `rpc.audit.verify.v1`: compares the log with its last signed checkpoint (entries removed from its
 * end, an entry rewritten), then checks the chain from `fromSeq` (default 1) to `toSeq` (default
 * the last entry, when verify starts), reading it in chunks so that memory does not grow with the
 * range, and reports the first broken link. Entries appended meanwhile are left for the next verify.
 */
export function verifyHandler(ctx: HandlerContext): RpcHandler<'audit.verify.v1'> {
  return async (req) => {
    const head = await readHead(ctx.pool);
    const checkpoint = await checkAnchor(ctx, head);
    const anchored = agrees(checkpoint);
    const from = req.fromSeq ?? 1;
    const to = Math.min(req.toSeq ?? head.seq, head.seq);
    if (head.seq === 0 || from > to)
      return { ok: anchored, checked: 0, fromSeq: null, toSeq: null, checkpoint };

    const range = { fromSeq: from, toSeq: to };
    const broken = (checked: number, b: BrokenLink) => ({
      ok: false,
      checked,
      ...range,
      firstBroken: b,
      checkpoint,
    });
    const before = from === 1 ? GENESIS : await linkAt(ctx.pool, from - 1);
    if (!before) {
      return broken(0, {
        seq: from,
        problem: 'missing',
        detail: `position ${from - 1} is absent, so the link of entry ${from} cannot be checked`,
      });
    }
    const result = await checkLinks(ctx.pool, before, to, ctx.config.VERIFY_CHUNK_SIZE);
    if (result.broken) return broken(result.verifier.checked, result.broken);
    return { ok: anchored, checked: result.verifier.checked, ...range, checkpoint };
  };
}
