-- Up Migration
-- Odoo runtimes: Odoo servers of one version in multi-database mode, serving tenants' databases
-- from one database server and one shared data directory. The master password is sealed like the
-- servers' admin URLs (`v2.<key id>.<...>`, bound to this row and column).
CREATE TABLE odoo_runtimes (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  odoo_version text NOT NULL CHECK (odoo_version IN ('16.0', '17.0', '18.0')),
  rpc_url text NOT NULL,
  master_password_sealed text NOT NULL,
  database_server_id uuid NOT NULL REFERENCES database_servers (id),
  -- The PostgreSQL role the runtime's Odoo connects as: it owns its tenants' databases.
  db_role text NOT NULL,
  -- Where the runtime's <data_dir>/filestore is mounted for the tenant service.
  filestore_path text NOT NULL,
  max_tenants integer NOT NULL DEFAULT 1000 CHECK (max_tenants > 0),
  state text NOT NULL CHECK (state IN ('preparing', 'ready', 'failed', 'disabled')),
  -- The template new tenants are cloned from (null until the first one is ready).
  template_database text,
  -- The template being made through the runtime, while one is: its name, step and last error.
  template_building text,
  template_step text,
  template_error text,
  -- A worker preparing the template holds it for a while (a lease, renewed); a dead one's expires.
  template_leased_by text,
  template_lease_expires_at timestamptz,
  template_attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE INDEX odoo_runtimes_page ON odoo_runtimes (created_at, id);

ALTER TABLE tenants
  ADD COLUMN runtime_id uuid REFERENCES odoo_runtimes (id),
  -- The role that owns the database: the runtime's, or the server's default runtime role.
  ADD COLUMN db_owner text,
  ADD COLUMN admin_login text,
  -- Kept sealed only until the tenant is active (a retried provisioning sets it again), then cleared.
  ADD COLUMN admin_password_sealed text,
  ADD COLUMN company_name text,
  ADD COLUMN base_url text,
  ADD COLUMN source_tenant_id uuid REFERENCES tenants (id);
-- Per-tenant login roles are an option now (read-only SQL access), not every tenant's.
ALTER TABLE tenants ALTER COLUMN db_password_sealed DROP NOT NULL;
CREATE INDEX tenants_runtime ON tenants (runtime_id) WHERE state <> 'deleted';

-- What a finished operation did (modules installed and removed, a rename's previous names).
ALTER TABLE operations ADD COLUMN result jsonb;

-- Down Migration
ALTER TABLE operations DROP COLUMN result;
DROP INDEX tenants_runtime;
ALTER TABLE tenants DROP COLUMN source_tenant_id, DROP COLUMN base_url, DROP COLUMN company_name,
  DROP COLUMN admin_password_sealed, DROP COLUMN admin_login, DROP COLUMN db_owner, DROP COLUMN runtime_id;
DROP TABLE odoo_runtimes;
