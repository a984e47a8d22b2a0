import type { JsMsg } from '@nats-io/jetstream';
import type { MessageType } from '@ocp/contracts';
import { context } from '@opentelemetry/api';
import { type DeliveryDeps, delivery } from './delivery.ts';
import type { Supervisor } from './supervise.ts';
import { endSpan } from './trace.ts';
import type { ConsumerSpec, Consumption, EventHandler } from './types.ts';

/** Hands a durable consumer's events to a handler, one event per call. */
export interface EventConsumer {
  consume<T extends MessageType>(spec: ConsumerSpec<T>, handler: EventHandler<T>): Promise<Consumption>;
}

export function eventConsumer(sup: Supervisor, deps: DeliveryDeps): EventConsumer {
  return {
    async consume<T extends MessageType>(spec: ConsumerSpec<T>, handler: EventHandler<T>) {
      const concurrency = spec.concurrency ?? 1;
      const maxAckPending = Math.max(100, concurrency * 4);
      await sup.ensureDurable(spec, maxAckPending);
      const kit = delivery(spec, deps);
      const inflight = new Set<Promise<void>>();

      async function handle(m: JsMsg): Promise<void> {
        const started = performance.now();
        const admitted = await kit.admit(m, started);
        if (!admitted) return;
        const { event, delivery: ctx, span } = admitted;
        const stopKeepAlive = kit.keepAlive([m]);
        let failure: unknown;
        try {
          // In the message's span: what the handler publishes or requests continues its trace.
          await context.with(admitted.context, () => handler(event, ctx));
          m.ack();
          kit.report(event.type, 'ack', performance.now() - started);
        } catch (err) {
          failure = err;
          await kit.settleEventFailure(m, event, err, started, ctx.traceparent);
        } finally {
          stopKeepAlive();
          endSpan(span, failure);
        }
      }

      return sup.supervise(
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
    },
  };
}
