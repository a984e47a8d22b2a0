import { PermanentError } from '@ocp/bus';
import { enqueueEvent, withTransaction } from '@ocp/db';
import { OdooError, OdooTransportError } from '@ocp/odoo';
import { toTenant } from '../db/rows.ts';
import {
  forgetOperationParams,
  getTenant,
  lockTenant,
  recordOperationParams,
  setOperationResult,
} from '../db/store.ts';
import {
  cloneDatabase,
  databaseFacts,
  dropCopy,
  inTenantDatabase,
  listFilestore,
  removeFilesNotIn,
  type ServerSql,
  snapshotName,
  switchBack,
  withServerSql,
} from '../dbserver/snapshot.ts';
import { refuseOperation } from '../domain/lifecycle.ts';
import {
  alreadyDone,
  type ModuleAction,
  type ModuleStates,
  moduleChanges,
  pressModuleButton,
  readModuleStates,
  refusedOutcome,
  updateModuleList,
  upgradeSet,
} from '../odoo/modules.ts';
import { runtimeOfTenant, withTenantSession } from '../odoo/tenant-session.ts';
import { finish, type RunContext, type Runner, start } from './operation-kit.ts';

/**
 * Installing, upgrading or uninstalling one module of a tenant, as an operation:
 *
 * 1. a fast copy of the database (CREATE DATABASE ... TEMPLATE, connections held off for the
 *    copy only), closed and marked as the tenant's, and the list of the filestore's files;
 * 2. `update_list`, the module's id (a name the database does not know fails here) and every
 *    module's state before;
 * 3. the button (`button_immediate_install|upgrade|uninstall`; the client retries the
 *    scheduled-action lock a few times);
 * 4. the states after: Odoo answers success while doing nothing (an `uninstallable` module), so
 *    the operation checks the module ended where it should and reports what changed;
 * 5. success drops the copy, stores the result and queues the event with the finish; any failure
 *    puts the copy back in place of the database, removes the files the change added, and fails
 *    the operation with Odoo's own message. The tenant stays active throughout.
 *
 * A run stopped at any point resumes: a copy already made is reused, and the states before and the
 * file list are recorded in the operation, so the result is computed against the real "before".
 */

/** A module operation can take minutes on a real server (installing crm took 21 s on a small one). */
const BUTTON_TIMEOUT_MS = 20 * 60 * 1000;

const actions = {
  'tenant.module_install': 'install',
  'tenant.module_upgrade': 'upgrade',
  'tenant.module_uninstall': 'uninstall',
} as const satisfies Record<string, ModuleAction>;

const events = {
  install: 'ocp.tenant.module_installed.v1',
  upgrade: 'ocp.tenant.module_upgraded.v1',
  uninstall: 'ocp.tenant.module_uninstalled.v1',
} as const;

const doing: Record<ModuleAction, string> = {
  install: 'installing',
  upgrade: 'upgrading',
  uninstall: 'uninstalling',
};

/** The change did not do what was asked although Odoo answered success; the message says what happened. */
class ModuleOutcomeError extends Error {
  override name = 'ModuleOutcomeError';
}

/** What a run records in its operation's params for a resumed run, forgotten when it ends. */
const RECORDED = ['snapshotFiles', 'modulesBefore', 'upgrading'];

/** What recorded state a resumed run finds in its operation's params. */
interface Recorded {
  snapshotFiles?: string[];
  modulesBefore?: ModuleStates;
  upgrading?: string[];
}

function failureText(action: ModuleAction, module: string, e: unknown): string {
  if (e instanceof ModuleOutcomeError) return e.message;
  if (e instanceof OdooError) return `Odoo could not ${action} "${module}": ${e.odooMessage} (${e.name})`;
  if (e instanceof OdooTransportError)
    return `the Odoo runtime did not answer while ${doing[action]} "${module}": ${e.message}`;
  return `${doing[action]} "${module}" failed: ${e instanceof Error ? e.message : String(e)}`;
}

const progress = (rc: RunContext, value: number, step: string) =>
  withTransaction(rc.pool, (c) => start(c, rc, value, step));

export const runModuleOperation: Runner = async (rc) => {
  const action = actions[rc.op.kind as keyof typeof actions];
  const module = rc.op.params.module;
  if (!action || !module) throw new PermanentError(`operation ${rc.op.id} names no module action`);
  const t = rc.tenant;
  if (!t.runtime_id || !t.database_server_id)
    throw new PermanentError('no Odoo runtime is registered for this tenant; modules cannot be changed');
  const refusal = refuseOperation(rc.op.kind, t.state);
  if (refusal) throw new PermanentError(refusal);
  const runtime = await runtimeOfTenant(rc.pool, t.runtime_id);
  if (!runtime) throw new PermanentError(`the tenant's runtime ${t.runtime_id} does not exist`);
  const recorded = rc.op.params as Recorded;
  const db = t.database_name;
  const root = runtime.filestore_path;
  const snapshot = snapshotName(db, rc.op.id);
  const stillActive = async () => (await getTenant(rc.pool, t.id))?.state === 'active';

  await withServerSql(rc, t.database_server_id, async (sql) => {
    await progress(rc, 10, 'copying the database before the change');
    // A run stopped while switching back (the database dropped, the copy not yet renamed) ends
    // that first, files included; the change is then made again from the state before.
    if (!(await databaseFacts(sql, db)).exists) {
      await switchBack(sql, { database: db, snapshot, tenantId: t.id, allowConnections: true });
      if (recorded.snapshotFiles) await removeFilesNotIn(root, db, recorded.snapshotFiles);
    }
    const facts = await databaseFacts(sql, db);
    const haveCopy = (await databaseFacts(sql, snapshot)).exists;
    let files = recorded.snapshotFiles;
    if (!haveCopy || !files) {
      // Nothing has been asked of Odoo yet: the files now are the files before.
      files = await listFilestore(root, db);
      await recordOperationParams(rc.pool, rc.op.id, { snapshotFiles: files });
    }
    await cloneDatabase(sql, {
      source: db,
      target: snapshot,
      owner: facts.owner!,
      tenantId: t.id,
      closed: true,
      reopenSource: stillActive,
    });
    rc.signal.throwIfAborted();

    let changes: ReturnType<typeof moduleChanges>;
    try {
      changes = await change(sql);
    } catch (e) {
      // A stop is not the change's failure: the next start resumes with the copy in place.
      if (rc.signal.aborted) throw e;
      await progress(rc, 90, 'switching back to the copy from before the change');
      await switchBack(sql, {
        database: db,
        snapshot,
        tenantId: t.id,
        allowConnections: await stillActive(),
      });
      await removeFilesNotIn(root, db, files);
      await forgetOperationParams(rc.pool, rc.op.id, RECORDED);
      throw new PermanentError(
        `${failureText(action, module, e)}; the tenant's database and files are as they were before`,
      );
    }

    await dropCopy(sql, snapshot, t.id);
    await withTransaction(rc.pool, async (client) => {
      const row = (await lockTenant(client, t.id))!;
      // A module already as asked changed nothing: the result says so, and no event says otherwise.
      const changed = changes.installed.length + changes.upgraded.length + changes.removed.length > 0;
      const result = { module, ...changes };
      await setOperationResult(client, rc.op.id, changed ? result : { ...result, unchanged: true });
      await forgetOperationParams(client, rc.op.id, RECORDED);
      if (changed)
        await enqueueEvent(client, events[action], {
          subject: t.id,
          data: { tenant: toTenant(row), operationId: rc.op.id, ...result },
          traceparent: rc.traceparent,
        });
      await finish(client, rc);
    });
  });

  /** Steps 2 to 4, in one session on the tenant's Odoo. */
  async function change(sql: ServerSql) {
    return await withTenantSession(
      sql,
      t,
      runtime!,
      { timeoutMs: rc.config.ODOO_RPC_TIMEOUT_MS },
      async (s) => {
        await progress(rc, 25, 'updating the module list');
        await updateModuleList(s);
        // The states before: recorded by an earlier run of this operation, or read now (nothing
        // has been asked of Odoo yet, so they are the states before).
        let before = recorded.modulesBefore;
        let upgrading = recorded.upgrading;
        if (!before || !upgrading) {
          before = await readModuleStates(s);
          upgrading =
            action === 'upgrade' && before[module!]
              ? await inTenantDatabase(sql, db, t.id, (c) => upgradeSet(c, module!))
              : [];
          await recordOperationParams(rc.pool, rc.op.id, { modulesBefore: before, upgrading });
        }
        const id = before[module!]?.id;
        if (id === undefined)
          throw new ModuleOutcomeError(`module "${module}" does not exist in this database`);
        if (alreadyDone(action, module!, before)) return moduleChanges(before, before);
        rc.signal.throwIfAborted();
        await progress(rc, 40, `${doing[action]} "${module}"`);
        await pressModuleButton(s, action, id, BUTTON_TIMEOUT_MS);
        await progress(rc, 80, 'checking the modules’ states');
        const after = await readModuleStates(s);
        const refused = refusedOutcome(action, module!, after);
        if (refused) throw new ModuleOutcomeError(refused);
        return moduleChanges(before, after, upgrading);
      },
    );
  }
};
