import { randomUUID } from 'node:crypto';
import { PermanentError } from '@ocp/bus';
import { enqueueEvent, withTransaction } from '@ocp/db';
import type pg from 'pg';
import type { TenantRow } from '../db/rows.ts';
import { toTenant } from '../db/rows.ts';
import { getTenant, getTenantBySlug, lockTenant, setOperationResult } from '../db/store.ts';
import { stagingName } from '../dbserver/admin.ts';
import { NotOwnedError } from '../dbserver/errors.ts';
import {
  cloneDatabase,
  databaseFacts,
  dropCopy,
  inTenantDatabase,
  renameDatabase,
  renameTenantRole,
  withServerSql,
} from '../dbserver/snapshot.ts';
import { databaseNameFor } from '../domain/lifecycle.ts';
import { copyFilestore, renameFilestore } from '../odoo/filestore.ts';
import { neutralise } from '../odoo/neutralize.ts';
import { odooDateTime, setParameters } from '../odoo/personalise.ts';
import { runtimeOfTenant } from '../odoo/tenant-session.ts';
import { baseUrlFor } from './create-tenant.ts';
import { finish, type RunContext, type Runner, start, transition } from './operation-kit.ts';

/**
 * What Odoo's own `duplicate_database` gives any copy: a new `database.uuid`, `database.secret`
 * and `database.create_date` (the copy signs its sessions and tokens with its own secret, and is
 * another database for Odoo's publisher); `web.base.url` is the copy's own address.
 */
export async function makeCopyItsOwn(c: pg.ClientBase, baseUrl: string, now = new Date()): Promise<void> {
  await setParameters(c, [
    ['database.uuid', randomUUID()],
    ['database.secret', randomUUID()],
    ['database.create_date', odooDateTime(now)],
    ['web.base.url', baseUrl],
  ]);
}

/** Where a tenant's filestore directory lives: its runtime's root, or TENANT_FILESTORE_DIR. */
async function filestoreRootOf(rc: RunContext, t: TenantRow): Promise<string | undefined> {
  if (!t.runtime_id) return rc.config.TENANT_FILESTORE_DIR;
  const runtime = await runtimeOfTenant(rc.pool, t.runtime_id);
  if (!runtime) throw new PermanentError(`the tenant's runtime ${t.runtime_id} does not exist`);
  return runtime.filestore_path;
}

const progress = (rc: RunContext, value: number, step: string) =>
  withTransaction(rc.pool, (c) => start(c, rc, value, step));

/**
 * `tenant.duplicate`, run on the copy's own row: clones the source database under the copy's
 * staging name (the source held off connections for the clone only, about a second, and let in
 * again even when the clone fails, unless it was suspended meanwhile), marks it and shuts PUBLIC
 * out, gives it its own uuid, secret, creation date and address, neutralises it when asked (one
 * transaction, as the owner), renames it to its final name, copies the source's filestore
 * directory, and activates the copy. A failure leaves the copy `failed` and the source as it was;
 * a retry (`tenant.retry`) copies the source again, unless the failed attempt had already renamed
 * its copy into place.
 */
export const runDuplicate: Runner = async (rc) => {
  const sourceId = rc.op.params.sourceTenantId;
  if (!sourceId) throw new PermanentError(`operation ${rc.op.id} names no tenant to copy`);
  const neutralize = rc.op.params.neutralize !== false;
  const t = rc.tenant;
  const retried = await withTransaction(rc.pool, async (client) => {
    const locked = await lockTenant(client, t.id);
    if (locked?.state === 'pending' || locked?.state === 'failed')
      await transition(client, rc, 'provisioning', 'ocp.tenant.provisioning.v1', {}, { lastError: null });
    await start(client, rc, 10, 'copying the database of the source tenant');
    return locked?.state === 'failed';
  });
  const source = await getTenant(rc.pool, sourceId);
  if (!source || source.state === 'deleted' || source.state === 'deleting')
    throw new PermanentError(`the tenant to copy (${sourceId}) is ${source ? source.state : 'gone'}`);
  if (!t.database_server_id || source.database_server_id !== t.database_server_id || !t.db_owner)
    throw new PermanentError(
      'the copy and its source are not on the same database server with an owner role',
    );
  const sourceActive = async () => (await getTenant(rc.pool, sourceId))?.state === 'active';
  const name = t.database_name;
  const staging = stagingName(name, t.id);
  const baseUrl = t.base_url ?? baseUrlFor(rc.config.TENANT_BASE_URL, t.slug);

  await withServerSql(rc, t.database_server_id, async (sql) => {
    const final = await databaseFacts(sql, name);
    if (final.exists) {
      // Made and renamed by an earlier attempt: its own identity was written before the rename.
      if (final.mark !== t.id) throw new NotOwnedError('database', name, t.id, final.mark);
      return;
    }
    // A retry after a failure copies the source as it is now: the half-made copy the failed
    // attempt left is dropped (a run resumed after a stop keeps its clone, made moments before).
    if (retried) await dropCopy(sql, staging, t.id);
    await cloneDatabase(sql, {
      source: source.database_name,
      target: staging,
      owner: t.db_owner!,
      tenantId: t.id,
      closed: false,
      reopenSource: sourceActive,
    });
    rc.signal.throwIfAborted();
    await progress(
      rc,
      50,
      neutralize
        ? 'giving the copy its own identity and neutralising it'
        : 'giving the copy its own identity',
    );
    await inTenantDatabase(sql, staging, t.id, async (c) => {
      await makeCopyItsOwn(c, baseUrl);
      if (neutralize) await neutralise(c);
    });
    await renameDatabase(sql, { from: staging, to: name, tenantId: t.id, reopen: async () => true });
  });
  rc.signal.throwIfAborted();
  const root = await filestoreRootOf(rc, t);
  if (root) {
    await progress(rc, 80, 'copying the filestore');
    await copyFilestore(root, source.database_name, name);
  }
  await withTransaction(rc.pool, async (client) => {
    const locked = await lockTenant(client, t.id);
    if (locked?.state === 'provisioning')
      await transition(client, rc, 'active', 'ocp.tenant.activated.v1', {});
    await finish(client, rc);
  });
};

/**
 * `tenant.rename`: the database (held off connections for the rename only), a legacy login role of
 * the old name that carries the tenant's mark, the filestore directory and `web.base.url` inside,
 * then the row (slug, database name, address) with the `renamed` event. Resumes wherever it
 * stopped: a database already under the new name and marked as the tenant's is the rename done.
 */
export const runRename: Runner = async (rc) => {
  const slug = rc.op.params.slug;
  if (!slug) throw new PermanentError(`operation ${rc.op.id} names no new slug`);
  const t = rc.tenant;
  if (!t.database_server_id) throw new PermanentError('the tenant has no database server');
  const from = t.database_name;
  const to = databaseNameFor(rc.config.TENANT_DB_PREFIX, slug);
  const taken = await getTenantBySlug(rc.pool, slug);
  if (taken && taken.id !== t.id)
    throw new PermanentError(`the slug "${slug}" was taken by tenant ${taken.id} since the rename was asked`);
  await progress(rc, 20, `renaming the database to ${to}`);
  const stillActive = async () => (await getTenant(rc.pool, t.id))?.state === 'active';
  const baseUrl = baseUrlFor(rc.config.TENANT_BASE_URL, slug);
  await withServerSql(rc, t.database_server_id, async (sql) => {
    await renameDatabase(sql, { from, to, tenantId: t.id, reopen: stillActive });
    await renameTenantRole(sql, { from, to, tenantId: t.id });
    await inTenantDatabase(sql, to, t.id, (c) => setParameters(c, [['web.base.url', baseUrl]]));
  });
  const root = await filestoreRootOf(rc, t);
  if (root) {
    await progress(rc, 70, 'renaming the filestore directory');
    await renameFilestore(root, from, to);
  }
  await withTransaction(rc.pool, async (client) => {
    await lockTenant(client, t.id);
    const { rows } = await client.query<TenantRow>(
      `UPDATE tenants SET slug = $2, database_name = $3, base_url = $4, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [t.id, slug, to, baseUrl],
    );
    const row = rows[0]!;
    const result = { previousSlug: t.slug, previousDatabaseName: from };
    await setOperationResult(client, rc.op.id, result);
    await enqueueEvent(client, 'ocp.tenant.renamed.v1', {
      subject: t.id,
      data: { tenant: toTenant(row), operationId: rc.op.id, ...result },
      traceparent: rc.traceparent,
    });
    await finish(client, rc);
  });
};
