import { randomBytes } from 'node:crypto';
import type { Queryable } from '@ocp/db';
import { createOdooClient, type OdooAuth, type OdooClient } from '@ocp/odoo';
import type pg from 'pg';
import type { TenantRow } from '../db/rows.ts';
import { inTenantDatabase, type ServerSql } from '../dbserver/snapshot.ts';
import { ODOO_API_KEY_ROUNDS, odooPasswordHash } from './passwords.ts';

/**
 * Calls into a tenant's Odoo as its administrator without ever holding the administrator's
 * password: for each batch of calls the platform writes a short-lived API key for user 2 straight
 * into the tenant's database (`res_users_apikeys`, as the database's owner), uses it as the
 * password of `execute_kw`, and deletes it afterwards. Odoo accepts an API key in place of the
 * password of a non-interactive call (`res.users._check_credentials` falls back to the keys of
 * scope `rpc`).
 */

/** What the platform needs of a tenant's runtime to call it. */
export interface TenantRuntime {
  id: string;
  name: string;
  rpc_url: string;
  db_role: string;
  filestore_path: string;
  database_server_id: string;
  state: string;
}

export async function runtimeOfTenant(db: Queryable, runtimeId: string): Promise<TenantRuntime | undefined> {
  const { rows } = await db.query<TenantRuntime>(
    `SELECT id, name, rpc_url, db_role, filestore_path, database_server_id, state
       FROM odoo_runtimes WHERE id = $1`,
    [runtimeId],
  );
  return rows[0];
}

/** The user the platform acts as: the administrator every Odoo database has (res.users id 2). */
export const ADMIN_UID = 2;
/** The name the platform's keys carry in `res_users_apikeys`, which Odoo shows in the user's settings. */
export const PLATFORM_KEY_NAME = 'ocp-platform (temporary)';
/** How long a key lives when a crash keeps it from being deleted (Odoo 17+ honours the date). */
const KEY_LIFETIME = '15 minutes';
/** A new API key as Odoo makes them: 40 hexadecimal characters, the first 8 its index. */
export const newApiKey = () => randomBytes(20).toString('hex');

async function hasColumn(c: pg.Client, table: string, column: string): Promise<boolean> {
  const { rowCount } = await c.query(
    `SELECT 1 FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
    [table, column],
  );
  return rowCount === 1;
}

/**
 * Writes a key for user 2 into the tenant's database (and clears the platform's keys a crash left
 * behind); answers its row id.
 */
export async function insertApiKey(sql: ServerSql, tenant: TenantRow, key: string): Promise<number> {
  const hash = await odooPasswordHash(key, ODOO_API_KEY_ROUNDS);
  return await inTenantDatabase(sql, tenant.database_name, tenant.id, async (c) => {
    const expires = await hasColumn(c, 'res_users_apikeys', 'expiration_date');
    await c.query(
      `DELETE FROM res_users_apikeys WHERE name = $1 AND create_date < (now() at time zone 'utc') - interval '1 day'`,
      [PLATFORM_KEY_NAME],
    );
    const { rows } = await c.query<{ id: number }>(
      expires
        ? `INSERT INTO res_users_apikeys (name, user_id, scope, index, key, create_date, expiration_date)
           VALUES ($1, $2, 'rpc', $3, $4, now() at time zone 'utc', (now() at time zone 'utc') + interval '${KEY_LIFETIME}')
           RETURNING id`
        : `INSERT INTO res_users_apikeys (name, user_id, scope, index, key, create_date)
           VALUES ($1, $2, 'rpc', $3, $4, now() at time zone 'utc') RETURNING id`,
      [PLATFORM_KEY_NAME, ADMIN_UID, key.slice(0, 8), hash],
    );
    return rows[0]!.id;
  });
}

async function deleteApiKey(sql: ServerSql, tenant: TenantRow, id: number): Promise<void> {
  await inTenantDatabase(sql, tenant.database_name, tenant.id, async (c) => {
    await c.query('DELETE FROM res_users_apikeys WHERE id = $1 AND name = $2', [id, PLATFORM_KEY_NAME]);
  });
}

/** A client of the tenant's runtime and the credentials of its calls. */
export interface TenantSession {
  odoo: OdooClient;
  auth: OdooAuth;
  runtime: TenantRuntime;
}

/**
 * Runs `fn` with a session on the tenant's Odoo: a key is written before and deleted after, also
 * when `fn` fails. A key that cannot be deleted (the database was switched back meanwhile, which
 * takes it away with the rest) is left to expire.
 */
export async function withTenantSession<T>(
  sql: ServerSql,
  tenant: TenantRow,
  runtime: TenantRuntime,
  opts: { timeoutMs: number },
  fn: (s: TenantSession) => Promise<T>,
): Promise<T> {
  const key = newApiKey();
  const id = await insertApiKey(sql, tenant, key);
  try {
    return await fn({
      odoo: createOdooClient({ url: runtime.rpc_url, timeoutMs: opts.timeoutMs }),
      auth: { db: tenant.database_name, uid: ADMIN_UID, password: key },
      runtime,
    });
  } finally {
    await deleteApiKey(sql, tenant, id).catch(() => {});
  }
}
