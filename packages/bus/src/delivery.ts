import type { JsMsg } from '@nats-io/jetstream';
import { type CloudEvent, checkEvent, formatIssues, type MessageType } from '@ocp/contracts';
import { type Context, type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { DeadLetters } from './dead-letter.ts';
import { PermanentError, TransientError } from './errors.ts';
import { extractMessageContext, startMessageSpan, traceIdOf, traceparentOf } from './trace.ts';
import type { BusHooks, DeliveryContext, DurableSpec, HandledOutcome } from './types.ts';

/** A checked message of a handled type, with what its handler is given. */
export interface Admitted<T extends MessageType> {
  m: JsMsg;
  event: CloudEvent<T>;
  delivery: DeliveryContext;
  /**
   * The span of its handling (`process <subject>`, CONSUMER), child of the publisher's span; the
   * consumer ends it. `delivery.traceparent` is this span's.
   */
  span: Span;
  /** The context the handler of this one message runs in. */
  context: Context;
}

export type Settlement = { outcome: 'dead_letter' } | { outcome: 'retry'; delayMs: number };

/** What both kinds of consumer do with a message around their handler. */
export interface Delivery<T extends MessageType> {
  log: Logger;
  report(type: string, outcome: HandledOutcome, ms: number): void;
  /**
   * Parses and checks a message, and starts the span of its handling. One that fails its schema, or comes past the delivery limit, is
   * dead-lettered; one of a type this consumer does not handle is acked; both return undefined.
   */
  admit(m: JsMsg, started: number): Promise<Admitted<T> | undefined>;
  /**
   * Settles a message whose handler failed: dead-lettered for good, or redelivered after a delay.
   * A permanent failure is dead-lettered at once; a transient one is redelivered up to `maxDeliver`
   * (without end under -1); one of unknown kind up to `maxDeliver`, or `UNKNOWN_FAILURE_LIMIT` under -1.
   */
  settleFailure(m: JsMsg, err: unknown): Promise<Settlement>;
  /** Settles one event whose handler failed (as `settleFailure`), then logs and reports the outcome. */
  settleEventFailure(
    m: JsMsg,
    event: CloudEvent,
    err: unknown,
    started: number,
    traceparent?: string,
  ): Promise<void>;
  /** The kind of a handler's failure (see `FailureClassifier`). */
  kindOf(err: unknown): FailureKind;
  /** Tells JetStream the messages are still being worked on until the returned function is called. */
  keepAlive(msgs: readonly JsMsg[]): () => void;
}

/**
 * Says what kind of failure an error is, beyond the bus's own `TransientError` and `PermanentError`:
 * `transient` (it may pass: redelivered for as long as the consumer allows, without end under
 * `maxDeliver: -1`), `permanent` with why (it never passes for this message: dead-lettered at once),
 * or undefined when it cannot tell (redelivered up to a bound, then dead-lettered). A service gives
 * its database's classifier, so a value PostgreSQL refuses is not redelivered for ever.
 */
export type FailureClassifier = (
  err: unknown,
) => { kind: 'transient' } | { kind: 'permanent'; reason: string } | undefined;

/** What a failed delivery is, for the retry policy. */
export type FailureKind = { kind: 'transient' | 'unknown' } | { kind: 'permanent'; reason: string };

/**
 * Deliveries of a message whose handler fails for a reason nobody can classify, under
 * `maxDeliver: -1`: a bug or bad data is not retried for ever, a known transient failure is.
 */
export const UNKNOWN_FAILURE_LIMIT = 20;

export interface DeliveryDeps {
  logger: Logger;
  /** Makes the span of each message handled. */
  tracer: Tracer;
  deadLetters: DeadLetters;
  hooks?: BusHooks | undefined;
  classifyFailure?: FailureClassifier | undefined;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The kind of a handler's failure: the bus's own error classes first, then the service's classifier. */
export function failureKind(err: unknown, classify?: FailureClassifier): FailureKind {
  if (err instanceof PermanentError) return { kind: 'permanent', reason: messageOf(err) };
  if (err instanceof TransientError) return { kind: 'transient' };
  const c = classify?.(err);
  if (c?.kind === 'permanent') return { kind: 'permanent', reason: `${messageOf(err)}: ${c.reason}` };
  return c ?? { kind: 'unknown' };
}

const dec = new TextDecoder();

/** The checks and settlements of one consumer's messages. */
export function delivery<T extends MessageType>(spec: DurableSpec<T>, deps: DeliveryDeps): Delivery<T> {
  const delays = spec.retryDelaysMs ?? [250, 1000, 5000, 15000];
  const maxDeliver = spec.maxDeliver ?? 20;
  const ackWaitMs = spec.ackWaitMs ?? 30_000;
  const accepted = new Set<string>(spec.types);
  const log = deps.logger.child({ consumer: spec.durable });
  const report = (type: string, outcome: HandledOutcome, ms: number) =>
    deps.hooks?.onHandled?.(spec.durable, type, outcome, ms);
  const retryDelay = (attempt: number) => delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000;

  /**
   * Terminates the message once its dead letter is stored. If it cannot be stored, the message is
   * kept: redelivered after a delay, to be tried again, so no message is dropped without its record.
   */
  async function deadLetter(m: JsMsg, reason: string): Promise<Settlement> {
    try {
      await deps.deadLetters.store(spec.durable, m, reason);
    } catch (err) {
      const delayMs = retryDelay(m.info.deliveryCount);
      log.error(
        { err, subject: m.subject, seq: m.seq, reason, retryInMs: delayMs },
        'could not store a dead letter; the message is kept and will be redelivered',
      );
      m.nak(delayMs);
      return { outcome: 'retry', delayMs };
    }
    // No reason on the term: servers before 2.10 ignore `+TERM <reason>` and redeliver the message.
    // The reason is in the dead letter.
    m.term();
    return { outcome: 'dead_letter' };
  }

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
      log.error({ subject: m.subject, seq: m.seq, reason }, 'a message fails its schema; dead-lettering it');
      const settled = await deadLetter(m, reason);
      report('unknown', settled.outcome, performance.now() - started);
      return undefined;
    }
    const event = check.event;
    if (!accepted.has(event.type)) {
      m.ack();
      report(event.type, 'ignored', performance.now() - started);
      return undefined;
    }
    const attempt = m.info.deliveryCount;
    if (maxDeliver > 0 && attempt > maxDeliver) {
      // Its last failure could not be dead-lettered, or its handler never finished (a crash, a hang).
      const reason = `delivered ${attempt} times, past the limit of ${maxDeliver}; the handler failed or did not finish each time`;
      log.error({ subject: m.subject, seq: m.seq, eventId: event.id, reason }, 'dead-lettering a message');
      const settled = await deadLetter(m, reason);
      report(event.type, settled.outcome, performance.now() - started);
      return undefined;
    }
    const { span, context } = startMessageSpan(
      deps.tracer,
      'process',
      SpanKind.CONSUMER,
      m.subject,
      extractMessageContext(m.headers),
      {
        'messaging.consumer.group.name': spec.durable,
        'messaging.message.id': event.id,
        'cloudevents.event_id': event.id,
        'cloudevents.event_type': event.type,
        ...(event.subject ? { 'cloudevents.event_subject': event.subject } : {}),
        'messaging.nats.delivery_count': attempt,
      },
    );
    return {
      m,
      event: event as CloudEvent<T>,
      delivery: {
        deliveryCount: attempt,
        traceparent: traceparentOf(context, m.headers?.get('traceparent')),
        subject: m.subject,
        working: () => m.working(),
      },
      span,
      context,
    };
  }

  const kindOf = (err: unknown) => failureKind(err, deps.classifyFailure);

  async function settleFailure(m: JsMsg, err: unknown): Promise<Settlement> {
    const attempt = m.info.deliveryCount;
    const failure = kindOf(err);
    if (failure.kind === 'permanent') return await deadLetter(m, failure.reason);
    const limit = maxDeliver > 0 ? maxDeliver : failure.kind === 'unknown' ? UNKNOWN_FAILURE_LIMIT : 0;
    if (limit > 0 && attempt >= limit) {
      const why = failure.kind === 'unknown' ? 'failed for a reason not known to pass' : 'failed';
      return await deadLetter(m, `${messageOf(err)} (${why} ${attempt} times, the limit of ${limit})`);
    }
    const delayMs =
      err instanceof TransientError && err.retryAfterMs !== undefined
        ? err.retryAfterMs
        : retryDelay(attempt);
    m.nak(delayMs);
    return { outcome: 'retry', delayMs };
  }

  function keepAlive(msgs: readonly JsMsg[]): () => void {
    const timer = setInterval(
      () => {
        for (const m of msgs) m.working();
      },
      Math.max(1000, ackWaitMs / 3),
    );
    return () => clearInterval(timer);
  }

  async function settleEventFailure(
    m: JsMsg,
    event: CloudEvent,
    err: unknown,
    started: number,
    traceparent?: string,
  ): Promise<void> {
    const logCtx = {
      err,
      type: event.type,
      eventId: event.id,
      subject: event.subject,
      attempt: m.info.deliveryCount,
      ...(traceparent ? { traceId: traceIdOf(traceparent) } : {}),
    };
    const settled = await settleFailure(m, err);
    if (settled.outcome === 'dead_letter') {
      log.error(logCtx, 'handler failed for good; dead-lettered the message');
    } else {
      log.warn({ ...logCtx, retryInMs: settled.delayMs }, 'handler failed; the message will be redelivered');
    }
    report(event.type, settled.outcome, performance.now() - started);
  }

  return { log, report, admit, settleFailure, settleEventFailure, kindOf, keepAlive };
}
