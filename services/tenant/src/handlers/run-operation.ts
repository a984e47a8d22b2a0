import { type EventHandler, PermanentError, TransientError } from '@ocp/bus';
import { type PoolClient, withTransaction } from '@ocp/db';
import { type OperationRow, type TenantRow, toTenant } from '../db/rows.ts';
import {
  earlierOpenOperation,
  emit,
  getOperation,
  lockTenant,
  setTenantState,
  updateOperation,
} from '../db/store.ts';
import type { DbServerAdmin } from '../dbserver/admin.ts';
import { isTransientDbError } from '../dbserver/errors.ts';
import { addReason, clearReason, type OperationKind, type SuspensionReason } from '../domain/lifecycle.ts';
import { openSecret } from '../domain/secrets.ts';
import type { HandlerContext } from './context.ts';

interface RunContext extends HandlerContext {
  op: OperationRow;
  tenant: TenantRow;
  traceparent: string;
}

type Runner = (rc: RunContext) => Promise<void>;

async function adminFor(rc: RunContext): Promise<DbServerAdmin | undefined> {
  return rc.tenant.database_server_id ? await rc.servers.admin(rc.tenant.database_server_id) : undefined;
}

/** Ends the operation in the same transaction as the tenant change it made. */
async function finish(client: PoolClient, op: OperationRow): Promise<void> {
  await updateOperation(client, op.id, { state: 'succeeded', progress: 100, step: 'done', error: null });
}

const provision: Runner = async (rc) => {
  const { tenant, op } = rc;
  await withTransaction(rc.pool, async (client) => {
    const t = await lockTenant(client, tenant.id);
    if (t && (t.state === 'pending' || t.state === 'failed')) {
      const next = await setTenantState(client, t.id, 'provisioning', { lastError: null });
      await emit(
        client,
        [
          {
            type: 'ocp.tenant.provisioning.v1',
            subject: t.id,
            data: { tenant: toTenant(next), operationId: op.id },
          },
        ],
        rc.traceparent,
      );
    }
    await updateOperation(client, op.id, {
      state: 'running',
      progress: 10,
      step: 'creating the role and the database',
      attempt: true,
    });
  });
  const admin = await adminFor(rc);
  if (!admin) throw new PermanentError('the tenant has no database server');
  const role = tenant.database_name;
  await admin.ensureRole(role, openSecret(rc.secretsKey, tenant.db_password_sealed));
  await admin.ensureDatabase(tenant.database_name, rc.config.TENANT_TEMPLATE_DB, role);
  await admin.secure(tenant.database_name, role);
  await withTransaction(rc.pool, async (client) => {
    const t = await lockTenant(client, tenant.id);
    if (t?.state === 'provisioning') {
      const next = await setTenantState(client, t.id, 'active');
      await emit(
        client,
        [
          {
            type: 'ocp.tenant.activated.v1',
            subject: t.id,
            data: { tenant: toTenant(next), operationId: op.id },
          },
        ],
        rc.traceparent,
      );
    }
    await finish(client, op);
  });
};

const suspend: Runner = async (rc) => {
  const reason: SuspensionReason | undefined = rc.op.params.reason;
  if (!reason) throw new PermanentError('a suspension needs a reason');
  await withTransaction(rc.pool, (c) =>
    updateOperation(c, rc.op.id, {
      state: 'running',
      progress: 30,
      step: 'refusing new connections',
      attempt: true,
    }),
  );
  const admin = await adminFor(rc);
  // Locking first and recording after: a crash in between locks again, which changes nothing.
  await admin?.lock(rc.tenant.database_name);
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    const { reasons, changed } = addReason(t.suspension_reasons, reason);
    if (changed) {
      const next = await setTenantState(client, t.id, 'suspended', { reasons });
      await emit(
        client,
        [
          {
            type: 'ocp.tenant.suspended.v1',
            subject: t.id,
            data: { tenant: toTenant(next), operationId: rc.op.id, reason },
          },
        ],
        rc.traceparent,
      );
    }
    await finish(client, rc.op);
  });
};

const resume: Runner = async (rc) => {
  const reason: SuspensionReason | undefined = rc.op.params.reason;
  if (!reason) throw new PermanentError('a resumption needs a reason');
  await withTransaction(rc.pool, (c) =>
    updateOperation(c, rc.op.id, {
      state: 'running',
      progress: 30,
      step: 'clearing the reason',
      attempt: true,
    }),
  );
  const { unlock } = clearReason(rc.tenant.suspension_reasons, reason);
  if (unlock) await (await adminFor(rc))?.unlock(rc.tenant.database_name);
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    const cleared = clearReason(t.suspension_reasons, reason);
    if (cleared.changed) {
      const next = await setTenantState(client, t.id, cleared.unlock ? 'active' : 'suspended', {
        reasons: cleared.reasons,
      });
      const type = cleared.unlock ? 'ocp.tenant.resumed.v1' : 'ocp.tenant.suspension_reason_cleared.v1';
      await emit(
        client,
        [{ type, subject: t.id, data: { tenant: toTenant(next), operationId: rc.op.id, reason } }],
        rc.traceparent,
      );
    }
    await finish(client, rc.op);
  });
};

const remove: Runner = async (rc) => {
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    if (t.state !== 'deleting' && t.state !== 'deleted') {
      const next = await setTenantState(client, t.id, 'deleting');
      await emit(
        client,
        [
          {
            type: 'ocp.tenant.deleting.v1',
            subject: t.id,
            data: { tenant: toTenant(next), operationId: rc.op.id },
          },
        ],
        rc.traceparent,
      );
    }
    await updateOperation(client, rc.op.id, {
      state: 'running',
      progress: 30,
      step: 'dropping the database and the role',
      attempt: true,
    });
  });
  await (await adminFor(rc))?.drop(rc.tenant.database_name, rc.tenant.database_name);
  await withTransaction(rc.pool, async (client) => {
    const t = (await lockTenant(client, rc.tenant.id))!;
    if (t.state !== 'deleted') {
      const next = await setTenantState(client, t.id, 'deleted', { deleted: true });
      await emit(
        client,
        [
          {
            type: 'ocp.tenant.deleted.v1',
            subject: t.id,
            data: { tenant: toTenant(next), operationId: rc.op.id },
          },
        ],
        rc.traceparent,
      );
    }
    await finish(client, rc.op);
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
      const next = await setTenantState(client, t.id, 'failed', { lastError: message });
      await emit(
        client,
        [
          {
            type: 'ocp.tenant.provisioning_failed.v1',
            subject: t.id,
            data: { tenant: toTenant(next), operationId: rc.op.id, error: message },
          },
        ],
        rc.traceparent,
      );
    }
  });
}

/**
 * `work.tenant.operation.run.v1`: runs an operation to its end. Operations of one tenant run one at
 * a time, oldest first; a redelivered command (after a crash) picks the work up where it stopped,
 * since every step can run twice.
 */
export function runOperationHandler(ctx: HandlerContext): EventHandler<'ocp.tenant.operation.run.v1'> {
  return async (event, delivery) => {
    const op = await getOperation(ctx.pool, event.data.operationId);
    if (!op) throw new PermanentError(`operation ${event.data.operationId} does not exist`);
    if (op.state === 'succeeded' || op.state === 'failed') return;
    if (await earlierOpenOperation(ctx.pool, op.tenant_id, op)) {
      throw new TransientError('an earlier operation of this tenant is still open', 200);
    }
    const lock = await ctx.pool.connect();
    try {
      const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        `tenant-op:${op.tenant_id}`,
      ]);
      if (!rows[0]?.ok)
        throw new TransientError('another worker is running an operation of this tenant', 500);
      try {
        const fresh = (await getOperation(ctx.pool, op.id))!;
        if (fresh.state === 'succeeded' || fresh.state === 'failed') return;
        const tenant = (
          await ctx.pool.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [op.tenant_id])
        ).rows[0];
        if (!tenant) throw new PermanentError(`tenant ${op.tenant_id} does not exist`);
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
        await lock
          .query('SELECT pg_advisory_unlock(hashtext($1))', [`tenant-op:${op.tenant_id}`])
          .catch(() => {});
      }
    } finally {
      lock.release();
    }
  };
}
