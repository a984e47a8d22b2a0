-- Up Migration
CREATE TABLE database_servers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  -- Credentials inside; never returned by any API.
  admin_url text NOT NULL,
  max_tenants integer NOT NULL DEFAULT 1000 CHECK (max_tenants > 0),
  accepting boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  slug text NOT NULL,
  display_name text NOT NULL,
  plan text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'provisioning', 'active', 'suspended', 'failed', 'restoring', 'migrating', 'deleting', 'deleted')),
  suspension_reasons text[] NOT NULL DEFAULT '{}',
  database_name text NOT NULL,
  database_server_id uuid REFERENCES database_servers (id),
  -- The database role's password, sealed with TENANT_SECRETS_KEY.
  db_password_sealed text NOT NULL,
  last_error text,
  -- Milliseconds, as the list cursor carries them.
  created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
-- A slug (and so a database name) belongs to one live tenant; a deleted tenant's can be reused.
CREATE UNIQUE INDEX tenants_slug_live ON tenants (slug) WHERE state <> 'deleted';
CREATE INDEX tenants_page ON tenants (created_at DESC, id DESC);
CREATE INDEX tenants_state ON tenants (state, created_at DESC, id DESC);

CREATE TABLE operations (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  step text,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  params jsonb NOT NULL DEFAULT '{}'::jsonb,
  actor text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX operations_tenant_open ON operations (tenant_id, created_at) WHERE state IN ('queued', 'running');

CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  request_hash text NOT NULL,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  operation_id uuid NOT NULL REFERENCES operations (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE operations;
DROP TABLE tenants;
DROP TABLE database_servers;
