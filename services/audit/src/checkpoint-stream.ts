import type { Bus } from '@ocp/bus';
import { type AuditCheckpointV1, checkEvent, formatIssues, makeCheckedEvent, messages } from '@ocp/contracts';
import type { StoredCheckpoint } from './domain/checkpoint.ts';

const TYPE = 'ocp.audit.checkpoint.v1';
const { subject: SUBJECT, stream: STREAM } = messages[TYPE];

/** JSStreamWrongLastSequenceErr (nats-server `server/errors.json`): another checkpoint came first. */
const WRONG_LAST_SEQUENCE = 10071;

/** The checkpoint stream could not be read or written: NATS or JetStream did not answer. */
export class CheckpointStreamError extends Error {
  override name = 'CheckpointStreamError';
}

/** Where checkpoints are kept: a stream that refuses deletes and purges, outside the database. */
export interface CheckpointStream {
  readonly name: string;
  /** The last checkpoint (null when none was made yet). */
  latest(): Promise<StoredCheckpoint | null>;
  /**
   * Appends `cp` if the last checkpoint is still the one at `afterStreamSeq` (0: none), so two
   * replicas never put an older head after a newer one. Returns false when another came first.
   */
  append(cp: AuditCheckpointV1, afterStreamSeq: number): Promise<boolean>;
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The checkpoint stream over the service's JetStream client (published to directly, never through an outbox). */
export function checkpointStream(js: Bus['js'], opts: { timeoutMs: number }): CheckpointStream {
  let jsmPromise: ReturnType<Bus['js']['jetstreamManager']> | undefined;
  const jsm = () => {
    jsmPromise ??= js.jetstreamManager().catch((e: unknown) => {
      jsmPromise = undefined;
      throw e;
    });
    return jsmPromise;
  };

  return {
    name: STREAM.name,
    async latest() {
      let msg: Awaited<ReturnType<Awaited<ReturnType<typeof jsm>>['streams']['getMessage']>>;
      try {
        msg = await (await jsm()).streams.getMessage(STREAM.name, { last_by_subj: SUBJECT });
      } catch (e) {
        throw new CheckpointStreamError(
          `the checkpoint stream ${STREAM.name} could not be read: ${describe(e)}`,
          {
            cause: e,
          },
        );
      }
      if (!msg) return null;
      let value: unknown;
      try {
        value = msg.json();
      } catch {
        return { streamSeq: msg.seq, problem: 'its payload is not JSON' };
      }
      const check = checkEvent(value, TYPE);
      if (!check.ok) return { streamSeq: msg.seq, problem: formatIssues(check.issues) };
      return { streamSeq: msg.seq, checkpoint: check.event.data };
    },
    async append(cp, afterStreamSeq) {
      const event = makeCheckedEvent(TYPE, cp, { time: new Date(cp.signedAt) });
      try {
        await js.publish(SUBJECT, JSON.stringify(event), {
          msgID: event.id,
          expect: { lastSubjectSequence: afterStreamSeq },
          timeout: opts.timeoutMs,
        });
        return true;
      } catch (e) {
        if ((e as { code?: unknown }).code === WRONG_LAST_SEQUENCE) return false;
        throw new CheckpointStreamError(
          `the checkpoint of position ${cp.seq} could not be stored in ${STREAM.name}: ${describe(e)}`,
          { cause: e },
        );
      }
    },
  };
}
