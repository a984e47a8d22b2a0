import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { durables, type MessageType } from '@ocp/contracts';
import type { Logger } from 'pino';
import { BusClosedError, StreamSetupError } from './errors.ts';
import { catalogServices } from './permissions.ts';
import type { StreamAdmin } from './streams.ts';
import type { Consumption, DurableSpec } from './types.ts';

/** Runs durable consumers and stops them all on close. */
export interface Supervisor {
  /** Creates or updates the durable consumer of `spec`. */
  ensureDurable<T extends MessageType>(spec: DurableSpec<T>, maxAckPending: number): Promise<void>;
  /**
   * Runs `drive` over the consumer's messages and supervises it: a lost consumer or stream (a NATS
   * restart without its store) is made again and consumption goes on. `stop()` closes the message
   * iterator, waits for `drive` to return, then for `finish`.
   */
  supervise<T extends MessageType>(
    spec: DurableSpec<T>,
    log: Logger,
    opts: { maxMessages: number; maxAckPending: number },
    drive: (iter: ConsumerMessages, stopped: () => boolean) => Promise<void>,
    finish?: () => Promise<unknown>,
  ): Consumption;
  /** Refuses new consumers, then stops every running one. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A service of the catalog may only keep the durables the catalog gives it: its NATS permissions are
 * made from that list, so an undeclared one would be refused by the server, less plainly.
 */
function checkDeclared(service: string | undefined, durable: string, stream: string): void {
  if (service === undefined || !catalogServices().includes(service)) return;
  const declared = Object.values(durables).some(
    (d) => d.service === service && d.durable === durable && d.stream.name === stream,
  );
  if (!declared)
    throw new StreamSetupError(
      `consumer ${durable} on ${stream} is not declared for the ${service} service in the contracts catalog (durables); ` +
        'declare it there, which gives the service its NATS permissions for it',
    );
}

export function supervisor(js: JetStreamClient, admin: StreamAdmin, service?: string): Supervisor {
  const running = new Set<Consumption>();
  let closed = false;

  async function configureDurable<T extends MessageType>(spec: DurableSpec<T>, maxAckPending: number) {
    await admin.ensureConsumer(spec.stream.name, {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(spec.ackWaitMs ?? 30_000),
      // The bus counts deliveries (see `DurableSpec.maxDeliver`): JetStream must never stop
      // redelivering a message the bus has not settled.
      max_deliver: -1,
      max_ack_pending: maxAckPending,
      deliver_policy: spec.deliverFrom === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
    });
  }

  function supervise<T extends MessageType>(
    spec: DurableSpec<T>,
    log: Logger,
    opts: { maxMessages: number; maxAckPending: number },
    drive: (iter: ConsumerMessages, stopped: () => boolean) => Promise<void>,
    finish: () => Promise<unknown> = async () => {},
  ): Consumption {
    if (closed) throw new BusClosedError(`the bus is closed; not starting consumer ${spec.durable}`);
    let stopped = false;
    let current: ConsumerMessages | undefined;
    const loop = (async () => {
      while (!stopped) {
        try {
          const c = await js.consumers.get(spec.stream.name, spec.durable);
          const iter = await c.consume({ max_messages: opts.maxMessages });
          current = iter;
          // stop() may have run while the consumer was being looked up, with nothing to close yet. Close
          // now, unawaited: the close is queued into the iterator, and `drive` ends on it.
          if (stopped) void iter.close();
          await drive(iter, () => stopped);
        } catch (e) {
          if (stopped) break;
          log.warn({ err: e }, 'consumer interrupted; setting it up again');
          await sleep(1000);
          try {
            await admin.ensureStream(spec.stream);
            await configureDurable(spec, opts.maxAckPending);
          } catch (e2) {
            log.warn({ err: e2 }, 'could not set the consumer up yet');
          }
        }
        if (!stopped) await sleep(250);
      }
    })();

    const consumption: Consumption = {
      async stop() {
        stopped = true;
        await current?.close();
        await loop;
        await finish();
        running.delete(consumption);
      },
    };
    running.add(consumption);
    return consumption;
  }

  return {
    async ensureDurable(spec, maxAckPending) {
      if (closed) throw new BusClosedError(`the bus is closed; not starting consumer ${spec.durable}`);
      checkDeclared(service, spec.durable, spec.stream.name);
      await configureDurable(spec, maxAckPending);
    },
    supervise,
    async close() {
      closed = true;
      await Promise.all([...running].map((c) => c.stop()));
    },
  };
}
