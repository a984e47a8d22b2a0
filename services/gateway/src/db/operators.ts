import type { Pool, Queryable } from '@ocp/db';
import { judgePassword } from '../domain/password-strength.ts';
import { generatePassword, hashPassword } from '../domain/passwords.ts';
import type { Role } from '../domain/permissions.ts';
import { type Cursor, keysetPage } from './pages.ts';

/** An operator account as the API shows it: never its password hash. */
export interface Operator {
  id: string;
  kind: 'human' | 'service';
  email: string | null;
  name: string | null;
  role: Role;
  /** The tenants it is limited to; null: every tenant. */
  tenantIds: string[] | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface OperatorRow {
  id: string;
  kind: 'human' | 'service';
  email: string | null;
  name: string | null;
  role: Role;
  tenant_ids: string[] | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const OPERATOR_COLUMNS =
  'id, kind, email, name, role, tenant_ids, disabled_at, created_at, updated_at';
/** The same columns of `operators o`, for joins. */
export const OPERATOR_COLUMNS_O = OPERATOR_COLUMNS.split(', ')
  .map((c) => `o.${c}`)
  .join(', ');

export function toOperator(r: OperatorRow): Operator {
  return {
    id: r.id,
    kind: r.kind,
    email: r.email,
    name: r.name,
    role: r.role,
    tenantIds: r.tenant_ids,
    disabled: r.disabled_at !== null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
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
    if (configured !== undefined) {
      const verdict = judgePassword(configured, [email]);
      if (!verdict.ok)
        throw new Error(
          `BOOTSTRAP_OWNER_PASSWORD ${verdict.why} Set a stronger one (a few unrelated words, or a generated password), or leave it unset to have one generated and shown once.`,
        );
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

/** A person who may log in with this email: enabled, with a password. */
export async function findLoginAccount(
  q: Queryable,
  email: string,
): Promise<(OperatorRow & { password_hash: string }) | undefined> {
  const { rows } = await q.query<OperatorRow & { password_hash: string }>(
    `SELECT ${OPERATOR_COLUMNS}, password_hash FROM operators
     WHERE kind = 'human' AND lower(email) = lower($1) AND disabled_at IS NULL`,
    [email],
  );
  return rows[0];
}

export async function passwordHashOf(q: Queryable, id: string): Promise<string | undefined> {
  const { rows } = await q.query<{ password_hash: string | null }>(
    'SELECT password_hash FROM operators WHERE id = $1',
    [id],
  );
  return rows[0]?.password_hash ?? undefined;
}

export async function setPassword(q: Queryable, id: string, hash: string): Promise<void> {
  await q.query('UPDATE operators SET password_hash = $2, updated_at = now() WHERE id = $1', [id, hash]);
}

export async function getOperator(
  q: Queryable,
  id: string,
  forUpdate = false,
): Promise<OperatorRow | undefined> {
  const { rows } = await q.query<OperatorRow>(
    `SELECT ${OPERATOR_COLUMNS} FROM operators WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export async function findServiceAccount(q: Queryable, name: string): Promise<OperatorRow | undefined> {
  const { rows } = await q.query<OperatorRow>(
    `SELECT ${OPERATOR_COLUMNS} FROM operators WHERE kind = 'service' AND lower(name) = lower($1)`,
    [name],
  );
  return rows[0];
}

/** Inserts an account; undefined when the email (or service name) is taken. */
export async function insertOperator(
  q: Queryable,
  o: {
    kind: 'human' | 'service';
    email?: string;
    name?: string;
    role: Role;
    tenantIds: string[] | null;
    passwordHash?: string;
  },
): Promise<OperatorRow | undefined> {
  const { rows } = await q.query<OperatorRow>(
    `INSERT INTO operators (kind, email, name, role, tenant_ids, password_hash)
     VALUES ($1, $2, $3, $4, $5::uuid[], $6)
     ON CONFLICT DO NOTHING
     RETURNING ${OPERATOR_COLUMNS}`,
    [o.kind, o.email ?? null, o.name ?? null, o.role, o.tenantIds, o.passwordHash ?? null],
  );
  return rows[0];
}

export async function updateOperator(
  q: Queryable,
  id: string,
  patch: { role?: Role; tenantIds?: string[] | null; disabled?: boolean },
): Promise<OperatorRow> {
  const { rows } = await q.query<OperatorRow>(
    `UPDATE operators SET
       role = COALESCE($2, role),
       tenant_ids = CASE WHEN $3 THEN $4::uuid[] ELSE tenant_ids END,
       disabled_at = CASE WHEN $5::boolean IS NULL THEN disabled_at
                          WHEN $5 THEN COALESCE(disabled_at, now()) ELSE NULL END,
       updated_at = now()
     WHERE id = $1 RETURNING ${OPERATOR_COLUMNS}`,
    [id, patch.role ?? null, 'tenantIds' in patch, patch.tenantIds ?? null, patch.disabled ?? null],
  );
  return rows[0]!;
}

/** Deletes an account with its sessions and tokens. */
export async function deleteOperator(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM operators WHERE id = $1', [id]);
}

/**
 * Serializes every change that could touch the set of owners, then counts the enabled people who
 * are owners, leaving one out. Call inside the transaction that makes the change.
 */
export async function otherActiveOwners(q: Queryable, exceptId: string): Promise<number> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext('ocp_operators_owners'))");
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM operators
     WHERE role = 'owner' AND kind = 'human' AND disabled_at IS NULL AND id <> $1`,
    [exceptId],
  );
  return rows[0]?.n ?? 0;
}

/** One page of accounts, newest first (keyset over created_at, id). */
export async function listOperators(
  q: Queryable,
  f: { limit: number; cursor?: Cursor; role?: Role; kind?: 'human' | 'service' },
): Promise<{ rows: OperatorRow[]; next: Cursor | null }> {
  return keysetPage<OperatorRow>(q, { from: 'operators', columns: OPERATOR_COLUMNS, key: '' }, f, (arg) => {
    const where: string[] = [];
    if (f.role) where.push(`role = ${arg(f.role)}`);
    if (f.kind) where.push(`kind = ${arg(f.kind)}`);
    return where;
  });
}
