import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * W3C trace context for a message: keeps the trace id of `parent` when there is one, with a new
 * span id, so a consumer's work joins the publisher's trace.
 */
export function childTraceparent(parent?: string | null): string {
  const m = parent ? TRACEPARENT.exec(parent) : null;
  const traceId = m?.[1] ?? randomBytes(16).toString('hex');
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${m?.[3] ?? '01'}`;
}

/** The trace id of a traceparent header, for logs. */
export function traceIdOf(traceparent?: string | null): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}
