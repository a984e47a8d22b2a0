import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/** What makes a database cloned from a template one tenant's own Odoo database. */
export interface Personalisation {
  /** The administrator's login (res.users id 2). */
  adminLogin: string;
  /** The administrator's password hash, `$pbkdf2-sha512$600000$...` (odooPasswordHash); undefined keeps the template's. */
  adminPasswordHash: string | undefined;
  /** The main company's name (res.company id 1) and its partner's. */
  companyName: string;
  /** `web.base.url`: the tenant's address. */
  baseUrl: string;
}

/** A tenant's address (its `web.base.url`) from the TENANT_BASE_URL template. */
export const baseUrlFor = (template: string, slug: string) => template.replaceAll('{slug}', slug);

/** `YYYY-MM-DD HH:MM:SS` in UTC, as Odoo writes `database.create_date`. */
export const odooDateTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** Sets (or adds) system parameters (`ir_config_parameter`) in the database `c` is in. */
export async function setParameters(
  c: pg.ClientBase,
  params: ReadonlyArray<readonly [string, string]>,
): Promise<void> {
  // Update what is there, insert what is not: no reliance on a unique index's name.
  await c.query(
    `WITH given AS (SELECT * FROM unnest($1::text[], $2::text[]) AS g(key, value)),
     updated AS (
       UPDATE ir_config_parameter p SET value = given.value, write_uid = 1,
              write_date = now() at time zone 'utc'
         FROM given WHERE p.key = given.key RETURNING p.key)
     INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
     SELECT key, value, 1, 1, now() at time zone 'utc', now() at time zone 'utc' FROM given
      WHERE key NOT IN (SELECT key FROM updated)`,
    [params.map(([k]) => k), params.map(([, v]) => v)],
  );
}

/**
 * Writes a tenant's own identity into its database, on a connection already in a transaction on
 * that database as its owner (DbServerAdmin.inTenantDatabase): a new `database.uuid` and
 * `database.secret` (so no two tenants, and no tenant and its template, share them: Odoo signs
 * sessions and tokens with the secret), `database.create_date`, `web.base.url`, the
 * administrator's login and password hash, and the company's name. Running it again gives new
 * uuid and secret and the same rest, so a retried provisioning ends in the same place.
 */
export async function personalise(c: pg.ClientBase, p: Personalisation, now = new Date()): Promise<void> {
  const params: Array<[string, string]> = [
    ['database.uuid', randomUUID()],
    ['database.secret', randomUUID()],
    ['database.create_date', odooDateTime(now)],
    ['web.base.url', p.baseUrl],
  ];
  await setParameters(c, params);
  const user = await c.query(
    `UPDATE res_users SET login = $1, password = COALESCE($2, password), write_uid = 1,
            write_date = now() at time zone 'utc'
      WHERE id = 2`,
    [p.adminLogin, p.adminPasswordHash ?? null],
  );
  if (user.rowCount !== 1) throw new Error('the template has no administrator (res_users id 2)');
  const company = await c.query<{ partner_id: number }>(
    `UPDATE res_company SET name = $1, write_uid = 1, write_date = now() at time zone 'utc'
      WHERE id = 1 RETURNING partner_id`,
    [p.companyName],
  );
  const partnerId = company.rows[0]?.partner_id;
  if (partnerId === undefined) throw new Error('the template has no main company (res_company id 1)');
  await c.query(
    `UPDATE res_partner SET name = $1, complete_name = $1, write_uid = 1,
            write_date = now() at time zone 'utc' WHERE id = $2`,
    [p.companyName, partnerId],
  );
}
