import type { CloudEvent, MessageType, RpcMap, RpcName, StreamDef } from '@ocp/contracts';

/** What a handler learns about the message beside its event. */
export interface DeliveryContext {
  /** 1 on the first delivery. */
  deliveryCount: number;
  traceparent: string;
  subject: string;
  /** Tell JetStream the work is still going, so the message is not redelivered meanwhile. */
  working(): void;
}

export type EventHandler<T extends MessageType> = (
  event: CloudEvent<T>,
  ctx: DeliveryContext,
) => Promise<void>;

/** A durable consumer: one per purpose, shared by every replica of a service. */
export interface DurableSpec<T extends MessageType> {
  durable: string;
  stream: StreamDef;
  filterSubject?: string;
  /** Types this consumer handles; any other type on its subjects is acked and ignored. */
  types: readonly T[];
  /** Redelivery happens this long after a delivery that was neither acked nor kept alive. */
  ackWaitMs?: number;
  /**
   * Deliveries before a failing message is dead-lettered (default 20). -1: no limit for a transient
   * failure (`TransientError`, or one the bus's `classifyFailure` calls transient, such as a lost
   * database connection), which is redelivered until it passes; a failure of unknown kind is still
   * dead-lettered after `UNKNOWN_FAILURE_LIMIT` (20) deliveries. A permanent failure (`PermanentError`,
   * or e.g. a value PostgreSQL refuses) is dead-lettered at once, whatever the limit. The bus counts
   * deliveries, not JetStream: the consumer's `max_deliver` stays unlimited, so a message whose dead
   * letter could not be stored comes back, and a delivery past the limit goes straight to the dead letter.
   */
  maxDeliver?: number;
  /** Delays between attempts after a transient failure; the last one repeats. */
  retryDelaysMs?: readonly number[];
  /** Where a new consumer starts: everything in the stream, or only what comes after it is made. */
  deliverFrom?: 'all' | 'new';
}

/** A consumer that hands its handler one event at a time. */
export interface ConsumerSpec<T extends MessageType> extends DurableSpec<T> {
  /** Messages handled at once by this process. */
  concurrency?: number;
}

/** A consumer that hands its handler the events in batches, one batch at a time. */
export interface BatchConsumerSpec<T extends MessageType> extends DurableSpec<T> {
  /** Most events in one batch (default 500). */
  batchSize?: number;
  /** How long a batch waits to fill once its first message is in (default 50 ms). */
  maxWaitMs?: number;
}

/** What a batch handler learns beside its events. */
export interface BatchContext {
  /** The delivery of each event, in the same order as the events. */
  deliveries: readonly DeliveryContext[];
  /** Tell JetStream the whole batch is still being worked on. */
  working(): void;
}

/**
 * Handles a batch: when it returns, every event of the batch is acked; when it throws, every one is
 * redelivered after its retry delay (or dead-lettered, as with `consume`).
 */
export type BatchHandler<T extends MessageType> = (
  events: CloudEvent<T>[],
  ctx: BatchContext,
) => Promise<void>;

/** A running consumer. */
export interface Consumption {
  /** Stops taking messages and waits for in-flight ones to finish. */
  stop(): Promise<void>;
}

export type RpcHandler<N extends RpcName> = (
  request: RpcMap[N]['request'],
  ctx: { traceparent: string },
) => Promise<RpcMap[N]['reply']>;

/** What became of a delivered message. `retry` also counts a dead letter that could not be stored yet. */
export type HandledOutcome = 'ack' | 'retry' | 'dead_letter' | 'ignored';

/** Outcome counters, for metrics. */
export interface BusHooks {
  /** `ms`: the time spent on the message; for a batch consumer, its share of the batch's time. */
  onHandled?(durable: string, type: string, outcome: HandledOutcome, ms: number): void;
  onPublished?(subject: string): void;
  /**
   * A request/reply method answered: `code` is `ok` or the error code of the answer, `ms` the time
   * from its arrival (waiting for a slot included) to the answer.
   */
  onServed?(method: string, code: string, ms: number): void;
}
