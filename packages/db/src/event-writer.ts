import {
  type CloudEvent,
  type MessageDataMap,
  type MessageType,
  makeCheckedEvent,
  messages,
} from '@ocp/contracts';
import { OUTBOX_CHANNEL } from './outbox.ts';
import type { Queryable } from './pool.ts';

/** What an event is about and carries; the rest of the envelope comes from the catalog. */
export interface EventFields<T extends MessageType> {
  /** The CloudEvents subject: what the event is about (a tenant id). */
  subject?: string | undefined;
  data: MessageDataMap[T];
  /** A fixed event id, for an event that must be written once whoever writes it; random otherwise. */
  id?: string | undefined;
  time?: Date | undefined;
  /** The W3C trace context the relay publishes it with. */
  traceparent?: string | undefined;
}

/**
 * The one way to write an event: builds its CloudEvents envelope (source and data schema from the
 * catalog), checks it with the contracts' precompiled validators, and adds it to the outbox with
 * the caller's client, so it commits or rolls back with the change it describes. A wrong `data`
 * throws `InvalidEventError` naming the type and the field, before anything is written: the
 * caller's transaction fails instead of its consumers refusing the event later. The commit wakes
 * the relay (a NOTIFY is delivered at commit, never for a rolled-back transaction).
 */
export async function enqueueEvent<T extends MessageType>(
  client: Queryable,
  type: T,
  fields: EventFields<T>,
): Promise<CloudEvent<T>> {
  const event = makeCheckedEvent(type, fields.data, fields);
  await client.query(
    `WITH queued AS (
       INSERT INTO ocp_outbox (event_id, subject, payload, headers) VALUES ($1, $2, $3, $4)
       ON CONFLICT (event_id) DO NOTHING
     )
     SELECT pg_notify('${OUTBOX_CHANNEL}', '')`,
    [
      event.id,
      messages[type].subject,
      JSON.stringify(event),
      JSON.stringify(fields.traceparent ? { traceparent: fields.traceparent } : {}),
    ],
  );
  return event;
}
