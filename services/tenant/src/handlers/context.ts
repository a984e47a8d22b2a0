import type { RpcClient, Tracer } from '@ocp/bus';
import type { CloudEvent } from '@ocp/contracts';
import type { Pool } from '@ocp/db';
import type { OperationMetrics } from '@ocp/service-kit';
import type { Logger } from 'pino';
import type { TenantConfig } from '../config.ts';
import type { DbServers } from '../dbserver/registry.ts';
import type { Keyring } from '../domain/secrets.ts';
import type { AdminPasswordPool } from '../odoo/password-pool.ts';

/** What every handler of the tenant service is given. */
export interface HandlerContext {
  pool: Pool;
  servers: DbServers;
  config: TenantConfig;
  /** Seals and opens the secrets kept at rest (tenant passwords). */
  secrets: Keyring;
  /** Generated administrator passwords hashed ahead. */
  passwords: AdminPasswordPool;
  logger: Logger;
  /** Calls other services' request/reply methods (the backup service's final backup). */
  bus: RpcClient;
  /**
   * The service's tracer: an operation's run is a span of the trace that queued it (none when
   * absent; the run still carries that trace's id).
   */
  tracer?: Tracer;
  /**
   * Publishes a committed work command at once instead of waiting for the outbox relay, which
   * publishes it again under the same id (JetStream drops the copy). Only for work commands:
   * workers take a tenant's operations in order from the database, not from the stream, while
   * events must keep the outbox's order.
   */
  dispatch(command: CloudEvent): void;
  /** Counts operations that end outside the worker (a purge cancelled by an undelete). */
  operationMetrics?: OperationMetrics;
}
