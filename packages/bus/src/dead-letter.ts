import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { DeadLetterError } from './errors.ts';

/** Stores the record of a message a consumer gives up on, on `deadletter.<consumer>`. */
export interface DeadLetters {
  /**
   * Resolves once the record is stored in JetStream; throws `DeadLetterError` when it is not (no
   * stream takes the subject, no server answers), so the caller keeps the message.
   */
  store(durable: string, m: JsMsg, reason: string): Promise<void>;
}

/** What a dead-letter record holds: enough to find, read and replay the message. */
export interface DeadLetterRecord {
  service: string;
  consumer: string;
  subject: string;
  streamSequence: number;
  deliveryCount: number;
  reason: string;
  headers: Record<string, string>;
  /** The message as text, its first `MAX_RECORDED_PAYLOAD` bytes when it is longer. */
  payload: string;
  /** The size of the whole message; the stream still holds it at `streamSequence` to read it all. */
  payloadBytes: number;
  payloadTruncated: boolean;
  at: string;
}

/**
 * Bytes of a message kept in its dead letter. A record must fit in one NATS message with room to
 * spare: a message near the server's `max_payload` (1 MB), escaped as JSON text, would not, and a
 * dead letter that can never be stored keeps its message coming back for ever.
 */
export const MAX_RECORDED_PAYLOAD = 64 * 1024;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The dead-letter store of a service. */
export function deadLetters(js: JetStreamClient, service: string): DeadLetters {
  return {
    async store(durable, m, reason) {
      const record: DeadLetterRecord = {
        service,
        consumer: durable,
        subject: m.subject,
        streamSequence: m.seq,
        deliveryCount: m.info.deliveryCount,
        reason,
        headers: Object.fromEntries(
          [...(m.headers?.keys() ?? [])].map((k) => [k, (m.headers?.get(k) ?? '').slice(0, 1024)]),
        ),
        payload: dec.decode(m.data.subarray(0, MAX_RECORDED_PAYLOAD)),
        payloadBytes: m.data.length,
        payloadTruncated: m.data.length > MAX_RECORDED_PAYLOAD,
        at: new Date().toISOString(),
      };
      try {
        // One record per message, however often storing it is tried: the id deduplicates.
        await js.publish(`deadletter.${durable}`, enc.encode(JSON.stringify(record)), {
          msgID: `${durable}:${m.info.stream}:${m.seq}`,
          timeout: 5000,
        });
      } catch (e) {
        throw new DeadLetterError(
          `could not store the dead letter of ${m.info.stream} sequence ${m.seq} for consumer ${durable}`,
          { cause: e },
        );
      }
    },
  };
}
