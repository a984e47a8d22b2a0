import type { QuotaLevels, QuotaMetric } from '@ocp/contracts';
import type { PoolClient, Queryable } from '@ocp/db';
import { METRICS } from '../domain/limits.ts';
import { type Figures, unknownLevels } from './crossings.ts';
import type { EnforcementState } from './policy.ts';

/** A tenant's row of `quota_states`: the levels last judged and what is enforced. */
export interface TenantState extends EnforcementState {
  levels: QuotaLevels;
  graceEndsAt: Date | null;
}

interface Row {
  levels: Partial<QuotaLevels>;
  installs_blocked: boolean;
  suspended: boolean;
  since: Date | null;
  grace_ends_at: Date | null;
}

/**
 * Locks the tenant's state row for an evaluation (made on first use), so two evaluations of one
 * tenant (a scan and a plan change, or the grace check) take turns and each sees what the other
 * decided.
 */
export async function lockState(client: PoolClient, tenantId: string): Promise<TenantState> {
  await client.query('INSERT INTO quota_states (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING', [
    tenantId,
  ]);
  const { rows } = await client.query<Row>(
    'SELECT levels, installs_blocked, suspended, since, grace_ends_at FROM quota_states WHERE tenant_id = $1 FOR UPDATE',
    [tenantId],
  );
  const r = rows[0]!;
  return {
    levels: { ...unknownLevels(), ...r.levels },
    installsBlocked: r.installs_blocked,
    accessRevoked: r.suspended,
    exceededSince: r.since,
    graceEndsAt: r.grace_ends_at,
  };
}

/** Records an evaluation, in the transaction that queues its events. */
export async function saveState(client: PoolClient, tenantId: string, s: TenantState): Promise<void> {
  await client.query(
    `UPDATE quota_states SET levels = $2, installs_blocked = $3, suspended = $4, since = $5,
       grace_ends_at = $6, updated_at = now() WHERE tenant_id = $1`,
    [tenantId, JSON.stringify(s.levels), s.installsBlocked, s.accessRevoked, s.exceededSince, s.graceEndsAt],
  );
}

/** Tenants whose grace period has run out without their access being revoked yet. */
export async function graceExpired(db: Queryable, now: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM quota_states
      WHERE grace_ends_at IS NOT NULL AND grace_ends_at <= $1 AND NOT suspended
      ORDER BY grace_ends_at LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.tenant_id);
}

/**
 * The last measured value of each figure of a tenant: what a re-evaluation judges (a plan or
 * override change). A figure the latest sample could not measure is taken from the sample before.
 */
export async function lastFigures(db: Queryable, tenantId: string): Promise<Figures> {
  const last = (column: string) =>
    `(SELECT ${column} FROM usage_samples WHERE tenant_id = $1 AND ${column} IS NOT NULL
       ORDER BY measured_at DESC, id DESC LIMIT 1)`;
  const { rows } = await db.query<Record<QuotaMetric, string | null>>(
    `SELECT ${last('active_users')} AS "activeUsers", ${last('database_bytes')} AS "databaseBytes",
            ${last('filestore_bytes')} AS "filestoreBytes", ${last('backup_bytes')} AS "backupBytes",
            ${last('backup_generations')} AS "backupGenerations"`,
    [tenantId],
  );
  const r = rows[0]!;
  return Object.fromEntries(METRICS.map((m) => [m, r[m] === null ? null : Number(r[m])])) as Figures;
}
