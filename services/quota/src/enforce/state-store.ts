import type { PoolClient, Queryable } from '@ocp/db';
import { type Figures, initialLevels, type Levels, METRICS } from './levels.ts';
import { type EnforcementState, initialEnforcement } from './policy.ts';

/** A tenant's row of `quota_enforcement`: what the last evaluation found and decided. */
export interface TenantEnforcement extends EnforcementState {
  levels: Levels;
  /** The last measured value of each figure (a figure a sample could not measure keeps its last). */
  figures: Figures;
  graceEndsAt: Date | null;
  updatedAt: Date | null;
}

interface Row {
  levels: Levels;
  figures: Figures;
  installs_blocked: boolean;
  access_revoked: boolean;
  exceeded_since: Date | null;
  grace_ends_at: Date | null;
  updated_at: Date | null;
}

const noFigures = (): Figures => ({
  activeUsers: null,
  databaseBytes: null,
  filestoreBytes: null,
  backupBytes: null,
  backupGenerations: null,
});

const fromRow = (r: Row | undefined): TenantEnforcement =>
  r
    ? {
        levels: { ...initialLevels(), ...r.levels },
        figures: { ...noFigures(), ...r.figures },
        installsBlocked: r.installs_blocked,
        accessRevoked: r.access_revoked,
        exceededSince: r.exceeded_since,
        graceEndsAt: r.grace_ends_at,
        updatedAt: r.updated_at,
      }
    : {
        levels: initialLevels(),
        figures: noFigures(),
        ...initialEnforcement(),
        graceEndsAt: null,
        updatedAt: null,
      };

/**
 * Locks the tenant's enforcement row for an evaluation (made on first use), so two evaluations of
 * one tenant (a scan and a plan change) take turns and each sees what the other decided.
 */
export async function lockEnforcement(client: PoolClient, tenantId: string): Promise<TenantEnforcement> {
  await client.query(
    'INSERT INTO quota_enforcement (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING',
    [tenantId],
  );
  const { rows } = await client.query<Row>(
    'SELECT * FROM quota_enforcement WHERE tenant_id = $1 FOR UPDATE',
    [tenantId],
  );
  return fromRow(rows[0]);
}

/** A tenant's enforcement as last decided (the initial one when it was never evaluated). */
export async function enforcementOf(db: Queryable, tenantId: string): Promise<TenantEnforcement> {
  const { rows } = await db.query<Row>('SELECT * FROM quota_enforcement WHERE tenant_id = $1', [tenantId]);
  return fromRow(rows[0]);
}

/** Records an evaluation, in the transaction that queues its events. */
export async function saveEnforcement(
  client: PoolClient,
  tenantId: string,
  e: Omit<TenantEnforcement, 'updatedAt'>,
): Promise<void> {
  await client.query(
    `UPDATE quota_enforcement SET levels = $2, figures = $3, installs_blocked = $4, access_revoked = $5,
       exceeded_since = $6, grace_ends_at = $7, updated_at = now() WHERE tenant_id = $1`,
    [
      tenantId,
      JSON.stringify(e.levels),
      JSON.stringify(e.figures),
      e.installsBlocked,
      e.accessRevoked,
      e.exceededSince,
      e.graceEndsAt,
    ],
  );
}

/** Tenants whose grace period has run out without their access being revoked yet. */
export async function graceExpired(db: Queryable, now: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM quota_enforcement
      WHERE grace_ends_at IS NOT NULL AND grace_ends_at <= $1 AND NOT access_revoked
      ORDER BY grace_ends_at LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.tenant_id);
}

/** Keeps each figure a sample measured, and the last one for each it could not. */
export function mergeFigures(last: Figures, sample: Partial<Figures>): Figures {
  const out = { ...last };
  for (const m of METRICS) {
    const v = sample[m];
    if (typeof v === 'number') out[m] = v;
  }
  return out;
}
