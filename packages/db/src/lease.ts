import { performance } from 'node:perf_hooks';
import type { Queryable } from './pool.ts';

/** A named lease in `ocp_lease`: one holder at a time, lost when not renewed before it expires. */
export interface Lease {
  /** Takes the lease when free or expired, or renews it when this holder has it; true if held. */
  acquire(): Promise<boolean>;
  /** True while the last renewal is younger than the lease, by this process's own clock. */
  held(): boolean;
  /** True once half the lease has passed since the last renewal. */
  renewalDue(): boolean;
  /** Gives the lease up, so another holder can take it at once. */
  release(): Promise<void>;
}

/**
 * A lease on `name` for `holder`, `ttlMs` long. Expiry is decided by the database clock only, so
 * hosts with skewed clocks agree; the holder counts its own validity from the moment it sent the
 * renewal, which is never later than the database's, so it stops before another can start.
 */
export function createLease(db: Queryable, opts: { name: string; holder: string; ttlMs: number }): Lease {
  const { name, holder, ttlMs } = opts;
  let renewedAt: number | undefined;
  return {
    async acquire() {
      const sentAt = performance.now();
      const res = await db.query(
        `INSERT INTO ocp_lease AS l (name, holder, expires_at)
         VALUES ($1, $2, clock_timestamp() + $3::bigint * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE l.holder = EXCLUDED.holder OR l.expires_at <= clock_timestamp()`,
        [name, holder, ttlMs],
      );
      renewedAt = res.rowCount === 1 ? sentAt : undefined;
      return renewedAt !== undefined;
    },
    held: () => renewedAt !== undefined && performance.now() - renewedAt < ttlMs,
    renewalDue: () => renewedAt === undefined || performance.now() - renewedAt >= ttlMs / 2,
    async release() {
      renewedAt = undefined;
      await db.query('DELETE FROM ocp_lease WHERE name = $1 AND holder = $2', [name, holder]);
    },
  };
}
