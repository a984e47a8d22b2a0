import type { JsMsg } from '@nats-io/jetstream';
import type { MessageType } from '@ocp/contracts';
import { context } from '@opentelemetry/api';
import { type Admitted, type DeliveryDeps, delivery } from './delivery.ts';
import type { Supervisor } from './supervise.ts';
import { endSpan } from './trace.ts';
import type { BatchConsumerSpec, BatchHandler, Consumption } from './types.ts';

/** Hands a durable consumer's events to a handler in batches, one batch at a time. */
export interface BatchConsumer {
  /**
   * Pulls up to `batchSize` messages, or what came within `maxWaitMs` of the first, checks each (one
   * that fails its schema is terminated and dead-lettered), and hands the valid ones to the handler
   * in one call; then acks them all, or on failure has them all redelivered. When the failure is
   * permanent, each event is handled again alone, so only the ones at fault are dead-lettered.
   */
  consumeBatch<T extends MessageType>(
    spec: BatchConsumerSpec<T>,
    handler: BatchHandler<T>,
  ): Promise<Consumption>;
}

const EXPIRED = Symbol('expired');
const HAND_BACK_DELAY_MS = 300;

export function batchConsumer(sup: Supervisor, deps: DeliveryDeps): BatchConsumer {
  return {
    async consumeBatch<T extends MessageType>(spec: BatchConsumerSpec<T>, handler: BatchHandler<T>) {
      const batchSize = spec.batchSize ?? 500;
      const maxWaitMs = spec.maxWaitMs ?? 50;
      // Room for the batch in hand and the next one, pulled while this one is handled.
      const maxAckPending = Math.max(100, batchSize * 2);
      await sup.ensureDurable(spec, maxAckPending);
      const kit = delivery(spec, deps);

      /** One event of a batch that failed for good, handled in a batch of its own. */
      async function handleAlone(a: Admitted<T>): Promise<void> {
        const started = performance.now();
        let failure: unknown;
        try {
          await context.with(a.context, () =>
            handler([a.event], { deliveries: [a.delivery], working: () => a.m.working() }),
          );
          a.m.ack();
          kit.report(a.event.type, 'ack', performance.now() - started);
        } catch (err) {
          failure = err;
          await kit.settleEventFailure(a.m, a.event, err, started, a.delivery.traceparent);
        } finally {
          endSpan(a.span, failure);
        }
      }

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
        // Each message has its span, in its own trace; the batch's work runs in none of them, and
        // what the handler writes for one event carries that event's `delivery.traceparent`.
        let spansEnded = false;
        const endSpans = (err?: unknown) => {
          for (const a of admitted) endSpan(a.span, err);
          spansEnded = true;
        };
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
          endSpans();
          // The hooks count messages: each gets its share of the batch's time.
          const each = (performance.now() - started) / admitted.length;
          for (const a of admitted) kit.report(a.event.type, 'ack', each);
        } catch (err) {
          if (admitted.length > 1 && kit.kindOf(err).kind === 'permanent') {
            // One event the database can never take must not take the others with it: each is
            // handled alone, so only the one that fails again is dead-lettered.
            kit.log.warn(
              { err, size: admitted.length },
              'batch handler failed for good; handling its events one at a time to find the one at fault',
            );
            spansEnded = true;
            for (const a of admitted) await handleAlone(a);
            return;
          }
          endSpans(err);
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
          if (!spansEnded) endSpans();
        }
      }

      return sup.supervise(
        spec,
        kit.log,
        { maxMessages: batchSize * 2, maxAckPending },
        async (iter, stopped) => {
          const it = iter[Symbol.asyncIterator]();
          // A pull for the next message can outlive the batch that asked for it (the wait ran out
          // first); it is kept for the next batch, so no message is dropped between two batches.
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
        },
      );
    },
  };
}
