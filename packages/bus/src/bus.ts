import {
  AckPolicy,
  type ConsumerMessages,
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
export interface DurableSpec<T extends MessageType> {
  durable: string;
  stream: StreamDef;
  filterSubject?: string;
  /** Types this consumer handles; any other type on its subjects is acked and ignored. */
  types: readonly T[];
  /** Redelivery happens this long after a delivery that was neither acked nor kept alive. */
  ackWaitMs?: number;
  /** Deliveries before a failing message is dead-lettered; -1 for no limit, as JetStream's `max_deliver`. */
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

/** Outcome counters, for metrics. */
export interface BusHooks {
  /** `ms`: the time spent on the message; for a batch consumer, its share of the batch's time. */
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
  /**
   * Pulls up to `batchSize` messages, or what came within `maxWaitMs` of the first, checks each (one
   * that fails its schema is terminated and dead-lettered), and hands the valid ones to the handler
   * in one call; then acks them all, or on failure has them all redelivered.
   */
  consumeBatch<T extends MessageType>(
    spec: BatchConsumerSpec<T>,
    handler: BatchHandler<T>,
  ): Promise<Consumption>;
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
const EXPIRED = Symbol('expired');
const HAND_BACK_DELAY_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A checked message of a handled type, with what its handler is given. */
interface Admitted<T extends MessageType> {
  m: JsMsg;
  event: CloudEvent<T>;
  delivery: DeliveryContext;
}

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

  async function ensureConsumer<T extends MessageType>(
    spec: DurableSpec<T>,
    maxAckPending: number,
  ): Promise<void> {
    const m = await jsm();
    const cfg = {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(spec.ackWaitMs ?? 30_000),
      max_deliver: spec.maxDeliver ?? 20,
      max_ack_pending: maxAckPending,
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

  /**
   * What both kinds of consumer do with a message around their handler: check it, keep it alive,
   * and settle it when the handler failed.
   */
  function consumerKit<T extends MessageType>(spec: DurableSpec<T>) {
    const delays = spec.retryDelaysMs ?? [250, 1000, 5000, 15000];
    const maxDeliver = spec.maxDeliver ?? 20;
    const ackWaitMs = spec.ackWaitMs ?? 30_000;
    const accepted = new Set<string>(spec.types);
    const log = logger.child({ consumer: spec.durable });
    const report = (type: string, outcome: 'ack' | 'retry' | 'dead_letter' | 'ignored', ms: number) =>
      hooks?.onHandled?.(spec.durable, type, outcome, ms);

    /**
     * Parses and checks a message. One that fails its schema is terminated and dead-lettered, one of
     * a type this consumer does not handle is acked; both return undefined, settled already.
     */
    async function admit(m: JsMsg, started: number): Promise<Admitted<T> | undefined> {
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
        report('unknown', 'dead_letter', performance.now() - started);
        return undefined;
      }
      const event = check.event;
      if (!accepted.has(event.type)) {
        m.ack();
        report(event.type, 'ignored', performance.now() - started);
        return undefined;
      }
      return {
        m,
        event: event as CloudEvent<T>,
        delivery: {
          deliveryCount: m.info.deliveryCount,
          traceparent: childTraceparent(m.headers?.get('traceparent')),
          subject: m.subject,
          working: () => m.working(),
        },
      };
    }

    /** Settles a message whose handler failed: dead-lettered for good, or redelivered after a delay. */
    async function settleFailure(
      m: JsMsg,
      err: unknown,
    ): Promise<{ outcome: 'dead_letter' } | { outcome: 'retry'; delayMs: number }> {
      const attempt = m.info.deliveryCount;
      if (err instanceof PermanentError || (maxDeliver > 0 && attempt >= maxDeliver)) {
        await deadLetter(spec.durable, m, err instanceof Error ? err.message : String(err));
        m.term();
        return { outcome: 'dead_letter' };
      }
      const delayMs =
        err instanceof TransientError && err.retryAfterMs !== undefined
          ? err.retryAfterMs
          : (delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000);
      m.nak(delayMs);
      return { outcome: 'retry', delayMs };
    }

    /** Tells JetStream the messages are still being worked on until the returned function is called. */
    function keepAlive(msgs: readonly JsMsg[]): () => void {
      const timer = setInterval(
        () => {
          for (const m of msgs) m.working();
        },
        Math.max(1000, ackWaitMs / 3),
      );
      return () => clearInterval(timer);
    }

    return { log, report, admit, settleFailure, keepAlive };
  }

  /**
   * Runs `drive` over the consumer's messages and supervises it: a lost consumer or stream (a NATS
   * restart without its store) is made again and consumption goes on. `stop()` closes the message
   * iterator, waits for `drive` to return, then for `finish`.
   */
  function supervise<T extends MessageType>(
    spec: DurableSpec<T>,
    log: Logger,
    opts: { maxMessages: number; maxAckPending: number },
    drive: (iter: ConsumerMessages, stopped: () => boolean) => Promise<void>,
    finish: () => Promise<unknown> = async () => {},
  ): Consumption {
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
            await ensureStream(spec.stream);
            await ensureConsumer(spec, opts.maxAckPending);
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

  async function consume<T extends MessageType>(
    spec: ConsumerSpec<T>,
    handler: EventHandler<T>,
  ): Promise<Consumption> {
    const concurrency = spec.concurrency ?? 1;
    const maxAckPending = Math.max(100, concurrency * 4);
    await ensureConsumer(spec, maxAckPending);
    const kit = consumerKit(spec);
    const inflight = new Set<Promise<void>>();

    async function handle(m: JsMsg): Promise<void> {
      const started = performance.now();
      const admitted = await kit.admit(m, started);
      if (!admitted) return;
      const { event, delivery } = admitted;
      const stopKeepAlive = kit.keepAlive([m]);
      try {
        await handler(event, delivery);
        m.ack();
        kit.report(event.type, 'ack', performance.now() - started);
      } catch (err) {
        const ctx = {
          err,
          type: event.type,
          eventId: event.id,
          subject: event.subject,
          attempt: m.info.deliveryCount,
          traceId: traceIdOf(delivery.traceparent),
        };
        const settled = await kit.settleFailure(m, err);
        if (settled.outcome === 'dead_letter') {
          kit.log.error(ctx, 'handler failed for good; dead-lettering the message');
        } else {
          kit.log.warn(
            { ...ctx, retryInMs: settled.delayMs },
            'handler failed; the message will be redelivered',
          );
        }
        kit.report(event.type, settled.outcome, performance.now() - started);
      } finally {
        stopKeepAlive();
      }
    }

    return supervise(
      spec,
      kit.log,
      { maxMessages: Math.max(concurrency * 2, 10), maxAckPending },
      async (iter, stopped) => {
        for await (const m of iter) {
          const p = handle(m).catch((e: unknown) =>
            kit.log.error({ err: e }, 'unexpected error while handling'),
          );
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
          if (inflight.size >= concurrency) await Promise.race(inflight);
          if (stopped()) break;
        }
      },
      () => Promise.allSettled([...inflight]),
    );
  }

  async function consumeBatch<T extends MessageType>(
    spec: BatchConsumerSpec<T>,
    handler: BatchHandler<T>,
  ): Promise<Consumption> {
    const batchSize = spec.batchSize ?? 500;
    const maxWaitMs = spec.maxWaitMs ?? 50;
    // Room for the batch in hand and the next one, pulled while this one is handled.
    const maxAckPending = Math.max(100, batchSize * 2);
    await ensureConsumer(spec, maxAckPending);
    const kit = consumerKit(spec);

    async function handleBatch(msgs: readonly JsMsg[]): Promise<void> {
      const started = performance.now();
      const admitted: Admitted<T>[] = [];
      for (const m of msgs) {
        const a = await kit.admit(m, started);
        if (a) admitted.push(a);
      }
      if (admitted.length === 0) return;
      const held = admitted.map((a) => a.m);
      const stopKeepAlive = kit.keepAlive(held);
      try {
        await handler(
          admitted.map((a) => a.event),
          {
            deliveries: admitted.map((a) => a.delivery),
            working: () => {
              for (const m of held) m.working();
            },
          },
        );
        for (const m of held) m.ack();
        // The hooks count messages: each gets its share of the batch's time.
        const each = (performance.now() - started) / admitted.length;
        for (const a of admitted) kit.report(a.event.type, 'ack', each);
      } catch (err) {
        let retried = 0;
        let deadLettered = 0;
        let retryInMs = 0;
        const each = (performance.now() - started) / admitted.length;
        for (const a of admitted) {
          const settled = await kit.settleFailure(a.m, err);
          if (settled.outcome === 'retry') {
            retried++;
            retryInMs = Math.max(retryInMs, settled.delayMs);
          } else deadLettered++;
          kit.report(a.event.type, settled.outcome, each);
        }
        const ctx = {
          err,
          size: admitted.length,
          firstEventId: admitted[0]?.event.id,
          attempt: admitted[0]?.delivery.deliveryCount,
        };
        if (deadLettered > 0) {
          kit.log.error(
            { ...ctx, retried, deadLettered },
            'batch handler failed; dead-lettered some messages',
          );
        } else {
          kit.log.warn({ ...ctx, retryInMs }, 'batch handler failed; the batch will be redelivered');
        }
      } finally {
        stopKeepAlive();
      }
    }

    return supervise(spec, kit.log, { maxMessages: batchSize * 2, maxAckPending }, async (iter, stopped) => {
      const it = iter[Symbol.asyncIterator]();
      // A pull for the next message can outlive the batch that asked for it (the wait ran out first);
      // it is kept for the next batch, so no message is dropped between two batches.
      let next: Promise<IteratorResult<JsMsg>> | undefined;
      let ended = false;
      while (!ended && !stopped()) {
        const batch: JsMsg[] = [];
        let failure: unknown;
        let timer: NodeJS.Timeout | undefined;
        let expired: Promise<typeof EXPIRED> | undefined;
        try {
          while (batch.length < batchSize) {
            next ??= it.next();
            const r = expired ? await Promise.race([next, expired]) : await next;
            if (r === EXPIRED) break;
            next = undefined;
            if (r.done) {
              ended = true;
              break;
            }
            batch.push(r.value);
            // The wait starts with the first message: an idle consumer does not spin.
            expired ??= new Promise((resolve) => {
              timer = setTimeout(() => resolve(EXPIRED), maxWaitMs);
            });
          }
        } catch (e) {
          // The iterator failed (a lost consumer): the messages in hand are still handled first.
          failure = e;
          next = undefined;
        } finally {
          clearTimeout(timer);
        }
        if (batch.length > 0) await handleBatch(batch);
        if (failure !== undefined) throw failure;
      }
      if (ended) return;
      // Stopped: the iterator is closed and yields what it had pulled, then ends. Those messages go
      // back, so a consumer that takes over (or this one, started again) need not wait for the ack
      // wait to run out. After a short delay: redelivered at once, a message can still go to a pull
      // request of the closed iterator, which the server drops only when it next looks at it.
      for (;;) {
        const r = await (next ?? it.next()).catch(() => ({ done: true as const, value: undefined }));
        next = undefined;
        if (r.done) break;
        r.value.nak(HAND_BACK_DELAY_MS);
      }
    });
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
            const result = await handler(checked.value, { traceparent });
            // The reply honours its contract too: a server bug must not reach callers as data.
            const out = validate(def.reply as SchemaKey, result);
            if (!out.ok) {
              logger.error(
                { subject: def.subject, issues: formatIssues(out.issues), traceId: traceIdOf(traceparent) },
                'reply fails its schema',
              );
              return reply({
                error: { code: 'INTERNAL', message: 'the service failed to answer; see its logs' },
              });
            }
            reply(result);
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
    consumeBatch,
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
