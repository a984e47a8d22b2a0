import type pg from 'pg';

/**
 * Neutralisation of a staging copy, as Odoo's own (`odoo/modules/neutralize.py` runs each
 * installed module's `data/neutralize.sql`): the copy sends no mail, fetches none, calls no
 * webhook, spends no IAP credit, takes no payment and runs no scheduled action but the
 * auto-vacuum, and shows the "neutralized database" banner. The effects are the ones recorded on
 * Odoo 18.0 (../shared/odoo/FACTS-more.md). Each statement runs only when the tables and columns
 * it uses exist, which is how a module that is not installed shows, so any database is fine.
 */

interface Step {
  /** The module whose script this follows. */
  module: string;
  /** Table -> columns the statement needs. */
  needs: Record<string, readonly string[]>;
  sql: string;
}

const STEPS: readonly Step[] = [
  // base: scheduled actions off, except the auto-vacuum (found by its external identifier).
  {
    module: 'base',
    needs: { ir_cron: ['id', 'active'], ir_model_data: ['module', 'name', 'model', 'res_id'] },
    sql: `UPDATE ir_cron SET active = false
           WHERE id NOT IN (SELECT res_id FROM ir_model_data
                             WHERE module = 'base' AND name = 'autovacuum_job' AND model = 'ir.cron')`,
  },
  // Without external identifiers, the auto-vacuum is known by its name.
  {
    module: 'base',
    needs: { ir_cron: ['active', 'cron_name'] },
    sql: `UPDATE ir_cron SET active = false
           WHERE NOT EXISTS (SELECT 1 FROM information_schema.tables
                              WHERE table_schema = current_schema() AND table_name = 'ir_model_data')
             AND cron_name IS DISTINCT FROM 'Base: Auto-vacuum internal data'`,
  },
  {
    module: 'base',
    needs: { ir_config_parameter: ['key', 'value'] },
    sql: `WITH updated AS (UPDATE ir_config_parameter SET value = 'true'
                            WHERE key = 'database.is_neutralized' RETURNING id)
          INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
          SELECT 'database.is_neutralized', 'true', 1, 1, now() at time zone 'utc', now() at time zone 'utc'
           WHERE NOT EXISTS (SELECT 1 FROM updated)`,
  },
  // Every outgoing mail server off, and one that goes nowhere in front of any the command line gives.
  {
    module: 'base',
    needs: {
      ir_mail_server: ['name', 'smtp_host', 'smtp_port', 'smtp_encryption', 'smtp_authentication', 'active'],
    },
    sql: `UPDATE ir_mail_server SET active = false;
          INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active)
          VALUES ('neutralization - disable emails', 'invalid', 1025, 'none', 'login', true)`,
  },
  {
    module: 'base',
    needs: { ir_act_server: ['state', 'webhook_url'] },
    sql: `UPDATE ir_act_server SET webhook_url = 'neutralization - disable webhook' WHERE state = 'webhook'`,
  },
  // web: the banner that says the database is neutralised.
  {
    module: 'web',
    needs: { ir_ui_view: ['key', 'active'] },
    sql: `UPDATE ir_ui_view SET active = true WHERE key = 'web.neutralize_banner'`,
  },
  // iap: tokens disabled (a `+...` suffix replaced by `+disabled`, long ones made a dummy).
  {
    module: 'iap',
    needs: { iap_account: ['account_token'] },
    sql: `UPDATE iap_account SET account_token = CASE
            WHEN length(account_token) > 33 THEN 'dummy_value+disabled'
            ELSE regexp_replace(account_token, '(\\+.*)?$', '+disabled') END
           WHERE account_token IS NOT NULL`,
  },
  // mail: incoming servers off, web push keys gone, templates without a forced server.
  {
    module: 'mail',
    needs: { fetchmail_server: ['active'] },
    sql: 'UPDATE fetchmail_server SET active = false',
  },
  {
    module: 'mail',
    needs: { ir_config_parameter: ['key'] },
    sql: `DELETE FROM ir_config_parameter
           WHERE key IN ('mail.web_push_vapid_private_key', 'mail.web_push_vapid_public_key', 'mail.sfu_server_key')`,
  },
  {
    module: 'mail',
    needs: { mail_template: ['mail_server_id'] },
    sql: 'UPDATE mail_template SET mail_server_id = NULL',
  },
  { module: 'mail', needs: { mail_push: [] }, sql: 'DELETE FROM mail_push' },
  { module: 'mail', needs: { mail_push_device: [] }, sql: 'DELETE FROM mail_push_device' },
  // payment: every provider that could take money disabled.
  {
    module: 'payment',
    needs: { payment_provider: ['state'] },
    sql: `UPDATE payment_provider SET state = 'disabled' WHERE state NOT IN ('test', 'disabled')`,
  },
  // auth_oauth: no sign-in through outside providers.
  {
    module: 'auth_oauth',
    needs: { auth_oauth_provider: ['enabled'] },
    sql: 'UPDATE auth_oauth_provider SET enabled = false',
  },
  // website: no domain, no CDN, robots kept out, the ribbon on.
  {
    module: 'website',
    needs: { website: ['domain', 'cdn_activated', 'robots_txt'] },
    sql: `UPDATE website SET domain = NULL, cdn_activated = false, robots_txt = E'User-agent: *\\nDisallow: /'`,
  },
  {
    module: 'website',
    needs: { ir_ui_view: ['key', 'active'], website: [] },
    sql: `UPDATE ir_ui_view SET active = true WHERE key = 'website.neutralize_ribbon'`,
  },
  // delivery: carriers of outside providers off and out of production.
  {
    module: 'delivery',
    needs: { delivery_carrier: ['prod_environment', 'active', 'delivery_type'] },
    sql: `UPDATE delivery_carrier SET prod_environment = false, active = false
           WHERE delivery_type NOT IN ('fixed', 'base_on_rule')`,
  },
];

/**
 * Neutralises the database `c` is in (the caller's transaction, as the database's owner).
 * Answers the modules whose statements ran.
 */
export async function neutralise(c: pg.ClientBase): Promise<string[]> {
  const { rows } = await c.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
    [[...new Set(STEPS.flatMap((s) => Object.keys(s.needs)))]],
  );
  const columns = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = columns.get(r.table_name) ?? new Set<string>();
    set.add(r.column_name);
    columns.set(r.table_name, set);
  }
  const ran = new Set<string>();
  for (const step of STEPS) {
    const ok = Object.entries(step.needs).every(([table, cols]) => {
      const have = columns.get(table);
      return have !== undefined && cols.every((col) => have.has(col));
    });
    if (!ok) continue;
    await c.query(step.sql);
    ran.add(step.module);
  }
  return [...ran];
}
