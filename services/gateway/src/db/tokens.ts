import type { Queryable } from '@ocp/db';
import { OPERATOR_COLUMNS_O, type OperatorRow } from './operators.ts';
import { type Cursor, keysetPage } from './pages.ts';

export interface TokenRow {
  id: string;
  operator_id: string;
  created_by: string | null;
  name: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  operator_kind: 'human' | 'service';
  operator_email: string | null;
  operator_name: string | null;
}

/** An API token as the API shows it: never the token or its hash. */
export interface ApiToken {
  id: string;
  name: string;
  operator: { id: string; kind: 'human' | 'service'; email: string | null; name: string | null };
  createdBy: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const TOKEN_COLUMNS = `t.id, t.operator_id, t.created_by, t.name, t.scopes, t.created_at, t.expires_at,
  t.revoked_at, t.last_used_at, o.kind AS operator_kind, o.email AS operator_email, o.name AS operator_name`;
const FROM = 'api_tokens t JOIN operators o ON o.id = t.operator_id';

export function toApiToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    name: r.name,
    operator: { id: r.operator_id, kind: r.operator_kind, email: r.operator_email, name: r.operator_name },
    createdBy: r.created_by,
    scopes: r.scopes,
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}

export async function insertToken(
  q: Queryable,
  t: { operatorId: string; createdBy: string; name: string; hash: Buffer; scopes: string[]; days: number },
): Promise<TokenRow> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO api_tokens (operator_id, created_by, name, token_hash, scopes, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 day') RETURNING id`,
    [t.operatorId, t.createdBy, t.name, t.hash, t.scopes, t.days],
  );
  return (await getToken(q, rows[0]!.id))!;
}

export async function getToken(q: Queryable, id: string): Promise<TokenRow | undefined> {
  const { rows } = await q.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ${FROM} WHERE t.id = $1`, [id]);
  return rows[0];
}

/**
 * The token of a hash, whatever its state (the caller says why an expired or revoked one is
 * refused), with the account it acts for.
 */
export async function tokenFor(
  q: Queryable,
  hash: Buffer,
): Promise<
  | {
      id: string;
      scopes: string[];
      expired: boolean;
      revokedAt: Date | null;
      expiresAt: Date;
      stale: boolean;
      operator: OperatorRow;
    }
  | undefined
> {
  const { rows } = await q.query<
    OperatorRow & {
      token_id: string;
      scopes: string[];
      expires_at: Date;
      revoked_at: Date | null;
      expired: boolean;
      stale: boolean;
    }
  >(
    `SELECT ${OPERATOR_COLUMNS_O}, t.id AS token_id, t.scopes, t.expires_at, t.revoked_at,
       t.expires_at <= now() AS expired,
       (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale
     FROM api_tokens t JOIN operators o ON o.id = t.operator_id WHERE t.token_hash = $1`,
    [hash],
  );
  const r = rows[0];
  if (!r) return undefined;
  const { token_id, scopes, expires_at, revoked_at, expired, stale, ...operator } = r;
  return { id: token_id, scopes, expiresAt: expires_at, revokedAt: revoked_at, expired, stale, operator };
}

/** Records that a token was used (at most once a minute, to keep reads cheap). */
export async function touchToken(q: Queryable, id: string): Promise<void> {
  await q.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [id]);
}

/** One page of tokens, newest first: every token, or those of (or made by) one account. */
export async function listTokens(
  q: Queryable,
  f: { limit: number; cursor?: Cursor | undefined; ownerOrCreator?: string },
): Promise<{ rows: TokenRow[]; next: Cursor | null }> {
  return keysetPage<TokenRow>(q, { from: FROM, columns: TOKEN_COLUMNS, key: 't' }, f, (arg) => {
    if (!f.ownerOrCreator) return [];
    const me = arg(f.ownerOrCreator);
    return [`(t.operator_id = ${me} OR t.created_by = ${me})`];
  });
}

/** Revokes a token (again is fine); undefined when there is no such token. */
export async function revokeToken(q: Queryable, id: string): Promise<TokenRow | undefined> {
  await q.query('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1', [id]);
  return getToken(q, id);
}
