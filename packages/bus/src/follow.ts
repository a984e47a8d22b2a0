import { randomBytes } from 'node:crypto';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { type CloudEvent, checkEvent, formatIssues, messages, type StreamDef } from '@ocp/contracts';

/** A message of a followed stream: its position, and its event when it passes its schemas. */
export interface FollowedMessage {
  seq: number;
  subject: string;
  /** Undefined when the message is not a valid event of its subject (the reason in `refused`). */
  event: CloudEvent | undefined;
  refused?: string;
  /** Messages of the stream after this one when it was delivered. */
  pending: number;
}

/** The sequences a stream holds now: `first` is `last + 1` when it holds none. */
export interface StreamBounds {
  first: number;
  last: number;
}

export interface FollowOptions {
  /** Messages after this stream sequence are read (0: from the first). */
  afterSeq: number;
  /** Stops the reading; `follow` then resolves. */
  signal: AbortSignal;
  /** Start of the consumer's name, to tell it in the server's consumer list (letters, digits, `-`). */
  name: string;
  /** Seconds the server keeps the consumer after its reader is gone without deleting it. */
  inactiveSeconds?: number;
}

/**
 * Reads whole streams with ordered consumers: ephemeral, in memory, no acks, remade by nats.js from
 * the last sequence seen after a gap or a reconnect. For a service that is a `follower` of the
 * stream in the catalog (its NATS permissions allow exactly this, and no durable).
 */
export interface StreamFollower {
  /** The sequences the stream holds now. */
  streamBounds(stream: StreamDef): Promise<StreamBounds>;
  /**
   * Calls `each` with every message after `afterSeq`, in stream order, as they come, until the
   * signal aborts or `each` answers `false`; then deletes the consumer and resolves. Rejects when the
   * consumer cannot be made or its reading fails; the caller decides whether to follow again.
   */
  follow(
    stream: StreamDef,
    opts: FollowOptions,
    each: (m: FollowedMessage) => boolean | undefined | Promise<boolean | undefined>,
  ): Promise<void>;
}

const dec = new TextDecoder();

/**
 * A message as an event of the catalog: valid JSON, its envelope and data pass their schemas, and it
 * came on its type's own subject (a publisher cannot put another's type on its subject).
 */
function eventOf(subject: string, data: Uint8Array): { event?: CloudEvent; refused?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(dec.decode(data));
  } catch {
    return { refused: 'not JSON' };
  }
  const check = checkEvent(parsed);
  if (!check.ok) return { refused: formatIssues(check.issues) };
  if (messages[check.event.type].subject !== subject)
    return { refused: `${check.event.type} arrived on ${subject}, not on its own subject` };
  return { event: check.event };
}

export function streamFollower(js: JetStreamClient): StreamFollower {
  let jsmPromise: Promise<JetStreamManager> | undefined;
  const jsm = () => {
    jsmPromise ??= js.jetstreamManager(false).catch((e: unknown) => {
      jsmPromise = undefined;
      throw e;
    });
    return jsmPromise;
  };

  return {
    async streamBounds(stream) {
      const { state } = await (await jsm()).streams.info(stream.name);
      return { first: state.first_seq, last: state.last_seq };
    },

    async follow(stream, opts, each) {
      if (opts.signal.aborted) return;
      const consumer = await js.consumers.get(stream.name, {
        name_prefix: `${opts.name}-${randomBytes(4).toString('hex')}`,
        opt_start_seq: opts.afterSeq + 1,
        ...(opts.inactiveSeconds ? { inactive_threshold: opts.inactiveSeconds * 1000 } : {}),
      });
      const reading = await consumer.consume({ max_messages: 256 });
      const stop = () => void reading.close();
      opts.signal.addEventListener('abort', stop, { once: true });
      // Aborted while the consumer was being made: no event will come to say so.
      if (opts.signal.aborted) stop();
      try {
        for await (const m of reading) {
          const { event, refused } = eventOf(m.subject, m.data);
          const more = await each({
            seq: m.seq,
            subject: m.subject,
            event,
            ...(refused ? { refused } : {}),
            pending: m.info.pending,
          });
          if (more === false || opts.signal.aborted) break;
        }
      } finally {
        opts.signal.removeEventListener('abort', stop);
        await reading.close().catch(() => {});
        // Gone at once rather than after the server's inactivity threshold.
        await consumer.delete().catch(() => {});
      }
    },
  };
}
