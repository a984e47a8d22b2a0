import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import {
  type Cursor,
  feedStreams,
  formatCursor,
  parseCursor,
  planResume,
} from '../../domain/event-cursor.ts';
import { type Viewer, visibleTo } from '../../domain/event-frames.ts';
import { sseEvent, sseHeartbeat, sseRetry } from '../../domain/sse.ts';
import type { EventFeed, FeedMessage } from '../../plugins/event-feed.ts';

/** Why a stream ended: told to the client in a `close` frame where it can still be sent. */
export type EndReason =
  /** The session or token no longer authenticates. */
  | 'unauthenticated'
  /** The account may no longer read tenants. */
  | 'forbidden'
  /** The gateway is stopping: reconnect (to another replica). */
  | 'shutdown'
  /** The client did not read fast enough: its buffer passed the bound. No frame is sent. */
  | 'slow'
  /** The client went away. */
  | 'client';

export interface EventStreamOptions {
  feed: EventFeed;
  log: FastifyBaseLogger;
  res: ServerResponse;
  viewer: Viewer;
  /** The `Last-Event-ID` header, when the client resumes. */
  lastEventId: string | undefined;
  heartbeatMs: number;
  retryMs: number;
  maxBufferBytes: number;
  replayMax: number;
  replayTimeoutMs: number;
  /** The viewer as the credential stands now; null when it no longer authenticates. */
  recheck(): Promise<Viewer | null>;
  /** Called once, when the stream is over for whatever reason. */
  onEnd(reason: EndReason): void;
}

/** What a `ready` frame says: the stream is live, and how many frames a resume replayed first. */
export interface ReadyData {
  replayed: number;
}

/** What a `reset` frame says: the stream could not resume, so the client should fetch afresh. */
export interface ResetData {
  reason: 'malformed' | 'unknown' | 'expired' | 'too_far' | 'unavailable';
  detail: string;
}

/**
 * One open event stream: the body fastify sends, the frames written into it, its resume, its
 * heartbeats and checks of the credential, and its end. Messages of the live feed that come while
 * it replays wait in order and are sent after; a message is sent once, by its stream sequence.
 */
export class EventStream {
  readonly body: Readable;
  private readonly opts: EventStreamOptions;
  /** What the viewer may see: checked again at every heartbeat. */
  private viewer: Viewer;
  private cursor: Cursor = { tenant: 0, operation: 0, backup: 0 };
  private sentId = '';
  private live = false;
  private waiting: FeedMessage[] = [];
  private over = false;
  private checking = false;
  private drainWaiter: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();
  private unsubscribe: (() => void) | undefined;

  constructor(opts: EventStreamOptions) {
    this.opts = opts;
    this.viewer = opts.viewer;
    this.body = new Readable({
      read: () => {
        const w = this.drainWaiter;
        this.drainWaiter = undefined;
        w?.();
      },
    });
  }

  /** True once the stream is over (ended, dropped or gone). */
  get isOver(): boolean {
    return this.over;
  }

  /** Takes a message of the live feed. */
  readonly receive = (m: FeedMessage): void => {
    if (this.over) return;
    if (this.live) {
      this.deliver(m);
      return;
    }
    this.waiting.push(m);
    // A resume that cannot keep up with the live feed is no better than a slow client.
    if (this.waiting.length > this.opts.replayMax + 10_000) this.destroy('slow');
  };

  /**
   * Starts the stream at `live` (where the feed stands for this connection): resumes after the
   * `Last-Event-ID` or starts now, then sends `ready`. Never rejects.
   */
  begin(live: Cursor, unsubscribe: () => void): void {
    this.unsubscribe = unsubscribe;
    const gone = () => this.finish('client');
    this.opts.res.once('close', gone);
    // Fastify destroys the body when the response closes; it also closes after its end.
    this.body.once('close', gone);
    if (this.opts.res.destroyed) gone();
    if (this.over) return;
    this.heartbeat = setInterval(() => void this.beat(), this.opts.heartbeatMs);
    this.heartbeat.unref();
    this.write(sseRetry(this.opts.retryMs));
    void this.resume(live).catch((err: unknown) => {
      this.opts.log.error({ err }, 'event stream failed to start');
      this.destroy('client');
    });
  }

  private async resume(live: Cursor): Promise<void> {
    let replayed = 0;
    const { lastEventId } = this.opts;
    if (lastEventId === undefined) {
      this.cursor = { ...live };
    } else {
      const from = parseCursor(lastEventId);
      let reset: ResetData | undefined;
      if (!from) {
        reset = { reason: 'malformed', detail: 'Last-Event-ID is not an id this API sent (e1.<n>.<n>.<n>)' };
      } else {
        try {
          const plan = planResume(from, live, await this.opts.feed.bounds(), this.opts.replayMax);
          if (plan.kind === 'reset') reset = { reason: plan.reason, detail: plan.detail };
          else replayed = await this.replay(from, live);
        } catch (err) {
          if (this.over) return;
          this.opts.log.warn({ err }, 'event stream could not replay; resetting');
          reset = { reason: 'unavailable', detail: 'the events since Last-Event-ID could not be read' };
        }
      }
      if (this.over) return;
      if (reset) {
        // Whatever was replayed stays sent; nothing before `live` will come now.
        for (const s of feedStreams) this.cursor[s] = Math.max(this.cursor[s], live[s]);
        this.send('reset', reset);
      }
    }
    this.live = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const m of waiting) this.deliver(m);
    this.send('ready', { replayed } satisfies ReadyData);
  }

  /** Sends what each stream holds between `from` and `live`, as the client reads it. */
  private async replay(from: Cursor, live: Cursor): Promise<number> {
    this.cursor = { ...from };
    let sent = 0;
    for (const s of feedStreams) {
      await this.opts.feed.replay(
        s,
        from[s],
        live[s],
        { signal: this.stop.signal, timeoutMs: this.opts.replayTimeoutMs },
        async (m) => {
          if (this.deliver(m)) sent++;
          await this.drained();
        },
      );
      if (this.over) break;
    }
    return sent;
  }

  /** Sends a message's frame when it is new to this connection and the viewer may see it. */
  private deliver(m: FeedMessage): boolean {
    if (this.over || m.seq <= this.cursor[m.stream]) return false;
    this.cursor[m.stream] = m.seq;
    if (!m.frame || !visibleTo(m.frame, this.viewer)) return false;
    return this.send(m.frame.event, m.frame.data);
  }

  private send(event: string, data: unknown): boolean {
    this.sentId = formatCursor(this.cursor);
    return this.write(sseEvent(event, this.sentId, data));
  }

  private buffered(): number {
    return this.body.readableLength + this.opts.res.writableLength;
  }

  private write(text: string): boolean {
    if (this.over) return false;
    this.body.push(text);
    if (this.buffered() > this.opts.maxBufferBytes) {
      this.destroy('slow');
      return false;
    }
    return true;
  }

  /** Resolves once the client has taken what was written (below the stream's high-water mark). */
  private drained(): Promise<void> {
    if (this.over || this.body.readableLength < this.body.readableHighWaterMark) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
      this.stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** A heartbeat, then a check that the credential still holds and what it may see now. */
  private async beat(): Promise<void> {
    if (this.over) return;
    const id = formatCursor(this.cursor);
    const moved = this.live && id !== this.sentId;
    if (moved) this.sentId = id;
    this.write(sseHeartbeat(moved ? id : undefined));
    if (this.checking) return;
    this.checking = true;
    try {
      const viewer = await this.opts.recheck();
      if (!viewer) this.end('unauthenticated');
      else if (!viewer.permissions.has('tenants:read')) this.end('forbidden');
      else this.viewer = viewer;
    } catch (err) {
      // A database that does not answer for a moment ends no stream; the next beat asks again.
      this.opts.log.warn({ err }, 'event stream could not check its credential');
    } finally {
      this.checking = false;
    }
  }

  /** Ends the stream with a `close` frame saying why; the body ends once the client has it. */
  end(reason: Exclude<EndReason, 'slow' | 'client'>): void {
    if (this.over) return;
    this.write(sseEvent('close', formatCursor(this.cursor), { reason }));
    this.body.push(null);
    this.finish(reason);
  }

  /** Drops the connection at once (a client that does not read). */
  private destroy(reason: EndReason): void {
    this.finish(reason);
    this.opts.res.destroy();
  }

  private finish(reason: EndReason): void {
    if (this.over) return;
    this.over = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.stop.abort();
    this.unsubscribe?.();
    this.waiting = [];
    this.opts.onEnd(reason);
  }
}
