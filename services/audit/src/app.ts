import { fileURLToPath } from 'node:url';
import { defineService, type Logger, type RunningService, runService } from '@ocp/service-kit';
import { checkpointStream } from './checkpoint-stream.ts';
import { checkpointer } from './checkpointer.ts';
import { type AuditConfig, checkConfig, configSchema } from './config.ts';
import { runtimeGrants } from './db/grants.ts';
import { loadCheckpointKeys, publicKeyText } from './domain/checkpoint.ts';
import { AUDITED_STREAMS, auditedTypes } from './domain/entry.ts';
import { appendHandler } from './handlers/append.ts';
import type { HandlerContext } from './handlers/context.ts';
import { queryHandler } from './handlers/query.ts';
import { verifyHandler } from './handlers/verify.ts';
import { registerAuditMetrics } from './metrics.ts';

/** Room in a NATS message for the reply's headers. */
const REPLY_HEADROOM_BYTES = 16 * 1024;
/** How long a checkpoint read or publish waits for JetStream. */
const CHECKPOINT_TIMEOUT_MS = 5000;

/**
 * The audit service: the query and verify methods, and one batch consumer per audited stream,
 * each starting from the first event the stream still holds (its durable remembers where it is).
 */
export const auditService = defineService({
  name: 'audit',
  configSchema,
  checkConfig,
  migrations: fileURLToPath(new URL('./db/migrations', import.meta.url)),
  grants: runtimeGrants,
  poolMax: (c) => c.DB_POOL_MAX,
  async start(rt) {
    const { AUDIT_CHECKPOINT_KEY: key, AUDIT_CHECKPOINT_TRUSTED_KEYS: trusted } = rt.config;
    const keys = key === undefined ? undefined : loadCheckpointKeys(key, trusted);
    const ctx: HandlerContext = {
      pool: rt.pool,
      config: rt.config,
      logger: rt.logger,
      metrics: registerAuditMetrics(rt.registry, rt.pool),
      maxReplyBytes: (rt.nats.nc.info?.max_payload ?? 1024 * 1024) - REPLY_HEADROOM_BYTES,
      ...(keys
        ? { anchor: { keys, stream: checkpointStream(rt.bus.js, { timeoutMs: CHECKPOINT_TIMEOUT_MS }) } }
        : {}),
    };
    if (ctx.anchor) {
      const { keys: k, stream } = ctx.anchor;
      rt.logger.info(
        { keyId: k.keyId, publicKey: publicKeyText(k.publicKey), stream: stream.name },
        'audit checkpoints are signed with this key',
      );
      const cp = checkpointer({
        pool: rt.pool,
        keys: k,
        stream,
        logger: rt.logger,
        metrics: ctx.metrics,
        chunkSize: rt.config.VERIFY_CHUNK_SIZE,
      });
      cp.startEvery(rt.config.AUDIT_CHECKPOINT_INTERVAL_MS);
      // In the work phase: after the consumers stopped appending, before NATS drains.
      rt.onClose('audit checkpoints', 'work', () => cp.stop());
    } else {
      rt.logger.warn(
        'AUDIT_CHECKPOINT_KEY is not set: the audit log is not anchored outside its database, and verify says so',
      );
    }
    rt.bus.serve('audit.query.v1', queryHandler(ctx));
    rt.bus.serve('audit.verify.v1', verifyHandler(ctx));
    for (const { durable, stream } of AUDITED_STREAMS) {
      await rt.bus.consumeBatch(
        {
          durable,
          stream,
          types: auditedTypes(stream),
          deliverFrom: 'all',
          batchSize: rt.config.APPEND_BATCH_SIZE,
          maxWaitMs: rt.config.APPEND_BATCH_WAIT_MS,
          ackWaitMs: rt.config.ACK_WAIT_MS,
          // An audit event is never given up: a failing append is retried until the database takes it.
          maxDeliver: -1,
        },
        appendHandler(ctx, durable),
      );
    }
  },
});

/** A started audit service: its logger, bus, port and close. */
export type AuditService = RunningService<AuditConfig, void>;

/** Starts the audit service with a parsed config (as `main` does, without the process wiring). */
export async function startAuditService(config: AuditConfig, logger?: Logger): Promise<AuditService> {
  return await runService(auditService, config, logger ? { logger } : {});
}
