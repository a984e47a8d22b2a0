import { randomBytes } from 'node:crypto';
import type { MsgHdrs } from '@nats-io/nats-core';
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * W3C trace context for a message: keeps the trace id of `parent` when there is one, with a new
 * span id, so a consumer's work joins the publisher's trace. What the bus writes when no
 * OpenTelemetry SDK runs in the process, so logs still correlate.
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

/** Reads W3C trace context from NATS headers (an absent header reads as '' there). */
export const natsHeaderGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (h) => (h ? h.keys() : []),
  get: (h, key) => h?.get(key) || undefined,
};

/** Writes W3C trace context into NATS headers. */
export const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set: (h, key, value) => h.set(key, value),
};

/**
 * The trace context a received message carries: the parent of its handling. A message comes from
 * another process (or another trace), so nothing of the receiver's own active context is kept.
 */
export function extractMessageContext(h: MsgHdrs | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, h, natsHeaderGetter);
}

/**
 * The parent of a message about to be sent: the context a stored traceparent names (an outbox row,
 * an operation, a handler's `ctx.traceparent`) when there is one, else the active context (an HTTP
 * request's span in the gateway). Without an SDK, propagation reads nothing and this is the active
 * context: the fallback of `traceparentOf` keeps the trace id then.
 */
export function parentContext(traceparent?: string, tracestate?: string): Context {
  const active = context.active();
  if (!traceparent) return active;
  return propagation.extract(active, { traceparent, ...(tracestate ? { tracestate } : {}) });
}

/**
 * The `traceparent` of `ctx`'s span as the propagator writes it. When no propagator wrote one (no
 * SDK in this process), a child of `fallbackParent` instead: the trace id still goes on.
 */
export function traceparentOf(ctx: Context, fallbackParent?: string | null): string {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent ?? childTraceparent(fallbackParent);
}

/**
 * Writes `ctx`'s trace context (traceparent, tracestate) into message headers with the global
 * propagator. When no propagator writes one (no SDK in this process), `otherwise()` is written as
 * `traceparent` instead, so the trace id still travels. Returns the traceparent written.
 */
export function injectMessageContext(ctx: Context, h: MsgHdrs, otherwise: () => string): string {
  propagation.inject(ctx, h, natsHeaderSetter);
  const written = h.get('traceparent');
  if (written) return written;
  const tp = otherwise();
  h.set('traceparent', tp);
  return tp;
}

/** A span of a message's sending or handling, and the context in which its work runs. */
export interface MessageSpan {
  span: Span;
  /** `parent` with the span set: what the work runs in and what is propagated onwards. */
  context: Context;
}

/**
 * Starts the span of sending (`send <subject>`, PRODUCER) or handling (`process <subject>`,
 * CONSUMER or SERVER) a NATS message, with the messaging semantic conventions' attributes.
 */
export function startMessageSpan(
  tracer: Tracer,
  operation: 'send' | 'process',
  kind: SpanKind,
  subject: string,
  parent: Context,
  attributes: Attributes = {},
): MessageSpan {
  const span = tracer.startSpan(
    `${operation} ${subject}`,
    {
      kind,
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': subject,
        'messaging.operation.type': operation,
        'messaging.operation.name': operation,
        ...attributes,
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a span, marked as failed with `err` when there is one. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    const e = err instanceof Error ? err : new Error(String(err));
    span.recordException(e);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
    span.setAttribute('error.type', e.name);
  }
  span.end();
}

/**
 * Runs work that belongs to a stored trace (an operation a handler queued, which a worker runs
 * later from its table) in an INTERNAL span of `tracer`, child of the stored `traceparent`; `work`
 * gets the span's traceparent to store and send on, so what it publishes continues that trace.
 * Without an SDK (or without a tracer), it gets a child of the stored traceparent, as
 * `childTraceparent` makes.
 */
export async function runInTrace<T>(
  tracer: Tracer | undefined,
  name: string,
  traceparent: string | null | undefined,
  work: (traceparent: string) => Promise<T>,
  attributes: Attributes = {},
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  if (!tracer) return await work(traceparentOf(parent, traceparent));
  const span = tracer.startSpan(name, { attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  let failure: unknown;
  try {
    return await context.with(ctx, () => work(traceparentOf(ctx, traceparent)));
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    endSpan(span, failure);
  }
}
