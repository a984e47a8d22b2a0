-- Up Migration
-- Custom domains: a tenant claims a host name, proves it by a DNS TXT record holding the claim's
-- token, and the domain then routes to it. Several tenants may claim one name; only one may hold it
-- verified (the partial unique index), whoever proves it first.
CREATE TABLE tenant_domains (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  -- Lowercase ASCII (punycode), checked by the service; the bound is DNS's.
  domain text NOT NULL CHECK (domain = lower(domain) AND length(domain) BETWEEN 3 AND 253),
  -- Random, one a claim: the value of the TXT record is `ocp-verify=<token>`.
  token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  verified_at timestamptz,
  PRIMARY KEY (tenant_id, domain)
);
CREATE UNIQUE INDEX tenant_domains_verified ON tenant_domains (domain) WHERE verified_at IS NOT NULL;

-- The tenant's verified domains, in name order, kept by the service in the transaction that
-- verifies or removes one: the routes and the free-text search read them from the tenant's row.
ALTER TABLE tenants ADD COLUMN custom_domains text[] NOT NULL DEFAULT '{}';

-- The router's list of routes: tenants with a database, in id order.
CREATE INDEX tenants_routable ON tenants (id) WHERE state IN ('active', 'suspended', 'restoring', 'migrating');

-- Where a runtime's Odoo serves /websocket and /longpolling/ (its gevent port), when not at the
-- rpc_url's host on port 8072.
ALTER TABLE odoo_runtimes ADD COLUMN websocket_url text;

-- The free-text search looks in the verified custom domains too, one a line.
DROP TRIGGER tenants_search_text ON tenants;
DROP FUNCTION tenants_set_search_text();
DROP FUNCTION tenants_search_text(text, text, text, text);
CREATE FUNCTION tenants_search_text(display_name text, slug text, base_url text, customer text, domains text[])
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(concat_ws(E'\n', display_name, slug,
    substring(base_url FROM '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]+)'), customer,
    nullif(array_to_string(domains, E'\n'), '')))
$$;
CREATE FUNCTION tenants_set_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_text := tenants_search_text(NEW.display_name, NEW.slug, NEW.base_url, NEW.billing_customer_id,
    NEW.custom_domains);
  RETURN NEW;
END $$;
CREATE TRIGGER tenants_search_text
  BEFORE INSERT OR UPDATE OF display_name, slug, base_url, billing_customer_id, custom_domains
  ON tenants FOR EACH ROW EXECUTE FUNCTION tenants_set_search_text();

-- Down Migration
DROP INDEX tenants_routable;
DROP TRIGGER tenants_search_text ON tenants;
DROP FUNCTION tenants_set_search_text();
DROP FUNCTION tenants_search_text(text, text, text, text, text[]);
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
CREATE TRIGGER tenants_search_text BEFORE INSERT OR UPDATE OF display_name, slug, base_url, billing_customer_id
  ON tenants FOR EACH ROW EXECUTE FUNCTION tenants_set_search_text();
ALTER TABLE tenants DROP COLUMN custom_domains;
ALTER TABLE odoo_runtimes DROP COLUMN websocket_url;
DROP TABLE tenant_domains;
