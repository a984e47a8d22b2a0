import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import type { CheckpointStream } from '../checkpoint-stream.ts';
import type { AuditConfig } from '../config.ts';
import type { CheckpointKeys } from '../domain/checkpoint.ts';
import type { AuditMetrics } from '../metrics.ts';

/** What every handler of the audit service is given. */
export interface HandlerContext {
  pool: Pool;
  config: AuditConfig;
  logger: Logger;
  metrics: AuditMetrics;
  /** The largest reply NATS carries, less room for headers: a page of entries stops before it. */
  maxReplyBytes: number;
  /** The checkpoint key and stream; absent when no key is configured (the log is not anchored). */
  anchor?: { keys: CheckpointKeys; stream: CheckpointStream };
}
