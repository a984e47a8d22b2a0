import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { type CloudEvent, checkEvent, formatIssues, type MessageType, messages } from '@ocp/contracts';
import { PermanentError } from './errors.ts';
import { childTraceparent } from './trace.ts';
import type { BusHooks } from './types.ts';

/** Publishes events and commands to JetStream, deduplicated by their id. */
export interface Publisher {
  /** Validates and publishes; the event id is the `Nats-Msg-Id`, so a re-publish is dropped. */
  publish<T extends MessageType>(event: CloudEvent<T>, traceparent?: string): Promise<void>;
  /** Publishes bytes already validated (the outbox relay): same dedup and headers. */
  publishRaw(
    subject: string,
    payload: Uint8Array,
    msgId: string,
    hdrs?: Record<string, string>,
  ): Promise<void>;
}

const enc = new TextEncoder();

/** The publisher of one JetStream client. Its methods need no `this`: they may be passed on alone. */
export function publisher(js: JetStreamClient, hooks?: BusHooks): Publisher {
  async function publishRaw(
    subject: string,
    payload: Uint8Array,
    msgId: string,
    hdrs?: Record<string, string>,
  ): Promise<void> {
    const h = natsHeaders();
    h.set('Nats-Msg-Id', msgId);
    h.set('traceparent', hdrs?.traceparent ?? childTraceparent());
    for (const [k, v] of Object.entries(hdrs ?? {})) h.set(k, v);
    await js.publish(subject, payload, { msgID: msgId, headers: h, timeout: 5000 });
    hooks?.onPublished?.(subject);
  }

  return {
    async publish(event, traceparent) {
      const check = checkEvent(event, event.type);
      if (!check.ok)
        throw new PermanentError(`refusing to publish ${event.type}: ${formatIssues(check.issues)}`);
      await publishRaw(messages[event.type].subject, enc.encode(JSON.stringify(event)), event.id, {
        traceparent: childTraceparent(traceparent),
      });
    },
    publishRaw,
  };
}
