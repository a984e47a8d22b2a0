import type { Queryable } from '@ocp/db';

/** A trial row as the trial code reads it. */
export interface TrialRow {
  tenant_id: string;
  started_at: Date;
  ends_at: Date;
  state: 'running' | 'converted' | 'ended';
  notices_sent: number[];
  revoked: boolean;
}

/** A tenant's trial as `quota.tenant.get` shows it. */
export interface TrialView {
  startedAt: string;
  endsAt: string;
  state: TrialRow['state'];
}

const COLUMNS = 'tenant_id, started_at, ends_at, state, notices_sent, revoked';

export function toTrialView(row: TrialRow): TrialView {
  return { startedAt: row.started_at.toISOString(), endsAt: row.ends_at.toISOString(), state: row.state };
}

/** The tenant's trial, or null when it never had one. */
export async function trialOf(db: Queryable, tenantId: string): Promise<TrialView | null> {
  const { rows } = await db.query<TrialRow>(`SELECT ${COLUMNS} FROM trials WHERE tenant_id = $1`, [tenantId]);
  return rows[0] ? toTrialView(rows[0]) : null;
}

/**
 * Starts a trial unless the tenant has had one: a replayed creation event, or a tenant activated
 * after its creation was seen, never restarts or lengthens a trial. True when it was started.
 */
export async function insertTrial(
  db: Queryable,
  tenantId: string,
  startedAt: Date,
  endsAt: Date,
): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO trials (tenant_id, started_at, ends_at, state) VALUES ($1, $2, $3, 'running')
     ON CONFLICT (tenant_id) DO NOTHING`,
    [tenantId, startedAt, endsAt],
  );
  return res.rowCount === 1;
}

/** Locks the tenant's trial row for the caller's transaction; undefined when there is none. */
export async function lockTrial(db: Queryable, tenantId: string): Promise<TrialRow | undefined> {
  const { rows } = await db.query<TrialRow>(`SELECT ${COLUMNS} FROM trials WHERE tenant_id = $1 FOR UPDATE`, [
    tenantId,
  ]);
  return rows[0];
}

/**
 * Locks a running trial for the sweep, skipping one another replica (or the subscription consumer)
 * holds: that one is looked at by the next sweep. The row is read after the lock is taken, so what
 * the caller reads next in its transaction was committed before it.
 */
export async function claimRunningTrial(db: Queryable, tenantId: string): Promise<TrialRow | undefined> {
  const { rows } = await db.query<TrialRow>(
    `SELECT ${COLUMNS} FROM trials WHERE tenant_id = $1 AND state = 'running' FOR UPDATE SKIP LOCKED`,
    [tenantId],
  );
  return rows[0];
}

/**
 * Running trials whose end or first notice falls before `horizon`, soonest first; a tenant being
 * deleted is told nothing more.
 */
export async function runningTrialsBefore(db: Queryable, horizon: Date, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM trials t
      WHERE state = 'running' AND ends_at <= $1
        AND NOT EXISTS (SELECT 1 FROM known_tenants k
                         WHERE k.tenant_id = t.tenant_id AND k.state IN ('deleting', 'deleted'))
      ORDER BY ends_at LIMIT $2`,
    [horizon, limit],
  );
  return rows.map((r) => r.tenant_id);
}

/**
 * Records the notices sent for the trial's current end, unless one of them was recorded already
 * (by another replica): true when this caller recorded them, and so sends the event.
 */
export async function markNoticesSent(
  db: Queryable,
  tenantId: string,
  endsAt: Date,
  days: readonly number[],
): Promise<boolean> {
  const res = await db.query(
    `UPDATE trials SET notices_sent = notices_sent || $3::int[], updated_at = now()
      WHERE tenant_id = $1 AND state = 'running' AND ends_at = $2 AND NOT (notices_sent && $3::int[])`,
    [tenantId, endsAt, days],
  );
  return res.rowCount === 1;
}

/** Ends a running trial whose end has come; null when it was not running (ended elsewhere). */
export async function markTrialEnded(
  db: Queryable,
  tenantId: string,
  now: Date,
  paying: boolean,
): Promise<TrialRow['state'] | null> {
  const { rows } = await db.query<{ state: TrialRow['state'] }>(
    `UPDATE trials SET state = $3, revoked = $4, ended_at = $2, updated_at = now()
      WHERE tenant_id = $1 AND state = 'running' AND ends_at <= $2
      RETURNING state`,
    [tenantId, now, paying ? 'converted' : 'ended', !paying],
  );
  return rows[0]?.state ?? null;
}

/** Moves a trial's end (or starts one): running again, its notices to send anew, access as given. */
export async function saveTrialEnd(
  db: Queryable,
  tenantId: string,
  startedAt: Date,
  endsAt: Date,
): Promise<TrialRow> {
  const { rows } = await db.query<TrialRow>(
    `INSERT INTO trials (tenant_id, started_at, ends_at, state) VALUES ($1, $2, $3, 'running')
     ON CONFLICT (tenant_id) DO UPDATE
       SET ends_at = EXCLUDED.ends_at, state = 'running', notices_sent = '{}', revoked = false,
           ended_at = NULL, updated_at = now()
     RETURNING ${COLUMNS}`,
    [tenantId, startedAt, endsAt],
  );
  return rows[0]!;
}

/** Clears the trial's revocation (access granted back); true when it stood. */
export async function clearTrialRevocation(db: Queryable, tenantId: string): Promise<boolean> {
  const res = await db.query(
    `UPDATE trials SET revoked = false, state = 'converted', updated_at = now()
      WHERE tenant_id = $1 AND revoked`,
    [tenantId],
  );
  return res.rowCount === 1;
}

/** Whether billing reports an active or trialing subscription for the tenant. */
export async function isPaying(db: Queryable, tenantId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM tenant_subscriptions WHERE tenant_id = $1 AND status IN ('active', 'trialing') LIMIT 1`,
    [tenantId],
  );
  return rows.length > 0;
}
