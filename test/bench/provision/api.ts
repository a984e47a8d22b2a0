import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { messages, streams } from '@ocp/contracts';
import type { Platform } from '../../support/platform.ts';
import type { Batch } from './baseline.ts';
import { runConcurrently } from './stats.ts';

export const ACTIVATED_SUBJECT = messages['ocp.tenant.activated.v1'].subject;

/** When (performance.now()) an independent subscriber received each tenant's activation. */
export interface ActivationWatch {
  activated(tenantId: string, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * An ordered JetStream consumer of `events.tenant.activated.v1` on its own connection, as another
 * system would follow tenants (as the observer: `env.natsAs('observer')`). The receipt time is
 * taken before the message is parsed.
 */
export async function watchActivations(nats: ConnectionOptions): Promise<ActivationWatch> {
  const nc = await connect({ ...nats, name: 'ocp-bench-watch' });
  const consumer = await jetstream(nc).consumers.get(streams.tenantEvents.name, {
    filter_subjects: ACTIVATED_SUBJECT,
    deliver_policy: DeliverPolicy.New,
  });
  const iter = await consumer.consume();
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const loop = (async () => {
    for await (const m of iter) {
      const at = performance.now();
      const tenantId = m.json<{ subject?: string }>().subject;
      if (!tenantId) continue;
      const resolve = waiting.get(tenantId);
      if (resolve) resolve(at);
      else arrived.set(tenantId, at);
    }
  })();

  return {
    activated(tenantId, timeoutMs) {
      const at = arrived.get(tenantId);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(tenantId);
          reject(new Error(`tenant ${tenantId} was not activated within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(tenantId, (t) => {
          clearTimeout(timer);
          waiting.delete(tenantId);
          resolve(t);
        });
      });
    },
    async close() {
      await iter.close();
      await loop;
      await nc.close();
    },
  };
}

/** One tenant created through the API; times from performance.now(), wall times from Date.now(). */
export interface ApiSample {
  databaseName: string;
  operationId: string;
  postedAt: number;
  acceptedAt: number;
  activatedAt: number;
  postedWall: number;
  activatedWall: number;
  /** The operation as the API answers once it ended (`startedAt`, `finishedAt`). */
  operation: { state: string; startedAt: string | null; finishedAt: string | null };
}

export interface ApiBatch extends Batch {
  tenants: ApiSample[];
}

/** Creates tenants through `POST /api/v1/tenants`, `concurrency` at a time, each timed to `active`. */
export function apiSide(
  p: Platform,
  watch: ActivationWatch,
  concurrency: number,
  extraBody: Record<string, unknown> = {},
  timeoutMs = 120_000,
) {
  let seq = 0;
  return {
    async run(count: number): Promise<ApiBatch> {
      const tenants: ApiSample[] = [];
      const wallMs = await runConcurrently(count, concurrency, async () => {
        const slug = `bench-${String(seq++).padStart(4, '0')}`;
        const postedWall = Date.now();
        const postedAt = performance.now();
        const res = await p.api.call('POST', '/api/v1/tenants', {
          slug,
          displayName: `Bench ${slug}`,
          ...extraBody,
        });
        const acceptedAt = performance.now();
        if (res.status !== 202)
          throw new Error(`POST /api/v1/tenants: ${res.status} ${JSON.stringify(res.body)}`);
        const operationId: string = res.body.operation.id;
        const activatedAt = await watch.activated(res.body.tenant.id, timeoutMs).catch(async (e: unknown) => {
          const op = await p.api.call('GET', `/api/v1/operations/${operationId}`);
          throw new Error(`${(e as Error).message}; operation: ${JSON.stringify(op.body)}`, { cause: e });
        });
        tenants.push({
          databaseName: res.body.tenant.databaseName,
          operationId,
          postedAt,
          acceptedAt,
          activatedAt,
          postedWall,
          // On the wall clock through the monotonic one: the receipt time, not when this code resumed.
          activatedWall: postedWall + (activatedAt - postedAt),
          operation: { state: 'unknown', startedAt: null, finishedAt: null },
        });
      });
      // Read after the batch, so that reading them costs the measured tenants nothing.
      await runConcurrently(tenants.length, concurrency, async (i) => {
        const t = tenants[i]!;
        t.operation = (await p.api.call('GET', `/api/v1/operations/${t.operationId}`)).body;
      });
      return { samples: tenants.map((t) => t.activatedAt - t.postedAt), wallMs, tenants };
    },
  };
}
