import type { Queryable } from '@ocp/db';
import { OPERATOR_COLUMNS_O, type OperatorRow } from './operators.ts';

export async function createSession(
  q: Queryable,
  s: { operatorId: string; tokenHash: Buffer; csrfHash: Buffer; ttlHours: number },
): Promise<Date> {
  const { rows } = await q.query<{ expires_at: Date }>(
    `INSERT INTO sessions (token_hash, csrf_hash, operator_id, expires_at)
     VALUES ($1, $2, $3, now() + $4 * interval '1 hour') RETURNING expires_at`,
    [s.tokenHash, s.csrfHash, s.operatorId, s.ttlHours],
  );
  return rows[0]!.expires_at;
}

/** The live session of a token hash, with its account (enabled or not). */
export async function sessionFor(
  q: Queryable,
  tokenHash: Buffer,
): Promise<{ operator: OperatorRow; sessionId: string; csrfHash: Buffer | null } | undefined> {
  const { rows } = await q.query<OperatorRow & { session_id: string; csrf_hash: Buffer | null }>(
    `SELECT ${OPERATOR_COLUMNS_O}, s.id AS session_id, s.csrf_hash
     FROM sessions s JOIN operators o ON o.id = s.operator_id
     WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [tokenHash],
  );
  const r = rows[0];
  if (!r) return undefined;
  const { session_id, csrf_hash, ...operator } = r;
  return { operator, sessionId: session_id, csrfHash: csrf_hash };
}

export async function revokeSession(q: Queryable, sessionId: string): Promise<void> {
  await q.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [sessionId]);
}

/** Ends every session of an account, but the one kept (after a password change), if any. */
export async function revokeOtherSessions(
  q: Queryable,
  operatorId: string,
  keepId: string | null,
): Promise<number> {
  const { rowCount } = await q.query(
    `UPDATE sessions SET revoked_at = now()
     WHERE operator_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)`,
    [operatorId, keepId],
  );
  return rowCount ?? 0;
}
