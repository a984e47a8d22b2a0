import { type EventHandler, PermanentError, TransientError } from '@ocp/bus';
import type { MessageDataMap } from '@ocp/contracts';
import { type PoolClient, withTransaction } from '@ocp/db';
import { type OperationRow, type TenantRow, toTenant } from '../db/rows.ts';
import { passwordPlace } from '../db/sealed.ts';
import { emit, lockTenant, setTenantState, updateOperation } from '../db/store.ts';
import type { DbServerAdmin } from '../dbserver/admin.ts';
import { isTransientDbError } from '../dbserver/errors.ts';
import {
  addReason,
  clearReason,
  type OperationKind,
  type SuspensionReason,
  type TenantState,
} from '../domain/lifecycle.ts';
import { openSecret } from '../domain/secrets.ts';
import { applyHeldBillingDecisions } from './billing-decisions.ts';
import type { HandlerContext } from './context.ts';

interface RunContext extends HandlerContext {
  op: OperationRow;
  tenant: TenantRow;
  traceparent: string;
}

type Runner = (rc: RunContext) => Promise<void>;

/** Lifecycle event types, each carrying the tenant and the operation that moved it. */
type TransitionType = {
  [T in keyof MessageDataMap]: MessageDataMap[T] extends { tenant: unknown; operationId: string } ? T : never;
}[keyof MessageDataMap];
type TransitionExtra<T extends TransitionType> = Omit<MessageDataMap[T], 'tenant' | 'operationId'>;

/**
 * Moves the tenant to `state` and queues the event that says so, in the caller's transaction:
 * the change and its event commit together or not at all.
 */
async function transition<T extends TransitionType>(
  client: PoolClient,
  rc: RunContext,
  state: TenantState,
  type: T,
  extra: TransitionExtra<T>,
  change: Parameters<typeof setTenantState>[3] = {},
): Promise<void> {
  const next = await setTenantState(client, rc.tenant.id, state, change);
  const data = { ...extra, tenant: toTenant(next), operationId: rc.op.id } as MessageDataMap[T];
  await emit(
    client,
    [{ type, subject: next.id, data } as Parameters<typeof emit>[1][number]],
    rc.traceparent,
  );
}

/** Marks the operation running for this attempt. */
const start = (client: PoolClient, rc: RunContext, progress: number, step: string) =>
  updateOperation(client, rc.op.id, { state: 'running', progress, step, attempt: true });

/** Ends the operation in the same transaction as the tenant change it made. */
const finish = (client: PoolClient, rc: RunContext) =>
  updateOperation(client, rc.op.id, { state: 'succeeded', progress: 100, step: 'done', error: null });

async function adminFor(rc: RunContext): Promise<DbServerAdmin | undefined> {
  return rc.tenant.database_server_id ? await rc.servers.admin(rc.tenant.database_server_id) : undefined;
}

const provision: Runner = async (rc) => {
  const admin = await adminFor(rc);
  if (!admin) throw new PermanentError('the tenant has no database server');
  const name = rc.tenant.database_name;
  // Recording the start, making the role and cloning the template do not wait for one another:
  // the clone is most of the time, and every step is safe to repeat after a failure of another.
  const steps = await Promise.allSettled([
    withTransaction(rc.pool, async (client) => {
      const t = await lockTenant(client, rc.tenant.id);
      if (t?.state === 'pending' || t?.state === 'failed') {
        await transition(client, rc, 'provisioning', 'ocp.tenant.provisioning.v1', {}, { lastError: null });
      }
      await start(client, rc, 10, 'creating the role and the database');
    }),
    admin.ensureRole(
      name,
      openSecret(rc.secrets, rc.tenant.db_password_sealed, passwordPlace(rc.tenant.id)),
      rc.tenant.id,
    ),
    admin.ensureDatabase(name, rc.config.TENANT_TEMPLATE_DB, rc.tenant.id),
  ]);
  // All settle before a failure is handled, so the start is on record before the failure is.
  const failed = steps.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  await admin.secure(name, name, rc.tenant.id);
  await withTransaction(rc.pool, async (client) => {
    const t = await lockTenant(client, rc.tenant.id);
    if (t?.state === 'provisioning') {
      await transition(client, rc, 'active', 'ocp.tenant.activated.v1', {});
      await applyHeldBillingDecisions(client, rc, rc.tenant.id, rc.traceparent);
    }
    await finish(client, rc);
  });
};

const suspend: Runner = async (rc) => {
  const reason: SuspensionReason | undefined = rc.op.params.reason;
  if (!reason) throw new PermanentError('a suspension needs a reason');
  await withTransaction(rc.pool, (c) => start(c, rc, 30, 'refusing new connections'));
  // Locking first and recording after: a crash in between locks again, which changes nothing.
  await (await adminFor(rc))?.lock(rc.tenant.database_name);
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    const { reasons, changed } = addReason(t.suspension_reasons, reason);
    if (changed)
      await transition(client, rc, 'suspended', 'ocp.tenant.suspended.v1', { reason }, { reasons });
    await finish(client, rc);
  });
};

const resume: Runner = async (rc) => {
  const reason: SuspensionReason | undefined = rc.op.params.reason;
  if (!reason) throw new PermanentError('a resumption needs a reason');
  await withTransaction(rc.pool, (c) => start(c, rc, 30, 'clearing the reason'));
  if (clearReason(rc.tenant.suspension_reasons, reason).unlock) {
    await (await adminFor(rc))?.unlock(rc.tenant.database_name);
  }
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    const { reasons, changed, unlock } = clearReason(t.suspension_reasons, reason);
    if (changed && unlock) {
      await transition(client, rc, 'active', 'ocp.tenant.resumed.v1', { reason }, { reasons });
    } else if (changed) {
      await transition(
        client,
        rc,
        'suspended',
        'ocp.tenant.suspension_reason_cleared.v1',
        { reason },
        { reasons },
      );
    }
    await finish(client, rc);
  });
};

const remove: Runner = async (rc) => {
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    if (t.state !== 'deleting' && t.state !== 'deleted') {
      await transition(client, rc, 'deleting', 'ocp.tenant.deleting.v1', {});
    }
    await start(client, rc, 30, 'dropping the database and the role');
  });
  await (await adminFor(rc))?.drop(rc.tenant.database_name, rc.tenant.database_name, rc.tenant.id);
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    if (t.state !== 'deleted')
      await transition(client, rc, 'deleted', 'ocp.tenant.deleted.v1', {}, { deleted: true });
    await finish(client, rc);
  });
};

const runners: Record<OperationKind, Runner> = {
  'tenant.provision': provision,
  'tenant.suspend': suspend,
  'tenant.resume': resume,
  'tenant.delete': remove,
};

/** Marks the operation failed; a failed provisioning leaves the tenant `failed` (retryable). */
async function fail(rc: RunContext, message: string): Promise<void> {
  await withTransaction(rc.pool, async (client) => {
    await updateOperation(client, rc.op.id, { state: 'failed', error: message });
    if (rc.op.kind !== 'tenant.provision') return;
    const t = await lockTenant(client, rc.tenant.id);
    if (t?.state === 'provisioning' || t?.state === 'pending') {
      await transition(
        client,
        rc,
        'failed',
        'ocp.tenant.provisioning_failed.v1',
        { error: message },
        { lastError: message },
      );
    }
  });
}

/**
 * The operation, its tenant, and whether an older operation of the tenant is still open (it must
 * finish first), in one round trip.
 */
async function loadOperation(ctx: HandlerContext, id: string) {
  const { rows } = await ctx.pool.query<{ op: OperationRow; tenant: TenantRow; blocked: boolean }>(
    `SELECT to_jsonb(o) AS op, to_jsonb(t) AS tenant,
       EXISTS (SELECT 1 FROM operations e WHERE e.tenant_id = o.tenant_id AND e.state IN ('queued', 'running')
               AND (e.created_at, e.id) < (o.created_at, o.id)) AS blocked
     FROM operations o JOIN tenants t ON t.id = o.tenant_id WHERE o.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { op: reviveDates(row.op), tenant: reviveDates(row.tenant), blocked: row.blocked };
}

/** Rows read as JSON carry their timestamps as text; the row types want Dates. */
function reviveDates<T extends object>(row: T): T {
  const out = { ...row } as Record<string, unknown>;
  for (const key of ['created_at', 'updated_at', 'started_at', 'finished_at', 'deleted_at']) {
    if (typeof out[key] === 'string') out[key] = new Date(out[key] as string);
  }
  return out as T;
}

/**
 * `work.tenant.operation.run.v1`: runs an operation to its end. Operations of one tenant run one at
 * a time, oldest first; a redelivered command (after a crash) picks the work up where it stopped,
 * since every step can run twice.
 */
export function runOperationHandler(ctx: HandlerContext): EventHandler<'ocp.tenant.operation.run.v1'> {
  return async (event, delivery) => {
    const { operationId, tenantId } = event.data;
    const lockKey = `tenant-op:${tenantId}`;
    const lock = await ctx.pool.connect();
    try {
      const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        lockKey,
      ]);
      if (!rows[0]?.ok)
        throw new TransientError('another worker is running an operation of this tenant', 500);
      try {
        const found = await loadOperation(ctx, operationId);
        if (!found) throw new PermanentError(`operation ${operationId} does not exist`);
        const { op: fresh, tenant, blocked } = found;
        if (fresh.state === 'succeeded' || fresh.state === 'failed') return;
        if (blocked) throw new TransientError('an earlier operation of this tenant is still open', 200);
        const op = fresh;
        const rc: RunContext = { ...ctx, op: fresh, tenant, traceparent: delivery.traceparent };
        const log = ctx.logger.child({ tenantId: tenant.id, operationId: op.id, kind: op.kind });
        try {
          await runners[op.kind](rc);
          log.info('operation succeeded');
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          const attempts = fresh.attempts + 1;
          if (
            !(e instanceof PermanentError) &&
            isTransientDbError(e) &&
            attempts < ctx.config.WORK_MAX_ATTEMPTS
          ) {
            log.warn({ err: e, attempts }, 'operation step failed; it will be retried');
            await ctx.pool.query('UPDATE operations SET error = $2, updated_at = now() WHERE id = $1', [
              op.id,
              message.slice(0, 2000),
            ]);
            throw new TransientError(message, Math.min(500 * 2 ** attempts, 15_000), { cause: e });
          }
          log.error({ err: e, attempts }, 'operation failed');
          await fail(rc, message.slice(0, 2000));
        }
      } finally {
        await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
      }
    } finally {
      lock.release();
    }
  };
}
