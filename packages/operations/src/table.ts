import { type PoolClient, type Queryable, quoteIdent } from '@ocp/db';

/**
 * Where a service keeps its operations. The table has at least these columns (more are the
 * service's own):
 *
 * | column | type | |
 * | --- | --- | --- |
 * | `id` | uuid | |
 * | `kind` | text | picks the runner |
 * | `state` | text | `queued`, `running`, `succeeded`, `failed` |
 * | `<scope>` | any | what serialises: one operation of a scope runs at a time (`tenant_id`) |
 * | `attempts` | integer | counted at each claim |
 * | `error` | text | the last failure |
 * | `created_at`, `updated_at`, `finished_at` | timestamptz | |
 * | `leased_by` | text | the worker running it, while its lease lives |
 * | `lease_expires_at` | timestamptz | renewed by the worker's heartbeats |
 * | `run_after` | timestamptz NOT NULL DEFAULT now() | a retry's backoff |
 *
 * A trigger notifies `channel` (payload: the scope) when an operation is inserted, ends, or gives
 * its lease back, so workers wake at the commit instead of polling.
 */
export interface OperationTable {
  table: string;
  scope: string;
  channel: string;
}

/** The columns the worker reads and writes; a service's row type extends it. */
export interface OperationRowBase {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  attempts: number;
  error: string | null;
  created_at: Date;
  leased_by: string | null;
  lease_expires_at: Date | null;
}

const OPEN = "('queued', 'running')";

/** The statements of the worker, with the service's names quoted in. */
export function operationSql(spec: OperationTable) {
  const t = quoteIdent(spec.table);
  const scope = quoteIdent(spec.scope);
  return {
    /**
     * Leases the next runnable operation: the oldest open operation of its scope, due, with no live
     * lease on it or on any other operation of the scope. Only the oldest open one of a scope can be
     * claimed, and SKIP LOCKED makes concurrent claimers pass over a row another one is taking, so
     * two operations of one scope never run at once.
     */
    claim: `
      WITH next AS (
        SELECT o.id FROM ${t} o
        WHERE o.state IN ${OPEN} AND o.run_after <= now()
          AND (o.lease_expires_at IS NULL OR o.lease_expires_at <= now())
          AND NOT EXISTS (
            SELECT 1 FROM ${t} e WHERE e.${scope} = o.${scope} AND e.state IN ${OPEN} AND e.id <> o.id
              AND ((e.created_at, e.id) < (o.created_at, o.id) OR e.lease_expires_at > now()))
        ORDER BY o.created_at, o.id
        LIMIT 1
        FOR UPDATE OF o SKIP LOCKED)
      UPDATE ${t} o SET leased_by = $1, lease_expires_at = now() + $2::bigint * interval '1 millisecond',
        attempts = o.attempts + 1, updated_at = now()
      FROM next WHERE o.id = next.id
      RETURNING o.*`,
    /** Extends the leases this worker still holds; returns the ids it still holds. */
    renew: `
      UPDATE ${t} SET lease_expires_at = now() + $3::bigint * interval '1 millisecond'
      WHERE id = ANY($1::uuid[]) AND leased_by = $2 AND state IN ${OPEN}
      RETURNING id`,
    /** Gives the lease back, so the operation (or the next of its scope) can be claimed at once. */
    release: `
      UPDATE ${t} SET leased_by = NULL, lease_expires_at = NULL
      WHERE id = $1 AND leased_by = $2
      RETURNING state`,
    /** A transient failure: recorded, the lease given back, run again after the delay. */
    retry: `
      UPDATE ${t} SET leased_by = NULL, lease_expires_at = NULL, error = $3, updated_at = now(),
        run_after = now() + $4::bigint * interval '1 millisecond'
      WHERE id = $1 AND leased_by = $2 AND state IN ${OPEN}
      RETURNING *`,
    /** A permanent failure, or the last attempt. */
    fail: `
      UPDATE ${t} SET state = 'failed', error = $3, leased_by = NULL, lease_expires_at = NULL,
        finished_at = now(), updated_at = now()
      WHERE id = $1 AND leased_by = $2 AND state IN ${OPEN}
      RETURNING *`,
    /** A runner that returned without ending its operation: it did all it had to. */
    succeed: `
      UPDATE ${t} SET state = 'succeeded', error = NULL, leased_by = NULL, lease_expires_at = NULL,
        finished_at = now(), updated_at = now()
      WHERE id = $1 AND leased_by = $2 AND state IN ${OPEN}
      RETURNING *`,
    /** The operation, once it has ended (its runner may have ended it in a transaction of its own). */
    ended: `SELECT * FROM ${t} WHERE id = $1 AND state IN ('succeeded', 'failed')`,
    /**
     * Milliseconds until something may become claimable without a notification: a retry's backoff
     * ends, or a lease runs out (a worker that died). Null when nothing open waits on time.
     */
    nextDue: `
      SELECT EXTRACT(EPOCH FROM min(GREATEST(run_after, COALESCE(lease_expires_at, run_after))) - now()) * 1000 AS ms
      FROM ${t} WHERE state IN ${OPEN} AND (run_after > now() OR lease_expires_at > now())`,
    listen: `LISTEN ${quoteIdent(spec.channel)}`,
  };
}

export type OperationSql = ReturnType<typeof operationSql>;

/** Runs one statement of the worker; the rows it returned. */
export async function runSql<R extends object>(
  db: Queryable | PoolClient,
  sql: string,
  params: unknown[],
): Promise<R[]> {
  const { rows } = await db.query<R>(sql, params);
  return rows;
}
