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
  payload: string;
  at: string;
}

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
        headers: Object.fromEntries([...(m.headers?.keys() ?? [])].map((k) => [k, m.headers?.get(k) ?? ''])),
        payload: dec.decode(m.data),
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
