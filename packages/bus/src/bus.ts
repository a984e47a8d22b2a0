import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { type Tracer, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { type EventConsumer, eventConsumer } from './consume.ts';
import { type BatchConsumer, batchConsumer } from './consume-batch.ts';
import { deadLetters } from './dead-letter.ts';
import type { FailureClassifier } from './delivery.ts';
import { type StreamFollower, streamFollower } from './follow.ts';
import { type Publisher, publisher } from './publish.ts';
import { type RpcClient, type RpcServer, rpcClient, rpcServer } from './rpc.ts';
import { type StreamAdmin, streamAdmin } from './streams.ts';
import { supervisor } from './supervise.ts';
import type { BusHooks } from './types.ts';

/**
 * The message bus of a service: JetStream events and commands, request/reply methods. Each part is a
 * narrow capability of its own (`Publisher`, `EventConsumer`, `RpcClient`...), so code that needs one
 * can ask for that one.
 */
export interface Bus
  extends Pick<StreamAdmin, 'ensureStreams'>,
    Publisher,
    EventConsumer,
    BatchConsumer,
    RpcServer,
    RpcClient,
    StreamFollower {
  readonly js: JetStreamClient;
  /**
   * Stops every consumer and server of this bus (the connection stays to the caller): no new message or
   * request is taken, and it returns once those in hand are settled and answered.
   */
  close(): Promise<void>;
}

export interface BusOptions {
  nc: NatsConnection;
  logger: Logger;
  /** The CloudEvents `source` and queue group of this service. */
  service: string;
  hooks?: BusHooks;
  /**
   * Makes the spans of what the bus sends and handles (default: the global provider's tracer named
   * after `service`, so a span tells which service made it even when several share a process).
   * Without an OpenTelemetry SDK in the process its spans are no-ops, and messages still carry a
   * `traceparent` that keeps the caller's trace id.
   */
  tracer?: Tracer;
  /**
   * Replicas of every stream the bus creates or updates (default 1). A single nats-server holds 1;
   * a 3-node JetStream cluster uses 3, so a stream survives the loss of one server.
   */
  streamReplicas?: number;
  /**
   * Request/reply handlers running at once in this bus, across every method it serves (default 64):
   * the bound protects what they share, the database pool above all. A request past it waits in this
   * process for a free slot, in arrival order, while its caller's timeout runs.
   */
  rpcConcurrency?: number;
  /**
   * Tells a handler's failure that never passes (dead-lettered at once) from one that may pass
   * (redelivered), beyond `PermanentError` and `TransientError`; services give their database's.
   */
  classifyFailure?: FailureClassifier;
}

const MAX_REPLICAS = 5;

/** Creates the bus of one service over an open NATS connection. */
export async function createBus(opts: BusOptions): Promise<Bus> {
  const { nc, logger, service, hooks } = opts;
  const tracer = opts.tracer ?? trace.getTracer(service);
  const replicas = opts.streamReplicas ?? 1;
  const concurrency = opts.rpcConcurrency ?? 64;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MAX_REPLICAS)
    throw new RangeError(`streamReplicas must be a whole number from 1 to ${MAX_REPLICAS}, not ${replicas}`);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`rpcConcurrency must be a whole number of at least 1, not ${concurrency}`);

  const js = jetstream(nc);
  const admin = streamAdmin(nc, { replicas });
  const sup = supervisor(js, admin, service);
  const deliveryDeps = {
    logger,
    tracer,
    hooks,
    deadLetters: deadLetters(js, service),
    classifyFailure: opts.classifyFailure,
  };
  const { consume } = eventConsumer(sup, deliveryDeps);
  const { consumeBatch } = batchConsumer(sup, deliveryDeps);
  const { publish, publishRaw } = publisher(js, tracer, hooks);
  const server = rpcServer(nc, { logger, tracer, concurrency, classifyFailure: opts.classifyFailure, hooks });
  const { request } = rpcClient(nc, tracer);
  const { streamBounds, follow } = streamFollower(js);

  return {
    js,
    ensureStreams: admin.ensureStreams,
    publish,
    publishRaw,
    consume,
    consumeBatch,
    serve: server.serve,
    request,
    streamBounds,
    follow,
    async close() {
      await Promise.all([server.close(), sup.close()]);
    },
  };
}
