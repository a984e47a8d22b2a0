-- Odoo 18.0 core table shapes (columns as in a fresh Odoo 18.0 database), used as the tenant
-- template until a database prepared by an Odoo runtime is configured, and by the Odoo protocol
-- double of the tests for every database it creates. Seeded like a fresh 18.0 database: the
-- inactive __system__ user (1), the admin (2), the base groups, the module catalog (base, web and
-- base_setup installed), base's scheduled actions and the neutralisation banner view.
-- Columns of the tables listed in Odoo's reference column list follow it; the other tables keep
-- Odoo's own column names for the subset the platform and the tests use.
-- Plain SQL only: it runs as the database's owner in one transaction (no extensions, no roles).

CREATE TABLE res_partner (
  id serial PRIMARY KEY,
  company_id integer,
  create_date timestamp without time zone,
  name character varying,
  title integer,
  parent_id integer,
  user_id integer,
  state_id integer,
  country_id integer,
  industry_id integer,
  color integer,
  commercial_partner_id integer,
  create_uid integer,
  write_uid integer,
  complete_name character varying,
  ref character varying,
  lang character varying,
  tz character varying,
  vat character varying,
  company_registry character varying,
  website character varying,
  function character varying,
  type character varying,
  street character varying,
  street2 character varying,
  zip character varying,
  city character varying,
  email character varying,
  phone character varying,
  mobile character varying,
  commercial_company_name character varying,
  company_name character varying,
  barcode jsonb,
  comment text,
  partner_latitude numeric,
  partner_longitude numeric,
  active boolean,
  employee boolean,
  is_company boolean,
  partner_share boolean,
  write_date timestamp without time zone
);

CREATE TABLE res_company (
  id serial PRIMARY KEY,
  name character varying NOT NULL,
  partner_id integer NOT NULL,
  currency_id integer NOT NULL,
  sequence integer,
  create_date timestamp without time zone,
  parent_path character varying,
  parent_id integer,
  paperformat_id integer,
  external_report_layout_id integer,
  create_uid integer,
  write_uid integer,
  email character varying,
  phone character varying,
  mobile character varying,
  font character varying,
  primary_color character varying,
  secondary_color character varying,
  layout_background character varying NOT NULL,
  report_header jsonb,
  report_footer jsonb,
  company_details jsonb,
  active boolean,
  uses_default_logo boolean,
  write_date timestamp without time zone,
  logo_web bytea
);

CREATE TABLE res_users (
  id serial PRIMARY KEY,
  company_id integer NOT NULL,
  partner_id integer NOT NULL,
  active boolean,
  create_date timestamp without time zone,
  login character varying NOT NULL,
  password character varying,
  action_id integer,
  create_uid integer,
  write_uid integer,
  signature text,
  share boolean,
  write_date timestamp without time zone,
  totp_secret character varying,
  tour_enabled boolean
);

CREATE TABLE ir_module_module (
  id serial PRIMARY KEY,
  create_uid integer,
  create_date timestamp without time zone,
  write_date timestamp without time zone,
  write_uid integer,
  website character varying,
  summary jsonb,
  name character varying NOT NULL,
  author character varying,
  icon character varying,
  state character varying,
  latest_version character varying,
  shortdesc jsonb,
  category_id integer,
  description jsonb,
  application boolean,
  demo boolean,
  web boolean,
  license character varying,
  sequence integer,
  auto_install boolean,
  to_buy boolean,
  maintainer character varying,
  published_version character varying,
  url character varying,
  contributors text,
  menus_by_module text,
  reports_by_module text,
  views_by_module text,
  module_type character varying,
  imported boolean
);

CREATE TABLE ir_module_module_dependency (
  id serial PRIMARY KEY,
  name character varying,
  module_id integer,
  auto_install_required boolean
);

CREATE TABLE ir_config_parameter (
  id serial PRIMARY KEY,
  create_uid integer,
  write_uid integer,
  key character varying NOT NULL,
  value text NOT NULL,
  create_date timestamp without time zone,
  write_date timestamp without time zone
);

CREATE TABLE ir_attachment (
  id serial PRIMARY KEY,
  res_id integer,
  company_id integer,
  file_size integer,
  create_uid integer,
  write_uid integer,
  name character varying NOT NULL,
  res_model character varying,
  res_field character varying,
  type character varying NOT NULL,
  url character varying,
  access_token character varying,
  store_fname character varying,
  checksum character varying,
  mimetype character varying,
  description text,
  index_content text,
  public boolean,
  create_date timestamp without time zone,
  write_date timestamp without time zone,
  db_datas bytea,
  original_id integer
);

-- API keys (Odoo 16-18): `index` is the key's first 8 characters, `key` a passlib pbkdf2-sha512 hash.
CREATE TABLE res_users_apikeys (
  id serial PRIMARY KEY,
  name character varying NOT NULL,
  user_id integer NOT NULL REFERENCES res_users (id) ON DELETE CASCADE,
  scope character varying,
  expiration_date timestamp without time zone,
  index character varying(8) NOT NULL CHECK (char_length(index) = 8),
  key character varying NOT NULL,
  create_date timestamp without time zone DEFAULT (now() at time zone 'utc')
);
CREATE INDEX res_users_apikeys_user_id_index_idx ON res_users_apikeys (user_id, index);

CREATE TABLE res_groups (
  id serial PRIMARY KEY,
  name jsonb NOT NULL,
  category_id integer,
  color integer,
  share boolean,
  comment jsonb,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);

CREATE TABLE res_groups_users_rel (
  gid integer NOT NULL REFERENCES res_groups (id) ON DELETE CASCADE,
  uid integer NOT NULL REFERENCES res_users (id) ON DELETE CASCADE,
  PRIMARY KEY (gid, uid)
);
CREATE INDEX res_groups_users_rel_uid_gid_idx ON res_groups_users_rel (uid, gid);

CREATE TABLE ir_model_data (
  id serial PRIMARY KEY,
  res_id integer,
  create_uid integer,
  create_date timestamp without time zone,
  write_date timestamp without time zone,
  write_uid integer,
  noupdate boolean,
  name character varying NOT NULL,
  module character varying NOT NULL,
  model character varying NOT NULL
);
CREATE UNIQUE INDEX ir_model_data_module_name_uniq_index ON ir_model_data (module, name);

-- Server actions (ir.actions.server); every scheduled action runs one.
CREATE TABLE ir_act_server (
  id serial PRIMARY KEY,
  name jsonb NOT NULL,
  type character varying NOT NULL DEFAULT 'ir.actions.server',
  usage character varying NOT NULL DEFAULT 'ir_actions_server',
  state character varying NOT NULL,
  model_id integer,
  model_name character varying,
  code text,
  webhook_url character varying,
  sequence integer,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);

CREATE TABLE ir_cron (
  id serial PRIMARY KEY,
  ir_actions_server_id integer NOT NULL REFERENCES ir_act_server (id) ON DELETE RESTRICT,
  cron_name character varying,
  user_id integer NOT NULL,
  active boolean,
  interval_number integer NOT NULL,
  interval_type character varying NOT NULL,
  nextcall timestamp without time zone NOT NULL,
  lastcall timestamp without time zone,
  priority integer,
  failure_count integer DEFAULT 0,
  first_failure_date timestamp without time zone,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);

CREATE TABLE ir_mail_server (
  id serial PRIMARY KEY,
  name character varying NOT NULL,
  from_filter character varying,
  smtp_host character varying,
  smtp_port integer,
  smtp_authentication character varying NOT NULL,
  smtp_user character varying,
  smtp_pass character varying,
  smtp_encryption character varying NOT NULL,
  smtp_debug boolean,
  sequence integer,
  active boolean,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);

-- Incoming mail servers (from the mail module in Odoo; present here so neutralisation can reach them).
CREATE TABLE fetchmail_server (
  id serial PRIMARY KEY,
  name character varying NOT NULL,
  active boolean,
  state character varying,
  server character varying,
  port integer,
  server_type character varying NOT NULL DEFAULT 'imap',
  is_ssl boolean,
  "user" character varying,
  password character varying,
  priority integer,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);

CREATE TABLE iap_account (
  id serial PRIMARY KEY,
  name character varying,
  service_id integer,
  account_token character varying,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);

CREATE TABLE ir_ui_view (
  id serial PRIMARY KEY,
  name character varying NOT NULL,
  model character varying,
  key character varying,
  priority integer NOT NULL DEFAULT 16,
  type character varying,
  arch_db jsonb,
  inherit_id integer,
  mode character varying NOT NULL DEFAULT 'primary',
  active boolean,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);

CREATE UNIQUE INDEX res_users_login_key ON res_users (login);

CREATE UNIQUE INDEX ir_config_parameter_key_uniq ON ir_config_parameter (key);

CREATE UNIQUE INDEX ir_module_module_name_uniq ON ir_module_module (name);

INSERT INTO res_partner (id, name, complete_name, active, is_company, partner_share, create_date, write_date) VALUES
  (1, 'My Company', 'My Company', true, true, false, now() at time zone 'utc', now() at time zone 'utc'),
  (2, 'Administrator', 'Administrator', true, false, false, now() at time zone 'utc', now() at time zone 'utc'),
  (3, 'Default User Template', 'Default User Template', false, false, false, now() at time zone 'utc', now() at time zone 'utc'),
  (4, 'Public user', 'Public user', false, false, true, now() at time zone 'utc', now() at time zone 'utc'),
  (5, 'Portal User Template', 'Portal User Template', false, false, true, now() at time zone 'utc', now() at time zone 'utc');
SELECT setval('res_partner_id_seq', 5);

INSERT INTO res_company (id, name, partner_id, currency_id, sequence, layout_background, active, create_date, write_date)
VALUES (1, 'My Company', 1, 1, 10, 'Blank', true, now() at time zone 'utc', now() at time zone 'utc');
SELECT setval('res_company_id_seq', 1);

-- Passwords are set when a tenant is made its own; until then no user can log in.
INSERT INTO res_users (id, login, password, active, share, company_id, partner_id, create_date, write_date) VALUES
  (1, '__system__', NULL, false, false, 1, 2, now() at time zone 'utc', now() at time zone 'utc'),
  (2, 'admin', NULL, true, false, 1, 2, now() at time zone 'utc', now() at time zone 'utc'),
  (3, 'default', NULL, false, false, 1, 3, now() at time zone 'utc', now() at time zone 'utc'),
  (4, 'public', NULL, false, true, 1, 4, now() at time zone 'utc', now() at time zone 'utc'),
  (5, 'portaltemplate', NULL, false, true, 1, 5, now() at time zone 'utc', now() at time zone 'utc');
SELECT setval('res_users_id_seq', 5);

-- The module catalog. `installed_version` (the version on disk) is not a column in Odoo: it is
-- computed from each module's manifest; `latest_version` is the version installed, NULL until then.
-- 'uninstallable' rows stand for modules whose code is not on this server (Enterprise).
INSERT INTO ir_module_module (id, name, shortdesc, summary, state, latest_version, application, auto_install, license, author, category_id, module_type, create_date, write_date)
SELECT m.id, m.name, jsonb_build_object('en_US', m.title), jsonb_build_object('en_US', m.title), m.state,
       CASE WHEN m.state = 'installed' THEN m.version END, m.application, m.auto_install,
       CASE WHEN m.state = 'uninstallable' THEN 'OEEL-1' ELSE 'LGPL-3' END, 'Odoo S.A.', NULL,
       'official', now() at time zone 'utc', now() at time zone 'utc'
FROM (VALUES
  (1, 'base', 'Base', 'installed', '18.0.1.3', false, true),
  (2, 'web', 'Web', 'installed', '18.0.1.0', false, true),
  (3, 'base_setup', 'Initial Setup Tools', 'installed', '18.0.1.0', false, true),
  (4, 'crm', 'CRM', 'uninstalled', '18.0.1.8', true, false),
  (5, 'sale_management', 'Sales', 'uninstalled', '18.0.1.0', true, false),
  (6, 'bus', 'IM Bus', 'installed', '18.0.1.0', false, true),
  (7, 'web_tour', 'Tours', 'installed', '18.0.1.0', false, true),
  (8, 'html_editor', 'HTML Editor', 'installed', '18.0.1.0', false, true),
  (9, 'iap', 'In-App Purchases', 'installed', '18.0.1.1', false, true),
  (10, 'auth_totp', 'Two-Factor Authentication (TOTP)', 'installed', '18.0.1.0', false, true),
  (11, 'base_import', 'Base import', 'installed', '18.0.2.0', false, true),
  (12, 'mail', 'Discuss', 'uninstalled', '18.0.1.18', true, false),
  (13, 'contacts', 'Contacts', 'uninstalled', '18.0.1.0', true, false),
  (14, 'uom', 'Units of measure', 'uninstalled', '18.0.1.0', false, false),
  (15, 'product', 'Products & Pricelists', 'uninstalled', '18.0.1.2', false, false),
  (16, 'sales_team', 'Sales Teams', 'uninstalled', '18.0.1.1', false, false),
  (17, 'account', 'Invoicing', 'uninstalled', '18.0.1.3', true, false),
  (18, 'sale', 'Sales', 'uninstalled', '18.0.1.2', false, false),
  (19, 'sale_crm', 'Opportunity to Quotation', 'uninstalled', '18.0.1.0', false, true),
  (20, 'web_studio', 'Studio', 'uninstallable', '18.0.1.0', true, false),
  (21, 'accountant', 'Accounting', 'uninstallable', '18.0.1.1', true, false)
) AS m(id, name, title, state, version, application, auto_install);
SELECT setval('ir_module_module_id_seq', 21);

-- Each module's direct dependencies, by name (a small, real-shaped part of Odoo's graph).
INSERT INTO ir_module_module_dependency (name, module_id, auto_install_required)
SELECT d.dep, m.id, true
FROM (VALUES
  ('web', 'base'), ('base_setup', 'web'), ('bus', 'base'), ('bus', 'web'), ('web_tour', 'web'),
  ('html_editor', 'base'), ('html_editor', 'bus'), ('html_editor', 'web'), ('iap', 'web'),
  ('iap', 'base_setup'), ('auth_totp', 'web'), ('base_import', 'web'),
  ('mail', 'base'), ('mail', 'base_setup'), ('mail', 'bus'), ('mail', 'web_tour'), ('mail', 'html_editor'),
  ('contacts', 'mail'), ('uom', 'base'), ('product', 'base'), ('product', 'mail'), ('product', 'uom'),
  ('sales_team', 'base'), ('sales_team', 'mail'), ('account', 'base_setup'), ('account', 'product'),
  ('account', 'mail'), ('sale', 'sales_team'), ('sale', 'account'), ('sale', 'product'),
  ('sale_management', 'sale'), ('crm', 'base_setup'), ('crm', 'sales_team'), ('crm', 'mail'),
  ('crm', 'contacts'), ('sale_crm', 'sale'), ('sale_crm', 'crm'), ('web_studio', 'base_setup'),
  ('web_studio', 'mail'), ('accountant', 'account')
) AS d(module, dep)
JOIN ir_module_module m ON m.name = d.module
ORDER BY m.id, d.dep;

-- database.uuid and database.secret are replaced when a tenant is made its own.
INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES
  ('database.uuid', '00000000-0000-0000-0000-000000000000', now() at time zone 'utc', now() at time zone 'utc'),
  ('database.secret', '00000000-0000-0000-0000-000000000000', now() at time zone 'utc', now() at time zone 'utc'),
  ('database.create_date', to_char(now() at time zone 'utc', 'YYYY-MM-DD HH24:MI:SS'), now() at time zone 'utc', now() at time zone 'utc'),
  ('web.base.url', 'http://localhost:8069', now() at time zone 'utc', now() at time zone 'utc'),
  ('base.login_cooldown_after', '10', now() at time zone 'utc', now() at time zone 'utc'),
  ('base.login_cooldown_duration', '60', now() at time zone 'utc', now() at time zone 'utc');

INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES
  ('base.default_max_email_size', '10', now() at time zone 'utc', now() at time zone 'utc'),
  ('base.template_portal_user_id', '5', now() at time zone 'utc', now() at time zone 'utc'),
  ('base_setup.default_user_rights', 'True', now() at time zone 'utc', now() at time zone 'utc'),
  ('base_setup.show_effect', 'True', now() at time zone 'utc', now() at time zone 'utc');

INSERT INTO res_groups (id, name, share, create_date, write_date) VALUES
  (1, '{"en_US": "Internal User"}', false, now() at time zone 'utc', now() at time zone 'utc'),
  (2, '{"en_US": "Access Rights"}', false, now() at time zone 'utc', now() at time zone 'utc'),
  (3, '{"en_US": "Settings"}', false, now() at time zone 'utc', now() at time zone 'utc'),
  (10, '{"en_US": "Portal"}', true, now() at time zone 'utc', now() at time zone 'utc'),
  (11, '{"en_US": "Public"}', true, now() at time zone 'utc', now() at time zone 'utc');
SELECT setval('res_groups_id_seq', 11);

INSERT INTO res_groups_users_rel (gid, uid) VALUES
  (1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 2), (1, 3), (11, 4), (10, 5);

-- Scheduled actions of a fresh database with the usual apps: 19, of which 17 active.
INSERT INTO ir_act_server (id, name, state, model_name, code, usage, sequence, create_date, write_date)
SELECT c.id, jsonb_build_object('en_US', c.name), 'code', c.model, c.code, 'ir_cron', 5,
       now() at time zone 'utc', now() at time zone 'utc'
FROM (VALUES
  (1, 'Base: Auto-vacuum internal data', 'ir.autovacuum', 'model._run_vacuum_cleaner()'),
  (2, 'Base: Portal Users Deletion', 'res.users.deletion', 'model._gc_portal_users()'),
  (3, 'Mail: Email Queue Manager', 'mail.mail', 'model.process_email_queue()'),
  (4, 'Publisher: Update Notification', 'publisher_warranty.contract', 'model.update_notification(None)'),
  (5, 'Notification: Delete Notifications older than 6 Month', 'mail.notification', 'model._gc_notifications(max_age_days=180)'),
  (6, 'Mail: Post scheduled messages', 'mail.message.schedule', 'model._send_notifications_cron()'),
  (7, 'Notification: Notify scheduled messages', 'mail.scheduled.message', 'model._post_messages_cron()'),
  (8, 'Mail: send web push notification', 'mail.push', 'model._push_notification_to_endpoint()'),
  (9, 'Discuss: channel member unmute', 'discuss.channel.member', 'model._cleanup_expired_mutes()'),
  (10, 'Discuss: users settings unmute', 'res.users.settings', 'model._cleanup_expired_mutes()'),
  (11, 'Users: Notify About Unregistered Users', 'res.users', 'model.send_unregistered_user_reminder()'),
  (12, 'Partner Autocomplete: Sync with remote DB', 'res.partner.autocomplete.sync', 'model.start_sync()'),
  (13, 'SMS: SMS Queue Manager', 'sms.sms', 'model._process_queue()'),
  (14, 'Snailmail: process letters queue', 'snailmail.letter', 'model._snailmail_cron()'),
  (15, 'Digest Emails', 'digest.digest', 'model._cron_send_digest_email()'),
  (16, 'Account: Post draft entries with auto_post enabled and accounting date up to today', 'account.move', 'model._autopost_draft_entries()'),
  (17, 'Send invoices automatically', 'account.move', 'model._cron_account_move_send(job_count=20)'),
  (18, 'Mail: Fetchmail Service', 'fetchmail.server', 'model._fetch_mails()'),
  (19, 'Users: Remove expired API keys', 'res.users.apikeys', 'model._gc_user_apikeys()')
) AS c(id, name, model, code);
SELECT setval('ir_act_server_id_seq', 19);

INSERT INTO ir_cron (id, ir_actions_server_id, cron_name, user_id, active, interval_number, interval_type, nextcall, priority, create_date, write_date)
SELECT a.id, a.id, a.name ->> 'en_US', 1, a.id <= 17, 1,
       CASE WHEN a.id IN (3, 6, 7, 8, 13, 14) THEN 'hours' WHEN a.id = 4 THEN 'weeks' ELSE 'days' END,
       (now() at time zone 'utc') + interval '1 hour', 5, now() at time zone 'utc', now() at time zone 'utc'
FROM ir_act_server a;
SELECT setval('ir_cron_id_seq', 19);

-- The banner that a neutralised database shows; neutralisation switches it on.
INSERT INTO ir_ui_view (id, name, model, key, priority, type, arch_db, mode, active, create_date, write_date) VALUES
  (1, 'neutralize_banner', NULL, 'web.neutralize_banner', 16, 'qweb',
   '{"en_US": "<t t-name=\"web.neutralize_banner\"><span class=\"badge text-bg-danger\">This database is neutralized.</span></t>"}',
   'primary', false, now() at time zone 'utc', now() at time zone 'utc');
SELECT setval('ir_ui_view_id_seq', 1);

-- External identifiers (xmlids) of the seeded records.
INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_date, write_date)
SELECT x.module, x.name, x.model, x.res_id, x.noupdate, now() at time zone 'utc', now() at time zone 'utc'
FROM (VALUES
  ('base', 'main_partner', 'res.partner', 1, true),
  ('base', 'partner_admin', 'res.partner', 2, true),
  ('base', 'main_company', 'res.company', 1, true),
  ('base', 'user_root', 'res.users', 1, true),
  ('base', 'user_admin', 'res.users', 2, true),
  ('base', 'default_user', 'res.users', 3, true),
  ('base', 'public_user', 'res.users', 4, true),
  ('base', 'template_portal_user_id', 'res.users', 5, true),
  ('base', 'group_user', 'res.groups', 1, false),
  ('base', 'group_erp_manager', 'res.groups', 2, false),
  ('base', 'group_system', 'res.groups', 3, false),
  ('base', 'group_portal', 'res.groups', 10, false),
  ('base', 'group_public', 'res.groups', 11, false),
  ('base', 'autovacuum_job_ir_actions_server', 'ir.actions.server', 1, true),
  ('base', 'autovacuum_job', 'ir.cron', 1, true),
  ('web', 'neutralize_banner', 'ir.ui.view', 1, false)
) AS x(module, name, model, res_id, noupdate);
INSERT INTO ir_model_data (module, name, model, res_id, noupdate, create_date, write_date)
SELECT 'base', 'module_' || name, 'ir.module.module', id, true, now() at time zone 'utc', now() at time zone 'utc'
FROM ir_module_module ORDER BY id;
