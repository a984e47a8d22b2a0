import type { PlanInput, PlanMetered, QuotaPlan } from '@ocp/contracts';
import type { Queryable } from '@ocp/db';

/** A row of `plans`. bigint columns come back as strings (pg's default for int8). */
export interface PlanRow {
  name: string;
  display_name: string;
  odoo_version: string | null;
  limit_active_users: string | null;
  limit_database_bytes: string | null;
  limit_filestore_bytes: string | null;
  limit_backup_bytes: string | null;
  limit_backup_generations: string | null;
  allowed_modules: string[] | null;
  default_modules: string[];
  trial_days: number | null;
  at_limit_action: 'block' | 'suspend';
  grace_seconds: number;
  metered: PlanMetered;
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

/** The API's plan from its row. */
export function toPlan(r: PlanRow): QuotaPlan {
  return {
    name: r.name,
    displayName: r.display_name,
    odooVersion: r.odoo_version as QuotaPlan['odooVersion'],
    limits: {
      activeUsers: num(r.limit_active_users),
      databaseBytes: num(r.limit_database_bytes),
      filestoreBytes: num(r.limit_filestore_bytes),
      backupBytes: num(r.limit_backup_bytes),
      backupGenerations: num(r.limit_backup_generations),
    },
    allowedModules: r.allowed_modules,
    defaultModules: r.default_modules,
    trialDays: r.trial_days,
    atLimit: { action: r.at_limit_action, graceSeconds: r.grace_seconds },
    metered: r.metered,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** A plan by name, deleted ones included (their version carries on); `lock` takes its row lock. */
export async function planRow(db: Queryable, name: string, lock = false): Promise<PlanRow | undefined> {
  const { rows } = await db.query<PlanRow>(
    `SELECT * FROM plans WHERE name = $1${lock ? ' FOR UPDATE' : ''}`,
    [name],
  );
  return rows[0];
}

/** A live plan by name. */
export async function getPlan(db: Queryable, name: string): Promise<QuotaPlan | undefined> {
  const row = await planRow(db, name);
  return row && !row.deleted_at ? toPlan(row) : undefined;
}

/** A page of live plans by name, after `after`. */
export async function listPlans(
  db: Queryable,
  after: string | undefined,
  limit: number,
): Promise<QuotaPlan[]> {
  const { rows } = await db.query<PlanRow>(
    `SELECT * FROM plans WHERE deleted_at IS NULL AND ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2`,
    [after ?? null, limit],
  );
  return rows.map(toPlan);
}

/**
 * Writes a plan (create, replace, or make again a deleted one) at `version`, keeping the first
 * creation time of a live plan; returns the row as stored.
 */
export async function writePlan(
  db: Queryable,
  p: PlanInput,
  version: number,
  keepCreatedAt: boolean,
  now: Date,
): Promise<PlanRow> {
  const { rows } = await db.query<PlanRow>(
    `INSERT INTO plans (name, display_name, odoo_version, limit_active_users, limit_database_bytes,
       limit_filestore_bytes, limit_backup_bytes, limit_backup_generations, allowed_modules, default_modules,
       trial_days, at_limit_action, grace_seconds, metered, version, created_at, updated_at, deleted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, NULL)
     ON CONFLICT (name) DO UPDATE SET display_name = $2, odoo_version = $3, limit_active_users = $4,
       limit_database_bytes = $5, limit_filestore_bytes = $6, limit_backup_bytes = $7,
       limit_backup_generations = $8, allowed_modules = $9, default_modules = $10, trial_days = $11,
       at_limit_action = $12, grace_seconds = $13, metered = $14, version = $15,
       created_at = CASE WHEN $17 THEN plans.created_at ELSE $16 END, updated_at = $16, deleted_at = NULL
     RETURNING *`,
    [
      p.name,
      p.displayName,
      p.odooVersion ?? null,
      p.limits.activeUsers,
      p.limits.databaseBytes,
      p.limits.filestoreBytes,
      p.limits.backupBytes,
      p.limits.backupGenerations,
      p.allowedModules ?? null,
      p.defaultModules ?? [],
      p.trialDays ?? null,
      p.atLimit?.action ?? 'block',
      p.atLimit?.graceSeconds ?? 0,
      JSON.stringify(p.metered ?? null),
      version,
      now,
      keepCreatedAt,
    ],
  );
  return rows[0]!;
}

/** Marks a plan deleted at `version`; returns the row as stored. */
export async function markPlanDeleted(
  db: Queryable,
  name: string,
  version: number,
  now: Date,
): Promise<PlanRow> {
  const { rows } = await db.query<PlanRow>(
    'UPDATE plans SET deleted_at = $2, updated_at = $2, version = $3 WHERE name = $1 RETURNING *',
    [name, now, version],
  );
  return rows[0]!;
}
