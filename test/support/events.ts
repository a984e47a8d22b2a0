import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { CloudEvent } from '@ocp/contracts';

/**
 * An independent subscriber of the tenant lifecycle events, as another system would be: an
 * ordered consumer over `events.tenant.>` that records every message it sees. `nats` is how to
 * connect: the observer's options (`env.natsAs('observer')`), as such a system has.
 */
export async function subscribeTenantEvents(nats: ConnectionOptions) {
  const nc = await connect({ ...nats, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const js = jetstream(nc);
  const seen: Array<{ event: CloudEvent; msgId: string | undefined; seq: number }> = [];
  // The stream holds only events.tenant.>; a filter would need nats-server 2.10.
  const consumer = await js.consumers.get('EVENTS_TENANT', { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) {
      seen.push({ event: m.json<CloudEvent>(), msgId: m.headers?.get('Nats-Msg-Id'), seq: m.seq });
    }
  })();
  return {
    seen,
    /** Event types about one tenant, in stream order. */
    typesFor(tenantId: string): string[] {
      return seen.filter((s) => s.event.subject === tenantId).map((s) => s.event.type);
    },
    async close() {
      await messages.close();
      await loop;
      await nc.close();
    },
  };
}

/**
 * An independent subscriber of one event stream (`EVENTS_QUOTA`, `EVENTS_BILLING`, ...), as another
 * system would be: it records every event the stream holds, from its start.
 */
export async function subscribeStreamEvents(nats: ConnectionOptions, stream: string) {
  const nc = await connect({ ...nats, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const js = jetstream(nc);
  const seen: Array<{ event: CloudEvent; msgId: string | undefined; seq: number }> = [];
  const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) {
      seen.push({ event: m.json<CloudEvent>(), msgId: m.headers?.get('Nats-Msg-Id'), seq: m.seq });
    }
  })();
  return {
    seen,
    /** The events of one type, in stream order. */
    ofType(type: string): CloudEvent[] {
      return seen.filter((s) => s.event.type === type).map((s) => s.event);
    },
    async close() {
      await messages.close();
      await loop;
      await nc.close();
    },
  };
}
