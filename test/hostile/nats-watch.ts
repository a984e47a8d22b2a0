import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DeadLetterRecord } from '@ocp/bus';
import { durables, streams } from '@ocp/contracts';
import { waitFor } from '@ocp/testkit';

/** What a test reads of JetStream as the admin: consumers' progress and the dead letters. */
export interface NatsWatch {
  jsm: JetStreamManager;
  /** Every dead-letter record, oldest first. */
  deadLetters(): Promise<DeadLetterRecord[]>;
  /** Resolves once every durable of the catalog has nothing pending and nothing waiting for an ack. */
  settled(timeoutMs?: number): Promise<void>;
}

export async function natsWatch(nc: NatsConnection): Promise<NatsWatch> {
  const jsm = await jetstreamManager(nc);
  return {
    jsm,
    async deadLetters() {
      const out: DeadLetterRecord[] = [];
      const info = await jsm.streams.info(streams.deadLetters.name).catch(() => undefined);
      if (!info || info.state.messages === 0) return out;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(streams.deadLetters.name, { seq }).catch(() => null);
        if (m) out.push(m.json<DeadLetterRecord>());
      }
      return out;
    },
    async settled(timeoutMs = 60_000) {
      await waitFor(
        'every consumer to settle',
        async () => {
          for (const d of Object.values(durables)) {
            const c = await jsm.consumers.info(d.stream.name, d.durable).catch(() => undefined);
            if (c && (c.num_pending > 0 || c.num_ack_pending > 0)) return undefined;
          }
          return true;
        },
        { timeoutMs },
      );
    },
  };
}
