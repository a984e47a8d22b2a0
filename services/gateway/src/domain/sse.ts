/**
 * Server-Sent Events text (WHATWG HTML, "Server-sent events"): fields of one line each, a blank
 * line ends a frame. JSON.stringify writes no line breaks, so `data` is always one line.
 */

/** A frame with an event name, an id and JSON data. */
export function sseEvent(event: string, id: string, data: unknown): string {
  return `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** How long the browser waits before it reconnects. */
export const sseRetry = (ms: number): string => `retry: ${ms}\n\n`;

/**
 * A heartbeat: a comment line that keeps proxies from closing an idle connection. With an id it
 * also moves the browser's last event id on without an event (a frame with an id and no data
 * dispatches nothing but sets the id), so a reconnect after a long quiet time does not replay what
 * this viewer was never sent.
 */
export const sseHeartbeat = (id?: string): string => (id ? `: ping\nid: ${id}\n\n` : ': ping\n\n');
