import type { Pool } from '@ocp/db';

export interface ThrottleLimits {
  /**
   * Failed logins of one account (by email, known or not) from one source address that lock that
   * pair: someone who knows an email locks it out only at their own address.
   */
  pairFailures: number;
  /** Failed logins of one account from every address together that lock it everywhere (the ceiling). */
  accountFailures: number;
  /** Failed logins from one source address that lock it. */
  ipFailures: number;
  /** Failures count within this many seconds of the first one. */
  windowSeconds: number;
  /** How long a lock lasts. */
  lockSeconds: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface LoginThrottle {
  /**
   * Counts the attempt as a failure before the password is checked, so parallel guesses cannot
   * pass the limit; refuses when the account or the address is locked.
   */
  admit(email: string, ip: string): Promise<Admission>;
  /** The password was right: the account starts afresh, and the attempt was no failure. */
  succeeded(email: string, ip: string): Promise<void>;
  /** The password was wrong: locks what reached its limit. */
  failed(email: string, ip: string): Promise<void>;
  /**
   * Lifts every lock of an account and forgets its failures, at every address (addresses' own
   * counts stay). Answers how many locks were in force.
   */
  unlock(email: string): Promise<{ locksLifted: number }>;
}

/** What a key of `login_throttle` counts: one account at one address, one account, one address. */
const accountKey = (email: string) => `account:${email.toLowerCase()}`;
// A space ends the email: an account's email has none, so no other account's keys share the prefix.
const pairPrefix = (email: string) => `pair:${email.toLowerCase()} `;

/**
 * Login rate limits and lockouts, kept in the gateway's database so every replica applies the
 * same counts.
 */
export function createLoginThrottle(pool: Pool, limits: ThrottleLimits): LoginThrottle {
  let lastCleanup = 0;
  const keysOf = (email: string, ip: string) => [`${pairPrefix(email)}${ip}`, accountKey(email), `ip:${ip}`];
  const limitOf = (key: string) =>
    key.startsWith('pair:')
      ? limits.pairFailures
      : key.startsWith('account:')
        ? limits.accountFailures
        : limits.ipFailures;

  async function lock(keys: string[]): Promise<void> {
    await pool.query(
      `UPDATE login_throttle SET locked_until = now() + $2 * interval '1 second', failures = 0
       WHERE key = ANY($1::text[])`,
      [keys, limits.lockSeconds],
    );
  }

  async function cleanup(): Promise<void> {
    if (Date.now() - lastCleanup < 60_000) return;
    lastCleanup = Date.now();
    await pool.query(
      `DELETE FROM login_throttle WHERE window_started_at < now() - $1 * interval '1 second'
       AND (locked_until IS NULL OR locked_until < now())`,
      [limits.windowSeconds],
    );
  }

  return {
    async admit(email, ip) {
      const keys = keysOf(email, ip);
      const locked = await pool.query<{ s: number | null }>(
        `SELECT max(ceil(extract(epoch FROM locked_until - now())))::int AS s FROM login_throttle
         WHERE key = ANY($1::text[]) AND locked_until > now()`,
        [keys],
      );
      const s = locked.rows[0]?.s;
      if (s) return { ok: false, retryAfterSeconds: Math.max(1, s) };
      const { rows } = await pool.query<{ key: string; failures: number }>(
        `INSERT INTO login_throttle AS t (key, failures, window_started_at)
         SELECT k, 1, now() FROM unnest($1::text[]) AS k
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN t.window_started_at <= now() - $2 * interval '1 second' THEN 1
                           ELSE t.failures + 1 END,
           window_started_at = CASE WHEN t.window_started_at <= now() - $2 * interval '1 second' THEN now()
                                    ELSE t.window_started_at END
         RETURNING key, failures`,
        [keys, limits.windowSeconds],
      );
      const over = rows.filter((r) => r.failures > limitOf(r.key)).map((r) => r.key);
      if (over.length > 0) {
        await lock(over);
        return { ok: false, retryAfterSeconds: limits.lockSeconds };
      }
      return { ok: true };
    },
    async succeeded(email, ip) {
      const [pair, account, addr] = keysOf(email, ip);
      await pool.query('DELETE FROM login_throttle WHERE key = $1', [pair]);
      // Only this attempt is taken back: failures from other addresses still count to the ceiling.
      await pool.query(
        'UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = ANY($1::text[])',
        [[account, addr]],
      );
      await cleanup();
    },
    async failed(email, ip) {
      const { rows } = await pool.query<{ key: string; failures: number }>(
        'SELECT key, failures FROM login_throttle WHERE key = ANY($1::text[])',
        [keysOf(email, ip)],
      );
      const reached = rows.filter((r) => r.failures >= limitOf(r.key)).map((r) => r.key);
      if (reached.length > 0) await lock(reached);
    },
    async unlock(email) {
      // A prefix compared as text, never as a LIKE pattern: an email may hold % or _.
      const { rows } = await pool.query<{ locked: boolean }>(
        `DELETE FROM login_throttle
         WHERE key = $1 OR left(key, length($2)) = $2
         RETURNING coalesce(locked_until > now(), false) AS locked`,
        [accountKey(email), pairPrefix(email)],
      );
      return { locksLifted: rows.filter((r) => r.locked).length };
    },
  };
}
