import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { CloudEvent } from '@ocp/contracts';

/**
 * An independent subscriber of `EVENTS_QUOTA`, as another system would be (the observer's
 * credentials): an ordered consumer from the stream's start that records every event it sees.
 */
export async function followQuotaEvents(nats: ConnectionOptions) {
  const nc = await connect({ ...nats, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const js = jetstream(nc);
  const seen: CloudEvent[] = [];
  const consumer = await js.consumers.get('EVENTS_QUOTA', { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) seen.push(m.json<CloudEvent>());
  })();
  return {
    seen,
    /** The events of `type` about one tenant, in stream order (their data). */
    // biome-ignore lint/suspicious/noExplicitAny: tests read event data loosely and assert on it.
    of(type: string, tenantId: string): any[] {
      return seen.filter((e) => e.type === type && e.subject === tenantId).map((e) => e.data);
    },
    async close() {
      await messages.close();
      await loop;
      await nc.close();
    },
  };
}
