import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import { checkLinks } from './chain-check.ts';
import type { CheckpointStream } from './checkpoint-stream.ts';
import { linkAt, readHead } from './db/log.ts';
import { GENESIS, type Link } from './domain/chain.ts';
import {
  type CheckpointKeys,
  compareWithCheckpoint,
  signatureHolds,
  signCheckpoint,
} from './domain/checkpoint.ts';
import type { AuditMetrics } from './metrics.ts';

/**
 * What a checkpoint run did: `signed` a new one; nothing to sign (`unchanged`, `empty`);
 * `superseded` (another replica signed first); `refused` (the log disagrees with its last
 * checkpoint, or its chain breaks since then: signing its head would hide that).
 */
export type CheckpointResult = 'signed' | 'unchanged' | 'empty' | 'superseded' | 'refused';

export interface CheckpointerDeps {
  pool: Pool;
  keys: CheckpointKeys;
  stream: CheckpointStream;
  logger: Logger;
  metrics: AuditMetrics;
  chunkSize: number;
}

/** Signs the head of the chain into the checkpoint stream, now and then, and once more at stop. */
export interface Checkpointer {
  /** Signs the head if it moved since the last checkpoint and the chain holds from there to it. */
  checkpointHead(): Promise<CheckpointResult>;
  /** Runs `checkpointHead` every `intervalMs` (never two at once). */
  startEvery(intervalMs: number): void;
  /** Stops the timer, waits for a run in progress, and signs the head a last time. */
  stop(): Promise<void>;
}

export function checkpointer(deps: CheckpointerDeps): Checkpointer {
  const { pool, keys, stream, logger } = deps;

  const refuse = (detail: string, extra: Record<string, unknown> = {}): CheckpointResult => {
    logger.error(extra, `the head of the audit log is not checkpointed: ${detail}`);
    return 'refused';
  };

  async function checkpointHead(): Promise<CheckpointResult> {
    const head = await readHead(pool);
    if (head.seq === 0) return 'empty';
    const stored = await stream.latest();
    let from: Link = GENESIS;
    if (stored) {
      const cp = stored.checkpoint;
      // Signing over a checkpoint that is not ours would let whoever wrote it choose the anchor.
      if (!cp || !signatureHolds(keys, cp))
        return refuse(
          `checkpoint #${stored.streamSeq} in ${stream.name} was not signed by this service's key (verify reports it); an operator must look before the log is anchored again`,
          { checkpointSeq: stored.streamSeq },
        );
      if (head.seq === cp.seq && head.hash === cp.hash) return 'unchanged';
      const report = compareWithCheckpoint(keys, stored, head, await linkAt(pool, cp.seq));
      if (report.outcome !== 'matches') return refuse(report.detail, { outcome: report.outcome });
      if (head.seq <= cp.seq)
        return refuse(
          `audit_head says position ${head.seq} has hash ${head.hash}, but checkpoint #${stored.streamSeq} signed ${cp.hash} for position ${cp.seq}`,
        );
      from = { seq: cp.seq, hash: cp.hash };
    }
    // Only a chain that holds from the last checkpoint on is signed: each checkpoint vouches for
    // the entries since the one before.
    const { verifier, broken } = await checkLinks(pool, from, head.seq, deps.chunkSize);
    if (broken)
      return refuse(`the chain breaks at position ${broken.seq} (${broken.problem}): ${broken.detail}`);
    if (verifier.last.hash !== head.hash)
      return refuse(
        `audit_head says position ${head.seq} has hash ${head.hash}, but the entry there has ${verifier.last.hash}`,
      );
    const appended = await stream.append(signCheckpoint(keys, head), stored?.streamSeq ?? 0);
    return appended ? 'signed' : 'superseded';
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running ??= checkpointHead()
      .then((result) => {
        deps.metrics.checkpointed(result);
        logger.debug({ result }, 'audit checkpoint run');
      })
      .catch((err: unknown) => {
        deps.metrics.checkpointed('failed');
        logger.warn({ err }, 'audit checkpoint failed; the next run tries again');
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  return {
    checkpointHead,
    startEvery(intervalMs) {
      timer = setInterval(() => void run(), intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
      await run();
    },
  };
}
