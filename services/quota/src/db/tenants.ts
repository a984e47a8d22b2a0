import type {
  PartialLimits,
  QuotaEnforcement,
  QuotaOverride,
  QuotaTrial,
  Tenant,
  UsageSample,
} from '@ocp/contracts';
import type { Queryable } from '@ocp/db';

/** A row of `known_tenants`. */
export interface KnownTenantRow {
  tenant_id: string;
  slug: string;
  plan: string;
  state: string;
  database_name: string;
  database_server_id: string | null;
  runtime_id: string | null;
  database_server_name: string | null;
  filestore_dir: string | null;
  odoo_version: string | null;
  located_at: Date | null;
  event_time: Date;
}

/**
 * Records a tenant as an event showed it. An event older than the one recorded changes nothing, so
 * order and redelivery do not matter. A change of database, server or runtime forgets where its
 * files were (`located_at`), to be asked again.
 */
export async function recordKnownTenant(db: Queryable, t: Tenant, eventTime: Date): Promise<void> {
  await db.query(
    `INSERT INTO known_tenants (tenant_id, slug, plan, state, database_name, database_server_id, runtime_id, event_time)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant_id) DO UPDATE SET slug = $2, plan = $3, state = $4, database_name = $5,
       database_server_id = $6, runtime_id = $7, event_time = $8, updated_at = now(),
       located_at = CASE
         WHEN known_tenants.database_name IS DISTINCT FROM $5
           OR known_tenants.database_server_id IS DISTINCT FROM $6
           OR known_tenants.runtime_id IS DISTINCT FROM $7 THEN NULL
         ELSE known_tenants.located_at END
     WHERE known_tenants.event_time <= $8`,
    [t.id, t.slug, t.plan, t.state, t.databaseName, t.databaseServerId, t.runtimeId ?? null, eventTime],
  );
}

/** Records where a tenant's database and filestore are, as the tenant service said. */
export async function recordTenantLocation(
  db: Queryable,
  tenantId: string,
  where: { databaseServerName: string | null; filestoreDir: string | null; odooVersion: string | null },
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE known_tenants SET database_server_name = $2, filestore_dir = $3, odoo_version = $4, located_at = $5
     WHERE tenant_id = $1`,
    [tenantId, where.databaseServerName, where.filestoreDir, where.odooVersion, now],
  );
}

/** A tenant the platform has and has not deleted. */
export async function liveTenant(db: Queryable, tenantId: string): Promise<KnownTenantRow | undefined> {
  const { rows } = await db.query<KnownTenantRow>(
    `SELECT * FROM known_tenants WHERE tenant_id = $1 AND state <> 'deleted'`,
    [tenantId],
  );
  return rows[0];
}

/** How many tenants not deleted are on a plan. */
export async function tenantsOnPlan(db: Queryable, plan: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM known_tenants WHERE plan = $1 AND state <> 'deleted'`,
    [plan],
  );
  return Number(rows[0]?.n ?? 0);
}

/** The tenants of a plan with their override and latest sample, to check a plan change against. */
export async function tenantsOfPlanWithUsage(
  db: Queryable,
  plan: string,
): Promise<{ tenant: KnownTenantRow; override: QuotaOverride | null; sample: UsageSample | null }[]> {
  const { rows } = await db.query<KnownTenantRow & OverrideCols & SampleCols>(
    `SELECT k.*, o.limits AS o_limits, o.has_allowed_modules AS o_has_allowed, o.allowed_modules AS o_allowed,
            o.updated_at AS o_updated_at, s.*
       FROM known_tenants k
       LEFT JOIN overrides o ON o.tenant_id = k.tenant_id
       LEFT JOIN LATERAL (
         SELECT id AS s_id, measured_at AS s_measured_at, active_users AS s_active_users,
                database_bytes AS s_database_bytes, filestore_bytes AS s_filestore_bytes,
                backup_bytes AS s_backup_bytes, backup_generations AS s_backup_generations, error AS s_error
           FROM usage_samples WHERE tenant_id = k.tenant_id ORDER BY measured_at DESC, id DESC LIMIT 1
       ) s ON true
      WHERE k.plan = $1 AND k.state <> 'deleted'
      ORDER BY k.slug`,
    [plan],
  );
  return rows.map((r) => ({ tenant: r, override: overrideOf(r), sample: sampleOfCols(r.tenant_id, r) }));
}

interface OverrideCols {
  o_limits: PartialLimits | null;
  o_has_allowed: boolean | null;
  o_allowed: string[] | null;
  o_updated_at: Date | null;
}

function overrideOf(r: OverrideCols): QuotaOverride | null {
  if (!r.o_updated_at) return null;
  return {
    limits: r.o_limits ?? {},
    ...(r.o_has_allowed ? { allowedModules: r.o_allowed } : {}),
    updatedAt: r.o_updated_at.toISOString(),
  } as QuotaOverride;
}

/** A tenant's override, or null. */
export async function getOverride(db: Queryable, tenantId: string): Promise<QuotaOverride | null> {
  const { rows } = await db.query<OverrideCols>(
    `SELECT limits AS o_limits, has_allowed_modules AS o_has_allowed, allowed_modules AS o_allowed,
            updated_at AS o_updated_at
       FROM overrides WHERE tenant_id = $1`,
    [tenantId],
  );
  return rows[0] ? overrideOf(rows[0]) : null;
}

/** Sets a tenant's override: `allowedModules` undefined follows the plan's list. */
export async function putOverride(
  db: Queryable,
  tenantId: string,
  limits: PartialLimits,
  allowedModules: string[] | null | undefined,
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO overrides (tenant_id, limits, has_allowed_modules, allowed_modules, updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id) DO UPDATE SET limits = $2, has_allowed_modules = $3, allowed_modules = $4, updated_at = $5`,
    [tenantId, JSON.stringify(limits), allowedModules !== undefined, allowedModules ?? null, now],
  );
}

/** Removes a tenant's override; false when it had none. */
export async function deleteOverride(db: Queryable, tenantId: string): Promise<boolean> {
  const res = await db.query('DELETE FROM overrides WHERE tenant_id = $1', [tenantId]);
  return (res.rowCount ?? 0) > 0;
}

interface SampleCols {
  s_id: string | null;
  s_measured_at: Date | null;
  s_active_users: string | null;
  s_database_bytes: string | null;
  s_filestore_bytes: string | null;
  s_backup_bytes: string | null;
  s_backup_generations: string | null;
  s_error: { code: string; message: string } | null;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function sampleOfCols(tenantId: string, r: SampleCols): UsageSample | null {
  if (!r.s_measured_at) return null;
  return {
    tenantId,
    measuredAt: r.s_measured_at.toISOString(),
    activeUsers: num(r.s_active_users),
    databaseBytes: num(r.s_database_bytes),
    filestoreBytes: num(r.s_filestore_bytes),
    backupBytes: num(r.s_backup_bytes),
    backupGenerations: num(r.s_backup_generations),
    ...(r.s_error ? { error: r.s_error } : {}),
  };
}

const SAMPLE_COLUMNS = `id AS s_id, measured_at AS s_measured_at, active_users AS s_active_users,
  database_bytes AS s_database_bytes, filestore_bytes AS s_filestore_bytes, backup_bytes AS s_backup_bytes,
  backup_generations AS s_backup_generations, error AS s_error`;

/** A tenant's latest usage sample, or null before the first. */
export async function latestSample(db: Queryable, tenantId: string): Promise<UsageSample | null> {
  const { rows } = await db.query<SampleCols>(
    `SELECT ${SAMPLE_COLUMNS} FROM usage_samples WHERE tenant_id = $1 ORDER BY measured_at DESC, id DESC LIMIT 1`,
    [tenantId],
  );
  return rows[0] ? sampleOfCols(tenantId, rows[0]) : null;
}

/** Stores a sample (the measurement writes them); returns its id. */
export async function insertSample(db: Queryable, s: UsageSample): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO usage_samples (tenant_id, measured_at, active_users, database_bytes, filestore_bytes,
       backup_bytes, backup_generations, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      s.tenantId,
      s.measuredAt,
      s.activeUsers,
      s.databaseBytes,
      s.filestoreBytes,
      s.backupBytes,
      s.backupGenerations,
      s.error ? JSON.stringify(s.error) : null,
    ],
  );
  return rows[0]!.id;
}

/** Where a page of samples ends: newest first, ties by id. */
export interface SamplePosition {
  measuredAt: string;
  id: string;
}

/** A page of a tenant's samples, newest first, after `after`, measured at or after `since`. */
export async function sampleHistory(
  db: Queryable,
  tenantId: string,
  opts: { after?: SamplePosition | undefined; since?: string | undefined; limit: number },
): Promise<{ sample: UsageSample; position: SamplePosition }[]> {
  const { rows } = await db.query<SampleCols & { s_measured_text: string }>(
    `SELECT ${SAMPLE_COLUMNS}, to_json(measured_at)#>>'{}' AS s_measured_text FROM usage_samples
      WHERE tenant_id = $1
        AND ($2::timestamptz IS NULL OR (measured_at, id) < ($2::timestamptz, $3::bigint))
        AND ($4::timestamptz IS NULL OR measured_at >= $4::timestamptz)
      ORDER BY measured_at DESC, id DESC LIMIT $5`,
    [tenantId, opts.after?.measuredAt ?? null, opts.after?.id ?? null, opts.since ?? null, opts.limit],
  );
  return rows.map((r) => ({
    sample: sampleOfCols(tenantId, r)!,
    position: { measuredAt: r.s_measured_text, id: String(r.s_id) },
  }));
}

/** What is enforced on a tenant (nothing before the first decision). */
export async function enforcementOf(db: Queryable, tenantId: string): Promise<QuotaEnforcement> {
  const { rows } = await db.query<{
    installs_blocked: boolean;
    suspended: boolean;
    since: Date | null;
    grace_ends_at: Date | null;
  }>('SELECT installs_blocked, suspended, since, grace_ends_at FROM quota_states WHERE tenant_id = $1', [
    tenantId,
  ]);
  const r = rows[0];
  if (!r) return { installsBlocked: false, suspended: false };
  return {
    installsBlocked: r.installs_blocked,
    suspended: r.suspended,
    ...(r.since ? { since: r.since.toISOString() } : {}),
    ...(r.grace_ends_at ? { graceEndsAt: r.grace_ends_at.toISOString() } : {}),
  };
}

/** A tenant's trial, or null. */
export async function trialOf(db: Queryable, tenantId: string): Promise<QuotaTrial | null> {
  const { rows } = await db.query<{ started_at: Date; ends_at: Date; state: QuotaTrial['state'] }>(
    'SELECT started_at, ends_at, state FROM trials WHERE tenant_id = $1',
    [tenantId],
  );
  const r = rows[0];
  return r
    ? { startedAt: r.started_at.toISOString(), endsAt: r.ends_at.toISOString(), state: r.state }
    : null;
}
