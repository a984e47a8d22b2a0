import { type EventHandler, PermanentError, parentContext, runInTrace, traceparentOf } from '@ocp/bus';
import { enqueueEvent, type PoolClient, withTransaction } from '@ocp/db';
import { type OperationWorker, type OperationWorkerOptions, startOperationWorker } from '@ocp/operations';
import type { OperationMetrics } from '@ocp/service-kit';
import { type OperationRow, toOperation } from '../db/rows.ts';
import { getTenant, lockTenant } from '../db/store.ts';
import { addReason, clearReason, type OperationKind, type SuspensionReason } from '../domain/lifecycle.ts';
import { openSecret } from '../domain/secrets.ts';
import { copyFilestore, removeFilestore } from '../odoo/filestore.ts';
import { adminPasswordPlace, odooPasswordHash } from '../odoo/passwords.ts';
import { baseUrlFor, personalise } from '../odoo/personalise.ts';
import { getRuntime } from '../runtime/registry.ts';
import { applyHeldBillingDecisions } from './billing-decisions.ts';
import type { HandlerContext } from './context.ts';
import { queueDefaultModules } from './default-modules.ts';
import { adminFor, finish, type RunContext, type Runner, start, transition } from './operation-kit.ts';
import { runDuplicate, runRename } from './run-copy.ts';
import { runDelete, runPurge } from './run-delete.ts';
import { runModuleOperation } from './run-modules.ts';

/**
 * Where a tenant's database comes from and whose it is: its runtime's template, role and
 * filestore root, or (no runtime) the built-in template, the default runtime role and
 * TENANT_FILESTORE_DIR (no filestore directory when that is unset).
 */
async function sourceOf(rc: RunContext) {
  const t = rc.tenant;
  if (!t.runtime_id) {
    return {
      template: rc.config.TENANT_TEMPLATE_DB,
      owner: t.db_owner ?? rc.config.TENANT_DEFAULT_RUNTIME_ROLE,
      filestoreRoot: rc.config.TENANT_FILESTORE_DIR,
    };
  }
  const runtime = await getRuntime(rc.pool, t.runtime_id);
  if (!runtime) throw new PermanentError(`the tenant's runtime ${t.runtime_id} does not exist`);
  // A template being rebuilt keeps the old one in place until the new one is ready: never none.
  if (!runtime.template_database)
    throw new Error(
      `runtime "${runtime.name}" has no template yet (${runtime.state}); the step will run again`,
    );
  return {
    template: runtime.template_database,
    owner: t.db_owner ?? runtime.db_role,
    filestoreRoot: runtime.filestore_path as string | undefined,
  };
}

/**
 * Clones the template as the tenant's database owned by the runtime's role (no per-tenant role,
 * no reassignment: the template's objects are that role's already), makes it the tenant's own in
 * one transaction (uuid, secret, administrator, company, address), copies the template's
 * filestore directory, and activates the tenant, clearing its sealed administrator password in
 * the same transaction. The password hash (0.3 s of PBKDF2, unless a generated password came
 * hashed) and the filestore copy run while the clone does. Every step can run again after a
 * failure or a crash and ends in the same place.
 */
const provision: Runner = async (rc) => {
  const admin = await adminFor(rc);
  if (!admin) throw new PermanentError('the tenant has no database server');
  const t = rc.tenant;
  const name = t.database_name;
  const { template, owner, filestoreRoot } = await sourceOf(rc);
  // No password is kept for a tenant registered before administrators were: its admin keeps the template's.
  // A generated password may come hashed already (see odoo/password-pool.ts).
  const hashing = !t.admin_password_sealed
    ? Promise.resolve(undefined)
    : t.admin_password_hash
      ? Promise.resolve(t.admin_password_hash)
      : odooPasswordHash(openSecret(rc.secrets, t.admin_password_sealed, adminPasswordPlace(t.id)));
  hashing.catch(() => {}); // awaited below; a failure is reported there
  const personaliseIn = async (database: string) => {
    const adminPasswordHash = await hashing;
    await admin.inTenantDatabase(database, t.id, owner, (c) =>
      personalise(c, {
        adminLogin: t.admin_login ?? 'admin',
        adminPasswordHash,
        companyName: t.company_name ?? t.display_name,
        baseUrl: t.base_url ?? baseUrlFor(rc.config.TENANT_BASE_URL, t.slug),
      }),
    );
  };
  // Recording the start, cloning the template and copying its files do not wait for one another:
  // the clone is most of the time, and every step is safe to repeat after a failure of another.
  const steps = await Promise.allSettled([
    withTransaction(rc.pool, async (client) => {
      const locked = await lockTenant(client, t.id);
      if (locked?.state === 'pending' || locked?.state === 'failed') {
        await transition(client, rc, 'provisioning', 'ocp.tenant.provisioning.v1', {}, { lastError: null });
      }
      await start(client, rc, 10, 'cloning the template');
    }),
    admin.ensureDatabase(name, template, t.id, { owner, prepare: personaliseIn }),
    filestoreRoot ? copyFilestore(filestoreRoot, template, name) : Promise.resolve('none'),
  ]);
  // All settle before a failure is handled, so the start is on record before the failure is.
  const failed = steps.find((r) => r.status === 'rejected');
  if (failed) {
    // The directory this attempt copied goes when the clone failed (the next attempt copies again,
    // perhaps from a rebuilt template); one that was there before is never touched: it may be
    // the files of a database of that name that is not the tenant's (the reason the clone failed).
    if (steps[1].status === 'rejected' && steps[2].status === 'fulfilled' && steps[2].value === 'copied')
      await removeFilestore(filestoreRoot!, name).catch(() => {});
    throw failed.reason;
  }
  rc.signal.throwIfAborted();
  await withTransaction(rc.pool, async (client) => {
    const locked = await lockTenant(client, t.id);
    if (locked?.state === 'provisioning') {
      await transition(client, rc, 'active', 'ocp.tenant.activated.v1', {});
      await applyHeldBillingDecisions(client, rc, t.id, rc.traceparent);
      await queueDefaultModules(client, rc, locked);
    }
    // Its hash is in the tenant's database now: the platform keeps no administrator password.
    await client.query(
      'UPDATE tenants SET admin_password_sealed = NULL, admin_password_hash = NULL WHERE id = $1',
      [t.id],
    );
    await finish(client, rc);
  });
};

const suspend: Runner = async (rc) => {
  const reason: SuspensionReason | undefined = rc.op.params.reason;
  if (!reason) throw new PermanentError('a suspension needs a reason');
  await withTransaction(rc.pool, (c) => start(c, rc, 30, 'refusing new connections'));
  // Locking first and recording after: a crash in between locks again, which changes nothing.
  await (await adminFor(rc))?.lock(rc.tenant.database_name);
  rc.signal.throwIfAborted();
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
  rc.signal.throwIfAborted();
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

const runners: Record<OperationKind, Runner> = {
  'tenant.provision': provision,
  'tenant.suspend': suspend,
  'tenant.resume': resume,
  'tenant.delete': runDelete,
  'tenant.purge': runPurge,
  'tenant.module_install': runModuleOperation,
  'tenant.module_upgrade': runModuleOperation,
  'tenant.module_uninstall': runModuleOperation,
  'tenant.duplicate': runDuplicate,
  'tenant.rename': runRename,
};

/**
 * In the transaction that failed the operation: announces it, and a failed provisioning leaves the
 * tenant `failed` (retryable).
 */
async function recordFailure(ctx: HandlerContext, client: PoolClient, op: OperationRow, message: string) {
  await announce(client, op);
  // A staging copy is provisioned too: a failed one is left `failed` like any new tenant.
  if (op.kind !== 'tenant.provision' && op.kind !== 'tenant.duplicate') return;
  const t = await lockTenant(client, op.tenant_id);
  if (t?.state === 'provisioning' || t?.state === 'pending') {
    const rc: RunContext = {
      ...ctx,
      op,
      tenant: t,
      // The trace of the request that queued the operation.
      traceparent: traceparentOf(parentContext(op.traceparent ?? undefined), op.traceparent),
      signal: AbortSignal.abort(),
    };
    await transition(
      client,
      rc,
      'failed',
      'ocp.tenant.provisioning_failed.v1',
      { error: message },
      { lastError: message },
    );
  }
}

/** Queues `ocp.operation.updated.v1` for a change the worker made (a failure, a retry's error). */
const announce = (client: PoolClient, op: OperationRow) =>
  enqueueEvent(client, 'ocp.operation.updated.v1', {
    subject: op.tenant_id,
    data: { operation: toOperation(op) },
  });

/**
 * The tenant service's runners, one per kind: each loads the tenant and runs the steps of its
 * operation. Every step can run twice and end in the same place, so an operation resumed after a
 * crash or a stop picks up where it was.
 */
function tenantRunners(ctx: HandlerContext): OperationWorkerOptions<OperationRow>['runners'] {
  const wrap =
    (runner: Runner): OperationWorkerOptions<OperationRow>['runners'][string] =>
    async (op, { signal }) => {
      const tenant = await getTenant(ctx.pool, op.tenant_id);
      if (!tenant) throw new PermanentError(`tenant ${op.tenant_id} does not exist`);
      const log = ctx.logger.child({ tenantId: tenant.id, operationId: op.id, kind: op.kind });
      // A span of the trace of the request that queued it: what the run publishes continues it.
      await runInTrace(
        ctx.tracer,
        `operation ${op.kind}`,
        op.traceparent,
        (traceparent) => runner({ ...ctx, op, tenant, traceparent, signal }),
        { 'ocp.operation.id': op.id, 'ocp.operation.kind': op.kind, 'ocp.tenant.id': tenant.id },
      );
      log.info({ attempt: op.attempts }, 'operation succeeded');
    };
  return Object.fromEntries(Object.entries(runners).map(([kind, runner]) => [kind, wrap(runner)]));
}

/**
 * Starts the worker that runs the tenant operations from the `operations` table: the next
 * runnable operation of a tenant is claimed with a lease, renewed while it runs, so operations of
 * one tenant run one at a time, oldest first, and one whose worker died is resumed when its lease
 * runs out. Workers wake on the table's notifications, on `wake()` and on a slow poll.
 */
export function startTenantWorker(ctx: HandlerContext, metrics?: OperationMetrics): OperationWorker {
  return startOperationWorker<OperationRow>({
    pool: ctx.pool,
    databaseUrl: ctx.config.DATABASE_URL,
    table: { table: 'operations', scope: 'tenant_id', channel: 'ocp_operations' },
    runners: tenantRunners(ctx),
    logger: ctx.logger,
    concurrency: ctx.config.WORKER_CONCURRENCY,
    leaseMs: ctx.config.OPERATION_LEASE_MS,
    maxAttempts: ctx.config.WORK_MAX_ATTEMPTS,
    pollMs: ctx.config.OPERATION_POLL_MS,
    onFailed: (client, op, message) => recordFailure(ctx, client, op, message),
    onRetry: (client, op) => announce(client, op),
    onSucceeded: (client, op) => announce(client, op),
    ...(metrics ? { onEnded: (op: OperationRow) => metrics.ended(op) } : {}),
  });
}

/**
 * `work.tenant.operation.run.v1`: a wake-up only. The worker claims from the database whatever
 * is runnable; the command is acked at once, so its consumer's lag counts only commands that no
 * worker is there to take (what an autoscaler watches).
 */
export function operationWakeHandler(worker: OperationWorker): EventHandler<'ocp.tenant.operation.run.v1'> {
  return async () => {
    worker.wake();
  };
}
