import type { Pool } from '@ocp/db';
import { generatePassword, hashPassword, tokenHash } from '../domain/passwords.ts';

export interface Operator {
  id: string;
  email: string;
  role: 'owner' | 'admin' | 'operator' | 'billing' | 'viewer';
}

/**
 * Creates the first owner when there is no operator at all. Returns the password when it made one
 * (generated unless configured), so the caller can show it once.
 */
export async function ensureFirstOwner(
  pool: Pool,
  email: string,
  configured?: string,
): Promise<{ email: string; password: string } | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('ocp_first_owner'))");
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM operators');
    if (Number(rows[0]?.n) > 0) {
      await client.query('COMMIT');
      return undefined;
    }
    const password = configured ?? generatePassword();
    await client.query("INSERT INTO operators (email, role, password_hash) VALUES ($1, 'owner', $2)", [
      email,
      await hashPassword(password),
    ]);
    await client.query('COMMIT');
    return { email, password };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

export async function findOperatorByEmail(
  pool: Pool,
  email: string,
): Promise<(Operator & { password_hash: string }) | undefined> {
  const { rows } = await pool.query<Operator & { password_hash: string }>(
    'SELECT id, email, role, password_hash FROM operators WHERE lower(email) = lower($1) AND disabled_at IS NULL',
    [email],
  );
  return rows[0];
}

export async function createSession(
  pool: Pool,
  operatorId: string,
  hash: Buffer,
  ttlHours: number,
): Promise<Date> {
  const { rows } = await pool.query<{ expires_at: Date }>(
    "INSERT INTO sessions (token_hash, operator_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 hour') RETURNING expires_at",
    [hash, operatorId, ttlHours],
  );
  return rows[0]!.expires_at;
}

/** The operator behind a live session token, or undefined. */
export async function operatorForToken(pool: Pool, token: string): Promise<Operator | undefined> {
  const { rows } = await pool.query<Operator>(
    `SELECT o.id, o.email, o.role FROM sessions s JOIN operators o ON o.id = s.operator_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND o.disabled_at IS NULL`,
    [tokenHash(token)],
  );
  return rows[0];
}

export async function revokeSession(pool: Pool, token: string): Promise<void> {
  await pool.query('UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [
    tokenHash(token),
  ]);
}
