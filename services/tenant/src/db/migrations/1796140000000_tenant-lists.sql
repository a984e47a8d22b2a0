-- Up Migration
-- Lists of a large fleet: free-text search, every sort of the tenant list by index, the list of
-- operations. pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner, who runs the
-- migrations, may create it; the embedded PostgreSQL 15 of `./run start` ships it too.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The tenant's customer at its billing provider, from ocp.billing.subscription_changed.v1.
ALTER TABLE tenants ADD COLUMN billing_customer_id text;

-- What the free-text search looks in, lowercased, one field a line: the display name, the slug,
-- the domain (the host of base_url) and the billing customer id. A search string cannot hold a
-- line break, so it never matches across two fields. Custom domains join this column when they come.
CREATE FUNCTION tenants_search_text(display_name text, slug text, base_url text, customer text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(concat_ws(E'\n', display_name, slug,
    substring(base_url FROM '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)'), customer))
$$;
CREATE FUNCTION tenants_set_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := tenants_search_text(NEW.display_name, NEW.slug, NEW.base_url, NEW.billing_customer_id);
  RETURN NEW;
END $$;
ALTER TABLE tenants ADD COLUMN search_text text;
UPDATE tenants SET search_text = tenants_search_text(display_name, slug, base_url, billing_customer_id);
ALTER TABLE tenants ALTER COLUMN search_text SET NOT NULL;
CREATE TRIGGER tenants_search_text BEFORE INSERT OR UPDATE OF display_name, slug, base_url, billing_customer_id
  ON tenants FOR EACH ROW EXECUTE FUNCTION tenants_set_search_text();
CREATE INDEX tenants_search ON tenants USING gin (search_text gin_trgm_ops);

-- One btree a sort (read forwards or backwards), the tie broken by id; text sorts byte by byte
-- (COLLATE "C"), the same on every server whatever its locale. tenants_page (created_at, id) and
-- tenants_state (state, created_at, id) exist already.
CREATE INDEX tenants_updated ON tenants (updated_at, id);
CREATE INDEX tenants_slug_order ON tenants (slug COLLATE "C", id);
CREATE INDEX tenants_name_order ON tenants ((lower(display_name)) COLLATE "C", id);
CREATE INDEX tenants_state_order ON tenants (state COLLATE "C", id);
CREATE INDEX tenants_runtime_page ON tenants (runtime_id, created_at DESC, id DESC);

-- Operations are listed newest first across this service and the backup service, by a position
-- of (createdAt, id) that the API shows in milliseconds: they are created at millisecond precision,
-- as tenants are, so the position a page ends on is exact.
ALTER TABLE operations ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now());
UPDATE operations SET created_at = date_trunc('milliseconds', created_at)
  WHERE created_at <> date_trunc('milliseconds', created_at);
CREATE INDEX operations_page ON operations (created_at DESC, id DESC);
CREATE INDEX operations_tenant_page ON operations (tenant_id, created_at DESC, id DESC);
CREATE INDEX operations_state_page ON operations (state, created_at DESC, id DESC);
CREATE INDEX operations_kind_page ON operations (kind, created_at DESC, id DESC);

-- Down Migration
DROP INDEX operations_kind_page;
DROP INDEX operations_state_page;
DROP INDEX operations_tenant_page;
DROP INDEX operations_page;
ALTER TABLE operations ALTER COLUMN created_at SET DEFAULT now();
DROP INDEX tenants_runtime_page;
DROP INDEX tenants_state_order;
DROP INDEX tenants_name_order;
DROP INDEX tenants_slug_order;
DROP INDEX tenants_updated;
DROP INDEX tenants_search;
DROP TRIGGER tenants_search_text ON tenants;
ALTER TABLE tenants DROP COLUMN search_text;
DROP FUNCTION tenants_set_search_text();
DROP FUNCTION tenants_search_text(text, text, text, text);
ALTER TABLE tenants DROP COLUMN billing_customer_id;
