import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { type CloudEvent, checkEvent, formatIssues, type MessageType, messages } from '@ocp/contracts';
import { context, SpanKind, type Tracer } from '@opentelemetry/api';
import { PermanentError } from './errors.ts';
import { childTraceparent, endSpan, injectMessageContext, parentContext, startMessageSpan } from './trace.ts';
import type { BusHooks } from './types.ts';

/** Publishes events and commands to JetStream, deduplicated by their id. */
export interface Publisher {
  /**
   * Validates and publishes; the event id is the `Nats-Msg-Id`, so a re-publish is dropped. The
   * publish is a span in the trace `traceparent` names, or else in the active one.
   */
  publish<T extends MessageType>(event: CloudEvent<T>, traceparent?: string): Promise<void>;
  /**
   * Publishes bytes already validated (the outbox relay): same dedup and headers. A `traceparent`
   * (and `tracestate`) in `hdrs` is the parent of the publish's span, not sent as it is: the message
   * carries the span's own context.
   */
  publishRaw(
    subject: string,
    payload: Uint8Array,
    msgId: string,
    hdrs?: Record<string, string>,
  ): Promise<void>;
}

const enc = new TextEncoder();
const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

/** The publisher of one JetStream client. Its methods need no `this`: they may be passed on alone. */
export function publisher(js: JetStreamClient, tracer: Tracer, hooks?: BusHooks): Publisher {
  /**
   * Publishes in a `send` span, child of `parent` (else of the active span). Without an SDK the
   * message carries `untraced()` as its traceparent.
   */
  async function send(
    subject: string,
    payload: Uint8Array,
    msgId: string,
    hdrs: Record<string, string> | undefined,
    parent: string | undefined,
    untraced: () => string,
  ): Promise<void> {
    const { span, context: ctx } = startMessageSpan(
      tracer,
      'send',
      SpanKind.PRODUCER,
      subject,
      parentContext(parent, hdrs?.tracestate),
      { 'messaging.message.id': msgId, 'messaging.message.body.size': payload.byteLength },
    );
    try {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', msgId);
      for (const [k, v] of Object.entries(hdrs ?? {})) if (!TRACE_HEADERS.has(k)) h.set(k, v);
      injectMessageContext(ctx, h, untraced);
      await context.with(ctx, () =>
        js.publish(subject, payload, { msgID: msgId, headers: h, timeout: 5000 }),
      );
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
    endSpan(span);
    hooks?.onPublished?.(subject);
  }

  /** Without an SDK, a stored traceparent (an outbox row's) is carried as it is, as it always was. */
  const publishRaw: Publisher['publishRaw'] = (subject, payload, msgId, hdrs) =>
    send(subject, payload, msgId, hdrs, hdrs?.traceparent, () => hdrs?.traceparent ?? childTraceparent());

  return {
    async publish(event, traceparent) {
      const check = checkEvent(event, event.type);
      if (!check.ok)
        throw new PermanentError(`refusing to publish ${event.type}: ${formatIssues(check.issues)}`);
      await send(
        messages[event.type].subject,
        enc.encode(JSON.stringify(event)),
        event.id,
        undefined,
        traceparent,
        () => childTraceparent(traceparent),
      );
    },
    publishRaw,
  };
}
