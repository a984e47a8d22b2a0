import type { MessageDataMap } from '@ocp/contracts';
import { enqueueEvent, type PoolClient } from '@ocp/db';
import { type OperationRow, type TenantRow, toTenant } from '../db/rows.ts';
import { setTenantState, updateOperation } from '../db/store.ts';
import type { DbServerAdmin } from '../dbserver/admin.ts';
import type { TenantState } from '../domain/lifecycle.ts';
import type { HandlerContext } from './context.ts';

/** What every operation runner is given: the operation, its tenant as claimed, and the stop. */
export interface RunContext extends HandlerContext {
  op: OperationRow;
  tenant: TenantRow;
  traceparent: string;
  /** Aborted when the worker stops: a runner checks it between steps, and stops there. */
  signal: AbortSignal;
}

export type Runner = (rc: RunContext) => Promise<void>;

/** Lifecycle event types, each carrying the tenant and the operation that moved it. */
type TransitionType = {
  [T in keyof MessageDataMap]: MessageDataMap[T] extends { tenant: unknown; operationId: string } ? T : never;
}[keyof MessageDataMap];
type TransitionExtra<T extends TransitionType> = Omit<MessageDataMap[T], 'tenant' | 'operationId'>;

/**
 * Moves the tenant to `state` and queues the event that says so, in the caller's transaction:
 * the change and its event commit together or not at all.
 */
export async function transition<T extends TransitionType>(
  client: PoolClient,
  rc: RunContext,
  state: TenantState,
  type: T,
  extra: TransitionExtra<T>,
  change: Parameters<typeof setTenantState>[3] = {},
): Promise<void> {
  const next = await setTenantState(client, rc.tenant.id, state, change);
  const data = { ...extra, tenant: toTenant(next), operationId: rc.op.id } as MessageDataMap[T];
  await enqueueEvent(client, type, { subject: next.id, data, traceparent: rc.traceparent });
}

/** Marks the operation running (the worker counted the attempt when it claimed it). */
export const start = (client: PoolClient, rc: RunContext, progress: number, step: string) =>
  updateOperation(client, rc.op.id, { state: 'running', progress, step });

/** Ends the operation in the same transaction as the tenant change it made. */
export const finish = (client: PoolClient, rc: RunContext) =>
  updateOperation(client, rc.op.id, { state: 'succeeded', progress: 100, step: 'done', error: null });

export async function adminFor(rc: RunContext): Promise<DbServerAdmin | undefined> {
  return rc.tenant.database_server_id ? await rc.servers.admin(rc.tenant.database_server_id) : undefined;
}
