-- Up Migration
-- A server's admin URL (its superuser's name and password) is kept sealed like the tenants'
-- passwords: `v2.<key id>.<...>`, bound to this row and column. SQL has no key, so the service
-- seals each clear URL into admin_url_sealed at start and empties admin_url, before anything
-- reads it; the CHECK keeps a row from holding both.
ALTER TABLE database_servers ADD COLUMN admin_url_sealed text;
ALTER TABLE database_servers ALTER COLUMN admin_url DROP NOT NULL;
ALTER TABLE database_servers ADD CONSTRAINT database_servers_admin_url_once
  CHECK ((admin_url IS NULL) <> (admin_url_sealed IS NULL));
COMMENT ON COLUMN database_servers.admin_url IS
  'Before sealing only: emptied at service start once sealed into admin_url_sealed.';
COMMENT ON COLUMN tenants.db_password_sealed IS
  'The database role''s password, sealed under the tenant keyring and bound to this row.';

-- Down Migration
ALTER TABLE database_servers DROP CONSTRAINT database_servers_admin_url_once;
ALTER TABLE database_servers DROP COLUMN admin_url_sealed;
