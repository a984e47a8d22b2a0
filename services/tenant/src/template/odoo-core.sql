-- Odoo 18.0 core table shapes (columns as in a fresh Odoo 18.0 database), used as the tenant

-- template until a database prepared by the Odoo runtime is configured. Seeded like a fresh

-- database: the inactive __system__ user (1), the admin (2), and the base module installed.

-- Generated from Odoo's reference column list; keep in step with it.



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

INSERT INTO ir_module_module (id, name, state, latest_version, application, auto_install, license, module_type, create_date, write_date) VALUES
  (1, 'base', 'installed', '18.0.1.3', false, true, 'LGPL-3', 'official', now() at time zone 'utc', now() at time zone 'utc'),
  (2, 'web', 'installed', '18.0.1.0', false, true, 'LGPL-3', 'official', now() at time zone 'utc', now() at time zone 'utc'),
  (3, 'base_setup', 'installed', '18.0.1.0', false, false, 'LGPL-3', 'official', now() at time zone 'utc', now() at time zone 'utc'),
  (4, 'crm', 'uninstalled', '18.0.1.9', true, false, 'LGPL-3', 'official', now() at time zone 'utc', now() at time zone 'utc'),
  (5, 'sale_management', 'uninstalled', '18.0.1.0', true, false, 'LGPL-3', 'official', now() at time zone 'utc', now() at time zone 'utc');
SELECT setval('ir_module_module_id_seq', 5);

-- database.uuid and database.secret are replaced when a tenant is made its own.
INSERT INTO ir_config_parameter (key, value, create_date, write_date) VALUES
  ('database.uuid', '00000000-0000-0000-0000-000000000000', now() at time zone 'utc', now() at time zone 'utc'),
  ('database.secret', '00000000-0000-0000-0000-000000000000', now() at time zone 'utc', now() at time zone 'utc'),
  ('database.create_date', to_char(now() at time zone 'utc', 'YYYY-MM-DD HH24:MI:SS'), now() at time zone 'utc', now() at time zone 'utc'),
  ('web.base.url', 'http://localhost:8069', now() at time zone 'utc', now() at time zone 'utc'),
  ('base.login_cooldown_after', '10', now() at time zone 'utc', now() at time zone 'utc'),
  ('base.login_cooldown_duration', '60', now() at time zone 'utc', now() at time zone 'utc');
