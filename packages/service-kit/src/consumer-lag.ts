import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';

/** A durable consumer the service owns (`durablesOf` of `@ocp/bus`). */
export interface OwnedDurable {
  durable: string;
  stream: { name: string };
}

export interface ConsumerLagOptions {
  /** A scrape within this long of the last read reuses it (default 2 s). */
  cacheMs?: number;
  /** A consumer whose info does not come within this long is left out of the scrape (default 1 s). */
  timeoutMs?: number;
}

interface Lag {
  pending: number;
  ackPending: number;
}

const dec = new TextDecoder();

/**
 * The lag of each durable consumer the service owns, read from JetStream's consumer info when
 * Prometheus scrapes: messages not yet delivered (`num_pending`) and delivered but not yet acked
 * (`num_ack_pending`). Every consumer is asked at once, each bounded by `timeoutMs`, and the answer is
 * kept for `cacheMs` (two gauges and several scrapers share one read), so a scrape never waits long
 * when NATS is away: a consumer that did not answer is left out of that scrape rather than shown with
 * an old figure. Every replica of a service reports the same consumers: take the `max`, not the sum.
 */
export function registerConsumerLag(
  registry: Registry,
  nc: NatsConnection,
  durables: readonly OwnedDurable[],
  logger: Logger,
  opts: ConsumerLagOptions = {},
): void {
  if (durables.length === 0) return;
  const cacheMs = opts.cacheMs ?? 2000;
  const timeoutMs = opts.timeoutMs ?? 1000;
  let last: { at: number; lags: Promise<Map<OwnedDurable, Lag>> } | undefined;

  async function infoOf(d: OwnedDurable): Promise<Lag | undefined> {
    try {
      const msg = await nc.request(`$JS.API.CONSUMER.INFO.${d.stream.name}.${d.durable}`, undefined, {
        timeout: timeoutMs,
      });
      const info = JSON.parse(dec.decode(msg.data)) as {
        num_pending?: number;
        num_ack_pending?: number;
        error?: { description?: string };
      };
      if (info.error || typeof info.num_pending !== 'number') {
        logger.debug({ consumer: d.durable, error: info.error?.description }, 'no consumer info for the lag');
        return undefined;
      }
      return { pending: info.num_pending, ackPending: info.num_ack_pending ?? 0 };
    } catch (err) {
      logger.debug({ err, consumer: d.durable }, 'consumer info did not come; its lag is left out');
      return undefined;
    }
  }

  const lags = (): Promise<Map<OwnedDurable, Lag>> => {
    const now = performance.now();
    if (!last || now - last.at > cacheMs) {
      const read = Promise.all(durables.map(async (d) => [d, await infoOf(d)] as const)).then(
        (pairs) => new Map(pairs.filter((p): p is readonly [OwnedDurable, Lag] => p[1] !== undefined)),
      );
      last = { at: now, lags: read };
    }
    return last.lags;
  };

  const gauge = (name: string, help: string, pick: (lag: Lag) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream', 'consumer'],
      registers: [registry],
      async collect() {
        const read = await lags();
        this.reset();
        for (const [d, lag] of read) this.set({ stream: d.stream.name, consumer: d.durable }, pick(lag));
      },
    });
  gauge(
    'ocp_jetstream_consumer_pending',
    'Messages of its stream a durable consumer of this service has not been delivered yet (JetStream num_pending): its backlog.',
    (l) => l.pending,
  );
  gauge(
    'ocp_jetstream_consumer_ack_pending',
    'Messages delivered to a durable consumer of this service and not yet acknowledged (JetStream num_ack_pending): work in hand or stuck.',
    (l) => l.ackPending,
  );
}
