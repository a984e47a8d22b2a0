import type { JsMsg } from '@nats-io/jetstream';
import { type CloudEvent, checkEvent, formatIssues, type MessageType } from '@ocp/contracts';
import type { Logger } from 'pino';
import type { DeadLetters } from './dead-letter.ts';
import { PermanentError, TransientError } from './errors.ts';
import { childTraceparent } from './trace.ts';
import type { BusHooks, DeliveryContext, DurableSpec, HandledOutcome } from './types.ts';

/** A checked message of a handled type, with what its handler is given. */
export interface Admitted<T extends MessageType> {
  m: JsMsg;
  event: CloudEvent<T>;
  delivery: DeliveryContext;
}

export type Settlement = { outcome: 'dead_letter' } | { outcome: 'retry'; delayMs: number };

/** What both kinds of consumer do with a message around their handler. */
export interface Delivery<T extends MessageType> {
  log: Logger;
  report(type: string, outcome: HandledOutcome, ms: number): void;
  /**
   * Parses and checks a message. One that fails its schema, or comes past the delivery limit, is
   * dead-lettered; one of a type this consumer does not handle is acked; both return undefined.
   */
  admit(m: JsMsg, started: number): Promise<Admitted<T> | undefined>;
  /** Settles a message whose handler failed: dead-lettered for good, or redelivered after a delay. */
  settleFailure(m: JsMsg, err: unknown): Promise<Settlement>;
  /** Tells JetStream the messages are still being worked on until the returned function is called. */
  keepAlive(msgs: readonly JsMsg[]): () => void;
}

export interface DeliveryDeps {
  logger: Logger;
  deadLetters: DeadLetters;
  hooks?: BusHooks | undefined;
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
    return {
      m,
      event: event as CloudEvent<T>,
      delivery: {
        deliveryCount: attempt,
        traceparent: childTraceparent(m.headers?.get('traceparent')),
        subject: m.subject,
        working: () => m.working(),
      },
    };
  }

  async function settleFailure(m: JsMsg, err: unknown): Promise<Settlement> {
    const attempt = m.info.deliveryCount;
    if (err instanceof PermanentError || (maxDeliver > 0 && attempt >= maxDeliver)) {
      return await deadLetter(m, err instanceof Error ? err.message : String(err));
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

  return { log, report, admit, settleFailure, keepAlive };
}
