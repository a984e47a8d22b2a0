import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import {
  type MsgHdrs,
  type NatsConnection,
  nanos,
  headers as natsHeaders,
  type Subscription,
} from '@nats-io/nats-core';
import {
  streams as allStreams,
  type CloudEvent,
  checkEvent,
  formatIssues,
  type MessageType,
  messages,
  type RpcMap,
  type RpcName,
  rpcs,
  type SchemaKey,
  type StreamDef,
  validate,
} from '@ocp/contracts';
import type { Logger } from 'pino';
import { PermanentError, RpcError, RpcUnavailableError, TransientError } from './errors.ts';
import { childTraceparent, traceIdOf } from './trace.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

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
export interface ConsumerSpec<T extends MessageType> {
  durable: string;
  stream: StreamDef;
  filterSubject?: string;
  /** Types this consumer handles; any other type on its subjects is acked and ignored. */
  types: readonly T[];
  /** Redelivery happens this long after a delivery that was neither acked nor kept alive. */
  ackWaitMs?: number;
  /** Deliveries before a failing message is dead-lettered; -1 for no limit, as JetStream's `max_deliver`. */
  maxDeliver?: number;
  /** Messages handled at once by this process. */
  concurrency?: number;
  /** Delays between attempts after a transient failure; the last one repeats. */
  retryDelaysMs?: readonly number[];
  /** Where a new consumer starts: everything in the stream, or only what comes after it is made. */
  deliverFrom?: 'all' | 'new';
}

/** A running consumer. */
export interface Consumption {
  /** Stops taking messages and waits for in-flight ones to finish. */
  stop(): Promise<void>;
}

export type RpcHandler<N extends RpcName> = (
  request: RpcMap[N]['request'],
  ctx: { traceparent: string },
) => Promise<RpcMap[N]['reply']>;

/** Outcome counters, for metrics. */
export interface BusHooks {
  onHandled?(
    durable: string,
    type: string,
    outcome: 'ack' | 'retry' | 'dead_letter' | 'ignored',
    ms: number,
  ): void;
  onPublished?(subject: string): void;
}

/** The message bus of a service: JetStream events and commands, request/reply methods. */
export interface Bus {
  readonly js: JetStreamClient;
  /** Creates or updates the streams; safe to call from every replica at every start. */
  ensureStreams(defs?: readonly StreamDef[]): Promise<void>;
  /** Validates and publishes; the event id is the `Nats-Msg-Id`, so a re-publish is dropped. */
  publish<T extends MessageType>(event: CloudEvent<T>, traceparent?: string): Promise<void>;
  /** Publishes bytes already validated (the outbox relay): same dedup and headers. */
  publishRaw(
    subject: string,
    payload: Uint8Array,
    msgId: string,
    hdrs?: Record<string, string>,
  ): Promise<void>;
  consume<T extends MessageType>(spec: ConsumerSpec<T>, handler: EventHandler<T>): Promise<Consumption>;
  serve<N extends RpcName>(name: N, handler: RpcHandler<N>): Subscription;
  request<N extends RpcName>(
    name: N,
    request: RpcMap[N]['request'],
    opts?: { timeoutMs?: number; traceparent?: string },
  ): Promise<RpcMap[N]['reply']>;
  /** Stops every consumer and server of this bus (the connection stays to the caller). */
  close(): Promise<void>;
}

export interface BusOptions {
  nc: NatsConnection;
  logger: Logger;
  /** The CloudEvents `source` and queue group of this service. */
  service: string;
  hooks?: BusHooks;
}

const DAY_NS = nanos(24 * 60 * 60 * 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the bus of one service over an open NATS connection. */
export async function createBus(opts: BusOptions): Promise<Bus> {
  const { nc, logger, service, hooks } = opts;
  const js = jetstream(nc);
  let jsmPromise: Promise<JetStreamManager> | undefined;
  const jsm = () => {
    jsmPromise ??= jetstreamManager(nc).catch((e: unknown) => {
      jsmPromise = undefined;
      throw e;
    });
    return jsmPromise;
  };
  const running = new Set<Consumption>();
  const subs = new Set<Subscription>();

  async function ensureStream(def: StreamDef): Promise<void> {
    const m = await jsm();
    const cfg = {
      name: def.name,
      subjects: [...def.subjects],
      description: def.description,
      retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: DAY_NS * def.maxAgeDays,
      duplicate_window: nanos(2 * 60 * 1000),
      num_replicas: 1,
    };
    try {
      await m.streams.info(def.name);
      await m.streams.update(def.name, cfg);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await m.streams.add(cfg);
      } catch (e2) {
        // Another replica made it first.
        if (!/already in use|exists/i.test(String(e2))) throw e2;
      }
    }
  }

  async function ensureConsumer<T extends MessageType>(spec: ConsumerSpec<T>): Promise<void> {
    const m = await jsm();
    const cfg = {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(spec.ackWaitMs ?? 30_000),
      max_deliver: spec.maxDeliver ?? 20,
      max_ack_pending: Math.max(100, (spec.concurrency ?? 1) * 4),
      deliver_policy: spec.deliverFrom === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ...(spec.filterSubject ? { filter_subject: spec.filterSubject } : {}),
    };
    try {
      await m.consumers.info(spec.stream.name, spec.durable);
      const { deliver_policy: _d, ...updatable } = cfg;
      await m.consumers.update(spec.stream.name, spec.durable, updatable);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await m.consumers.add(spec.stream.name, cfg);
    }
  }

  function makeHeaders(msgId: string, traceparent: string, extra?: Record<string, string>): MsgHdrs {
    const h = natsHeaders();
    h.set('Nats-Msg-Id', msgId);
    h.set('traceparent', traceparent);
    for (const [k, v] of Object.entries(extra ?? {})) h.set(k, v);
    return h;
  }

  async function publishRaw(
    subject: string,
    payload: Uint8Array,
    msgId: string,
    hdrs?: Record<string, string>,
  ) {
    const traceparent = hdrs?.traceparent ?? childTraceparent();
    const h = makeHeaders(msgId, traceparent, hdrs);
    await js.publish(subject, payload, { msgID: msgId, headers: h, timeout: 5000 });
    hooks?.onPublished?.(subject);
  }

  async function deadLetter(durable: string, m: JsMsg, reason: string) {
    const record = {
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
      await js.publish(`deadletter.${durable}`, enc.encode(JSON.stringify(record)), {
        msgID: `${durable}:${m.info.stream}:${m.seq}`,
      });
    } catch (e) {
      logger.error({ err: e, durable, subject: m.subject }, 'could not record a dead letter');
    }
  }

  async function consume<T extends MessageType>(
    spec: ConsumerSpec<T>,
    handler: EventHandler<T>,
  ): Promise<Consumption> {
    await ensureConsumer(spec);
    const concurrency = spec.concurrency ?? 1;
    const delays = spec.retryDelaysMs ?? [250, 1000, 5000, 15000];
    const maxDeliver = spec.maxDeliver ?? 20;
    const ackWaitMs = spec.ackWaitMs ?? 30_000;
    const accepted = new Set<string>(spec.types);
    const inflight = new Set<Promise<void>>();
    let stopped = false;
    let current: { close(): Promise<unknown> } | undefined;
    const log = logger.child({ consumer: spec.durable });

    async function handle(m: JsMsg): Promise<void> {
      const started = performance.now();
      const traceparent = childTraceparent(m.headers?.get('traceparent'));
      let type = 'unknown';
      let parsed: unknown;
      try {
        parsed = JSON.parse(dec.decode(m.data));
      } catch {
        parsed = undefined;
      }
      const check = checkEvent(parsed);
      if (!check.ok) {
        const reason = `message failed its schema: ${formatIssues(check.issues)}`;
        log.error({ subject: m.subject, seq: m.seq, reason }, 'terminating a message that fails its schema');
        await deadLetter(spec.durable, m, reason);
        // No reason on the ack: servers before 2.10 ignore `+TERM <reason>` and redeliver the message.
        // The reason is in the dead letter.
        m.term();
        hooks?.onHandled?.(spec.durable, type, 'dead_letter', performance.now() - started);
        return;
      }
      const event = check.event;
      type = event.type;
      if (!accepted.has(event.type)) {
        m.ack();
        hooks?.onHandled?.(spec.durable, type, 'ignored', performance.now() - started);
        return;
      }
      const keepAlive = setInterval(() => m.working(), Math.max(1000, ackWaitMs / 3));
      try {
        await handler(event as CloudEvent<T>, {
          deliveryCount: m.info.deliveryCount,
          traceparent,
          subject: m.subject,
          working: () => m.working(),
        });
        m.ack();
        hooks?.onHandled?.(spec.durable, type, 'ack', performance.now() - started);
      } catch (err) {
        const attempt = m.info.deliveryCount;
        const ctx = {
          err,
          type,
          eventId: event.id,
          subject: event.subject,
          attempt,
          traceId: traceIdOf(traceparent),
        };
        if (err instanceof PermanentError || (maxDeliver > 0 && attempt >= maxDeliver)) {
          log.error(ctx, 'handler failed for good; dead-lettering the message');
          await deadLetter(spec.durable, m, err instanceof Error ? err.message : String(err));
          m.term();
          hooks?.onHandled?.(spec.durable, type, 'dead_letter', performance.now() - started);
        } else {
          const delay =
            err instanceof TransientError && err.retryAfterMs !== undefined
              ? err.retryAfterMs
              : (delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000);
          log.warn({ ...ctx, retryInMs: delay }, 'handler failed; the message will be redelivered');
          m.nak(delay);
          hooks?.onHandled?.(spec.durable, type, 'retry', performance.now() - started);
        }
      } finally {
        clearInterval(keepAlive);
      }
    }

    // Supervises the pull loop: a lost consumer or stream (a NATS restart without its store)
    // is made again and consumption goes on.
    const loop = (async () => {
      while (!stopped) {
        try {
          const c = await js.consumers.get(spec.stream.name, spec.durable);
          const iter = await c.consume({ max_messages: Math.max(concurrency * 2, 10) });
          current = iter;
          // stop() may have run while the consumer was being looked up, with nothing to close yet. Close
          // now, unawaited: the close is queued into the iterator, and the loop below ends on it.
          if (stopped) void iter.close();
          for await (const m of iter) {
            const p = handle(m).catch((e: unknown) =>
              log.error({ err: e }, 'unexpected error while handling'),
            );
            inflight.add(p);
            void p.finally(() => inflight.delete(p));
            if (inflight.size >= concurrency) await Promise.race(inflight);
            if (stopped) break;
          }
        } catch (e) {
          if (stopped) break;
          log.warn({ err: e }, 'consumer interrupted; setting it up again');
          await sleep(1000);
          try {
            await ensureStream(spec.stream);
            await ensureConsumer(spec);
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
        await Promise.allSettled([...inflight]);
        running.delete(consumption);
      },
    };
    running.add(consumption);
    return consumption;
  }

  function serve<N extends RpcName>(name: N, handler: RpcHandler<N>): Subscription {
    const def = rpcs[name];
    const sub = nc.subscribe(def.subject, {
      queue: def.server,
      callback: (err, msg) => {
        if (err) {
          logger.error({ err, subject: def.subject }, 'subscription error');
          return;
        }
        const traceparent = childTraceparent(msg.headers?.get('traceparent'));
        const reply = (body: unknown) => {
          if (msg.reply) msg.respond(enc.encode(JSON.stringify(body)));
        };
        void (async () => {
          let request: unknown;
          try {
            request = JSON.parse(dec.decode(msg.data));
          } catch {
            return reply({ error: { code: 'BAD_REQUEST', message: 'the request is not JSON' } });
          }
          const checked = validate<RpcMap[N]['request']>(def.request as SchemaKey, request);
          if (!checked.ok) {
            const first = checked.issues[0];
            return reply({
              error: {
                code: 'VALIDATION_FAILED',
                message: formatIssues(checked.issues),
                ...(first ? { field: first.path } : {}),
              },
            });
          }
          try {
            reply(await handler(checked.value, { traceparent }));
          } catch (e) {
            if (e instanceof RpcError) {
              return reply({
                error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) },
              });
            }
            logger.error({ err: e, subject: def.subject, traceId: traceIdOf(traceparent) }, 'request failed');
            reply({ error: { code: 'INTERNAL', message: 'the service failed to answer; see its logs' } });
          }
        })();
      },
    });
    subs.add(sub);
    return sub;
  }

  async function request<N extends RpcName>(
    name: N,
    body: RpcMap[N]['request'],
    ropts: { timeoutMs?: number; traceparent?: string } = {},
  ): Promise<RpcMap[N]['reply']> {
    const def = rpcs[name];
    const h = natsHeaders();
    h.set('traceparent', childTraceparent(ropts.traceparent));
    let answer: unknown;
    try {
      const msg = await nc.request(def.subject, enc.encode(JSON.stringify(body)), {
        timeout: ropts.timeoutMs ?? 5000,
        headers: h,
      });
      answer = JSON.parse(dec.decode(msg.data));
    } catch (e) {
      throw new RpcUnavailableError(`${def.server} service did not answer ${def.subject}`, { cause: e });
    }
    const err = (answer as { error?: { code: string; message: string; field?: string } }).error;
    if (err) throw new RpcError(err.code, err.message, err.field);
    return answer as RpcMap[N]['reply'];
  }

  return {
    js,
    async ensureStreams(defs = Object.values(allStreams)) {
      for (const def of defs) await ensureStream(def);
    },
    async publish(event, traceparent) {
      const check = checkEvent(event, event.type);
      if (!check.ok)
        throw new PermanentError(`refusing to publish ${event.type}: ${formatIssues(check.issues)}`);
      await publishRaw(messages[event.type].subject, enc.encode(JSON.stringify(event)), event.id, {
        traceparent: childTraceparent(traceparent),
      });
    },
    publishRaw,
    consume,
    serve,
    request,
    async close() {
      for (const s of subs) s.unsubscribe();
      subs.clear();
      await Promise.all([...running].map((c) => c.stop()));
    },
  };
}

function isNotFound(e: unknown): boolean {
  return /not found/i.test(String((e as Error)?.message ?? e));
}
