import type { Bus, FollowedMessage, StreamBounds } from '@ocp/bus';
import { type StreamDef, streams } from '@ocp/contracts';
import { pauseUnlessAborted } from '@ocp/service-kit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Cursor, type FeedStream, feedStreams } from '../domain/event-cursor.ts';
import { type FeedFrame, frameOf } from '../domain/event-frames.ts';

/** A message of the feed: where it is, and its frame when the event stream carries it. */
export interface FeedMessage {
  stream: FeedStream;
  seq: number;
  frame: FeedFrame | undefined;
}

export type FeedListener = (m: FeedMessage) => void;

/**
 * The platform's events as the gateway's event streams read them: one live reading of each stream
 * per gateway process, fanned out to every open connection, and a reading of its own for a
 * connection that resumes.
 */
export interface EventFeed {
  /**
   * Registers a listener (the live reading starts on first use). Answers `live`: every message
   * after it reaches the listener, in stream order per stream.
   */
  subscribe(listener: FeedListener): Promise<{ live: Cursor; unsubscribe(): void }>;
  /** The sequences each stream holds now. */
  bounds(): Promise<Record<FeedStream, StreamBounds>>;
  /**
   * Reads `stream` after `after` up to `upTo` with a consumer of its own, in order, calling `each`
   * (awaited: a slow client slows the reading, never the others). Rejects when it could not reach
   * `upTo` within `timeoutMs`.
   */
  replay(
    stream: FeedStream,
    after: number,
    upTo: number,
    opts: { signal: AbortSignal; timeoutMs: number },
    each: (m: FeedMessage) => Promise<void>,
  ): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    eventFeed: EventFeed;
  }
}

const streamDefs: Record<FeedStream, StreamDef> = {
  tenant: streams.tenantEvents,
  operation: streams.operationEvents,
  backup: streams.backupEvents,
};

/** A message the streams hold that is no event of the catalog is passed over (its consumers dead-letter it). */
function toFeed(stream: FeedStream, m: FollowedMessage): FeedMessage {
  return { stream, seq: m.seq, frame: m.event ? frameOf(m.event) : undefined };
}

/**
 * The feed over the bus. Nothing touches NATS until the first subscription, so an app built only
 * for its OpenAPI document stays offline. The live readings stop when the app closes.
 */
export const eventFeedPlugin = fp(
  async (app: FastifyInstance, opts: { bus: Bus }) => {
    const { bus } = opts;
    const listeners = new Set<FeedListener>();
    const position: Cursor = { tenant: 0, operation: 0, backup: 0 };
    const stopping = new AbortController();
    const readings: Promise<void>[] = [];
    let started: Promise<void> | undefined;

    function dispatch(m: FeedMessage): void {
      for (const listener of listeners) {
        try {
          listener(m);
        } catch (err) {
          app.log.error({ err }, 'an event stream failed to take a message');
        }
      }
    }

    /** Reads one stream live for as long as the app runs; a failed reading starts again where it was. */
    async function readLive(stream: FeedStream): Promise<void> {
      while (!stopping.signal.aborted) {
        try {
          await bus.follow(
            streamDefs[stream],
            { afterSeq: position[stream], signal: stopping.signal, name: `gateway-feed-${stream}` },
            (m) => {
              position[stream] = m.seq;
              if (m.refused)
                app.log.debug({ seq: m.seq, subject: m.subject }, 'event feed passes over a message');
              dispatch(toFeed(stream, m));
              return undefined;
            },
          );
        } catch (err) {
          app.log.warn(
            { err, stream: streamDefs[stream].name },
            'event feed lost its reading; following again',
          );
        }
        await pauseUnlessAborted(1000, stopping.signal);
      }
    }

    async function bounds(): Promise<Record<FeedStream, StreamBounds>> {
      const all = await Promise.all(feedStreams.map((s) => bus.streamBounds(streamDefs[s])));
      return {
        tenant: all[0] as StreamBounds,
        operation: all[1] as StreamBounds,
        backup: all[2] as StreamBounds,
      };
    }

    function start(): Promise<void> {
      started ??= (async () => {
        const now = await bounds();
        for (const s of feedStreams) position[s] = now[s].last;
        for (const s of feedStreams) readings.push(readLive(s));
      })().catch((err: unknown) => {
        // The next subscription tries again.
        started = undefined;
        throw err;
      });
      return started;
    }

    const feed: EventFeed = {
      async subscribe(listener) {
        await start();
        listeners.add(listener);
        return { live: { ...position }, unsubscribe: () => listeners.delete(listener) };
      },
      bounds,
      async replay(stream, after, upTo, { signal, timeoutMs }, each) {
        if (upTo <= after) return;
        let reached = after;
        await bus.follow(
          streamDefs[stream],
          {
            afterSeq: after,
            signal: AbortSignal.any([signal, stopping.signal, AbortSignal.timeout(timeoutMs)]),
            name: `gateway-replay-${stream}`,
            inactiveSeconds: 30,
          },
          async (m) => {
            reached = m.seq;
            await each(toFeed(stream, m));
            return m.seq < upTo && m.pending > 0;
          },
        );
        // Short of `upTo` without the caller stopping it: the time ran out, or the messages up to
        // it were deleted from the stream. Either way the caller cannot claim to have replayed it all.
        if (reached < upTo && !signal.aborted)
          throw new Error(`replay of the ${stream} events stopped at ${reached}, before ${upTo}`);
      },
    };
    app.decorate('eventFeed', feed);

    app.addHook('onClose', async () => {
      stopping.abort();
      listeners.clear();
      await Promise.allSettled(readings);
    });
  },
  { name: 'event-feed' },
);
