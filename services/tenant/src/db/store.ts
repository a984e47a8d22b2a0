import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@ocp/contracts';
import { enqueueEvent, type PoolClient, type Queryable } from '@ocp/db';
import type { OperationKind, SuspensionReason, TenantState } from '../domain/lifecycle.ts';
import type { QuotaCopy } from '../domain/module-policy.ts';
import { type OperationRow, type TenantRow, toOperation } from './rows.ts';

export async function getTenant(db: Queryable, id: string): Promise<TenantRow | undefined> {
  const { rows } = await db.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id]);
  return rows[0];
}

export async function lockTenant(client: PoolClient, id: string): Promise<TenantRow | undefined> {
  const { rows } = await client.query<TenantRow>('SELECT * FROM tenants WHERE id = $1 FOR UPDATE', [id]);
  return rows[0];
}

export async function getTenantBySlug(db: Queryable, slug: string): Promise<TenantRow | undefined> {
  const { rows } = await db.query<TenantRow>("SELECT * FROM tenants WHERE slug = $1 AND state <> 'deleted'", [
    slug,
  ]);
  return rows[0];
}

export async function getOperation(db: Queryable, id: string): Promise<OperationRow | undefined> {
  const { rows } = await db.query<OperationRow>('SELECT * FROM operations WHERE id = $1', [id]);
  return rows[0];
}

/**
 * The open (queued or running) operation of a kind for a tenant, oldest first. Called under the
 * tenant's row lock, which every queuing of an operation takes, so no other can be queued meanwhile.
 */
export async function openOperationOf(
  client: PoolClient,
  tenantId: string,
  kind: OperationKind,
): Promise<OperationRow | undefined> {
  const { rows } = await client.query<OperationRow>(
    `SELECT * FROM operations WHERE tenant_id = $1 AND kind = $2 AND state IN ('queued', 'running')
     ORDER BY created_at, id LIMIT 1`,
    [tenantId, kind],
  );
  return rows[0];
}

/** The tenant's most recent operation of a kind, whatever its state. */
export async function lastOperationOf(
  db: Queryable,
  tenantId: string,
  kind: OperationKind,
): Promise<OperationRow | undefined> {
  const { rows } = await db.query<OperationRow>(
    `SELECT * FROM operations WHERE tenant_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1`,
    [tenantId, kind],
  );
  return rows[0];
}

/**
 * Creates a queued operation and, in the same transaction, the work command that runs it and the
 * event that announces it.
 */
export async function queueOperation(
  client: PoolClient,
  opts: {
    tenantId: string;
    kind: OperationKind;
    params?: Record<string, unknown>;
    actor?: string | undefined;
  },
  traceparent?: string,
): Promise<{ op: OperationRow; command: CloudEvent }> {
  const id = randomUUID();
  const { rows } = await client.query<OperationRow>(
    `INSERT INTO operations (id, kind, tenant_id, state, params, actor, traceparent)
     VALUES ($1, $2, $3, 'queued', $4, $5, $6) RETURNING *`,
    [
      id,
      opts.kind,
      opts.tenantId,
      JSON.stringify(opts.params ?? {}),
      opts.actor ?? null,
      traceparent ?? null,
    ],
  );
  const op = rows[0]!;
  const command = await enqueueEvent(client, 'ocp.tenant.operation.run.v1', {
    subject: opts.tenantId,
    data: { operationId: id, tenantId: opts.tenantId, kind: opts.kind },
    traceparent,
  });
  await enqueueEvent(client, 'ocp.operation.updated.v1', {
    subject: opts.tenantId,
    data: { operation: toOperation(op) },
    traceparent,
  });
  return { op, command };
}

/** Updates an operation and announces the change. */
export async function updateOperation(
  client: Queryable,
  id: string,
  patch: Partial<Pick<OperationRow, 'state' | 'progress' | 'step' | 'error'>> & { attempt?: boolean },
): Promise<OperationRow> {
  const { rows } = await client.query<OperationRow>(
    `UPDATE operations SET
       state = COALESCE($2, state),
       progress = COALESCE($3, progress),
       step = COALESCE($4, step),
       error = CASE WHEN $5::boolean THEN $6 ELSE error END,
       attempts = attempts + CASE WHEN $7::boolean THEN 1 ELSE 0 END,
       started_at = CASE WHEN $2 = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $2 IN ('succeeded', 'failed') THEN now() ELSE finished_at END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      id,
      patch.state ?? null,
      patch.progress ?? null,
      patch.step ?? null,
      'error' in patch,
      patch.error ?? null,
      patch.attempt ?? false,
    ],
  );
  const op = rows[0]!;
  await enqueueEvent(client, 'ocp.operation.updated.v1', {
    subject: op.tenant_id,
    data: { operation: toOperation(op) },
  });
  return op;
}

/** Sets a tenant's state (and reasons); returns the row after the change. */
export async function setTenantState(
  client: Queryable,
  id: string,
  state: TenantState,
  extra: { reasons?: SuspensionReason[]; lastError?: string | null; deleted?: boolean } = {},
): Promise<TenantRow> {
  const { rows } = await client.query<TenantRow>(
    `UPDATE tenants SET state = $2,
       suspension_reasons = COALESCE($3::text[], suspension_reasons),
       last_error = CASE WHEN $4::boolean THEN $5 ELSE last_error END,
       deleted_at = CASE WHEN $6::boolean THEN now() ELSE deleted_at END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, state, extra.reasons ?? null, 'lastError' in extra, extra.lastError ?? null, extra.deleted ?? false],
  );
  return rows[0]!;
}

/** The server a new tenant goes to: the accepting one with the most room. */
export async function placeTenant(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT s.id FROM database_servers s
     LEFT JOIN tenants t ON t.database_server_id = s.id AND t.state <> 'deleted'
     WHERE s.accepting
     GROUP BY s.id
     HAVING count(t.id) < max(s.max_tenants)
     ORDER BY max(s.max_tenants) - count(t.id) DESC, s.created_at
     LIMIT 1`,
  );
  return rows[0]?.id;
}

/** The oldest open (queued or running) operation of a tenant, of any kind. */
export async function openOperationOfTenant(
  db: Queryable,
  tenantId: string,
): Promise<OperationRow | undefined> {
  const { rows } = await db.query<OperationRow>(
    `SELECT * FROM operations WHERE tenant_id = $1 AND state IN ('queued', 'running')
     ORDER BY created_at, id LIMIT 1`,
    [tenantId],
  );
  return rows[0];
}

/** An open staging copy of a tenant (made on the copy's own row, so not among the source's operations). */
export async function openCopyOf(db: Queryable, sourceTenantId: string): Promise<OperationRow | undefined> {
  const { rows } = await db.query<OperationRow>(
    `SELECT * FROM operations WHERE kind = 'tenant.duplicate' AND state IN ('queued', 'running')
       AND params->>'sourceTenantId' = $1::text
     ORDER BY created_at, id LIMIT 1`,
    [sourceTenantId],
  );
  return rows[0];
}

/** Adds keys to an operation's params: what a step recorded for a resumed run (never shown). */
export async function recordOperationParams(
  db: Queryable,
  id: string,
  patch: Record<string, unknown>,
): Promise<void> {
  await db.query('UPDATE operations SET params = params || $2::jsonb, updated_at = now() WHERE id = $1', [
    id,
    JSON.stringify(patch),
  ]);
}

/** Stores what a finished operation did (`result`); the finishing update announces it. */
export async function setOperationResult(
  db: Queryable,
  id: string,
  result: Record<string, unknown>,
): Promise<void> {
  await db.query('UPDATE operations SET result = $2::jsonb WHERE id = $1', [id, JSON.stringify(result)]);
}

/** Removes keys a step recorded in an operation's params once the operation no longer needs them. */
export async function forgetOperationParams(
  db: Queryable,
  id: string,
  keys: readonly string[],
): Promise<void> {
  await db.query('UPDATE operations SET params = params - $2::text[] WHERE id = $1', [id, keys]);
}

/** The tenant service's copy of a tenant's plan (allowed modules) and quota enforcement. */
export async function quotaCopyOf(
  client: PoolClient,
  tenant: { id: string; plan: string },
): Promise<QuotaCopy> {
  const { rows } = await client.query<{
    allowed_modules: string[] | null;
    known: boolean;
    blocked: boolean | null;
  }>(
    `SELECT p.allowed_modules, p.name IS NOT NULL AS known,
            (SELECT installs_blocked FROM quota_enforcement WHERE tenant_id = $1) AS blocked
       FROM (SELECT 1) AS one
       LEFT JOIN quota_plans p ON p.name = $2 AND NOT p.deleted`,
    [tenant.id, tenant.plan],
  );
  const row = rows[0]!;
  return {
    plan: tenant.plan,
    ...(row.known ? { known: { allowedModules: row.allowed_modules } } : {}),
    installsBlocked: row.blocked === true,
  };
}

/** The modules a plan installs at creation, from the copy of the catalog (none when unknown). */
export async function defaultModulesOf(client: PoolClient, plan: string): Promise<string[]> {
  const { rows } = await client.query<{ default_modules: string[] }>(
    'SELECT default_modules FROM quota_plans WHERE name = $1 AND NOT deleted',
    [plan],
  );
  return rows[0]?.default_modules ?? [];
}
