/**
 * The position of a live event stream in the three JetStream streams it follows, as the `id:` of
 * every frame: `e1.<tenant events seq>.<operation events seq>.<backup events seq>`, each the last
 * stream sequence the connection has passed (sent or filtered out). The browser sends the last one
 * back as `Last-Event-ID` when it reconnects, and the gateway replays each stream after it.
 */

/** The streams of the feed, in the order of their positions in a cursor. */
export const feedStreams = ['tenant', 'operation', 'backup'] as const;
export type FeedStream = (typeof feedStreams)[number];

/** The last stream sequence passed in each stream. */
export type Cursor = Record<FeedStream, number>;

const VERSION = 'e1';
// Sequences are uint64 in JetStream; 15 digits stay exact in a JavaScript number.
const CURSOR = /^e1\.(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/;

export function formatCursor(c: Cursor): string {
  return `${VERSION}.${c.tenant}.${c.operation}.${c.backup}`;
}

/** The cursor a `Last-Event-ID` names, or undefined when it is not one this gateway made. */
export function parseCursor(text: string): Cursor | undefined {
  const m = CURSOR.exec(text.trim());
  if (!m) return undefined;
  return { tenant: Number(m[1]), operation: Number(m[2]), backup: Number(m[3]) };
}

/** What a resume from `from` needs: a replay, or a reset when the stream no longer holds it. */
export type ResumePlan =
  | { kind: 'replay'; count: number }
  | { kind: 'reset'; reason: 'malformed' | 'unknown' | 'expired' | 'too_far'; detail: string };

/** The bounds of a stream as JetStream reports them: `first` is last + 1 in an empty stream. */
export interface StreamBounds {
  first: number;
  last: number;
}

/**
 * Decides how a connection resumes at `from`, with the feed live at `live` (every message after it
 * reaches the connection) and the streams' bounds now: replay what lies in between, or reset when
 * some of it is gone (older than the stream keeps), the cursor lies ahead of the stream (another
 * stream of that name), or more than `max` messages lie in between.
 */
export function planResume(
  from: Cursor | undefined,
  live: Cursor,
  bounds: Record<FeedStream, StreamBounds>,
  max: number,
): ResumePlan {
  if (!from)
    return {
      kind: 'reset',
      reason: 'malformed',
      detail: 'Last-Event-ID is not an id this API sent (e1.<n>.<n>.<n>)',
    };
  let count = 0;
  for (const s of feedStreams) {
    const at = from[s];
    const { first, last } = bounds[s];
    if (at > last)
      return {
        kind: 'reset',
        reason: 'unknown',
        detail: `Last-Event-ID is past the end of the ${s} events (${at} > ${last}): the stream is not the one it was taken from`,
      };
    if (at < last && at + 1 < first)
      return {
        kind: 'reset',
        reason: 'expired',
        detail: `the ${s} events after ${at} are no longer kept (the oldest is ${first})`,
      };
    count += Math.max(0, live[s] - at);
  }
  if (count > max)
    return {
      kind: 'reset',
      reason: 'too_far',
      detail: `${count} events happened since Last-Event-ID, more than the ${max} a reconnect replays`,
    };
  return { kind: 'replay', count };
}
