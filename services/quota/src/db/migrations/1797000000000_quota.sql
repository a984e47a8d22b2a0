-- Up Migration
-- The plan catalog. A deleted plan keeps its row (deleted_at), so that a plan made again under the
-- same name carries on its version: followers keep the highest version they saw per name.
CREATE TABLE plans (
  name text PRIMARY KEY,
  display_name text NOT NULL,
  odoo_version text,
  limit_active_users bigint CHECK (limit_active_users >= 0),
  limit_database_bytes bigint CHECK (limit_database_bytes >= 0),
  limit_filestore_bytes bigint CHECK (limit_filestore_bytes >= 0),
  limit_backup_bytes bigint CHECK (limit_backup_bytes >= 0),
  limit_backup_generations bigint CHECK (limit_backup_generations >= 0),
  -- null: any module.
  allowed_modules text[],
  default_modules text[] NOT NULL DEFAULT '{}',
  trial_days integer CHECK (trial_days > 0),
  at_limit_action text NOT NULL CHECK (at_limit_action IN ('block', 'suspend')),
  grace_seconds integer NOT NULL CHECK (grace_seconds >= 0),
  metered jsonb,
  version integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

-- The tenants the platform knows, from the tenant lifecycle events; where each one's database and
-- filestore are comes from the tenant service (tenant.backup.source) once it has them.
CREATE TABLE known_tenants (
  tenant_id uuid PRIMARY KEY,
  slug text NOT NULL,
  plan text NOT NULL,
  state text NOT NULL,
  database_name text NOT NULL,
  database_server_id uuid,
  runtime_id uuid,
  -- From tenant.backup.source: null until asked (or while the tenant has no database yet).
  database_server_name text,
  filestore_dir text,
  odoo_version text,
  located_at timestamptz,
  -- The time of the last event applied: an older event changes nothing.
  event_time timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_tenants_plan ON known_tenants (plan) WHERE state <> 'deleted';
CREATE INDEX known_tenants_server ON known_tenants (database_server_id) WHERE state <> 'deleted';

-- A tenant's own limits over its plan's. `limits` holds only the metrics overridden (a JSON null:
-- unlimited); allowed_modules replaces the plan's list when has_allowed_modules.
CREATE TABLE overrides (
  tenant_id uuid PRIMARY KEY,
  limits jsonb NOT NULL DEFAULT '{}',
  has_allowed_modules boolean NOT NULL DEFAULT false,
  allowed_modules text[],
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every measurement of a tenant. A figure that could not be measured is null, `error` says why.
CREATE TABLE usage_samples (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL,
  measured_at timestamptz NOT NULL,
  active_users bigint,
  database_bytes bigint,
  filestore_bytes bigint,
  backup_bytes bigint,
  backup_generations bigint,
  error jsonb
);
CREATE INDEX usage_samples_tenant ON usage_samples (tenant_id, measured_at DESC, id DESC);

-- What is enforced on a tenant, and the level each metric was last seen at (the crossings are
-- announced once: an event goes out only when a level changes).
CREATE TABLE quota_states (
  tenant_id uuid PRIMARY KEY,
  -- { "<metric>": "ok" | "warning" | "exceeded" | "unlimited" | "unknown" }
  levels jsonb NOT NULL DEFAULT '{}',
  installs_blocked boolean NOT NULL DEFAULT false,
  suspended boolean NOT NULL DEFAULT false,
  -- When a limit was first reached (null while under every limit).
  since timestamptz,
  grace_ends_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quota_states_grace ON quota_states (grace_ends_at) WHERE grace_ends_at IS NOT NULL;

-- Trials: one per tenant, its end moved when extended.
CREATE TABLE trials (
  tenant_id uuid PRIMARY KEY,
  started_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'converted', 'ended')),
  -- The days-before-end notices already sent for the current end (reset when it moves).
  notices_sent integer[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trials_running ON trials (ends_at) WHERE state = 'running';

-- Down Migration
DROP TABLE trials;
DROP TABLE quota_states;
DROP TABLE usage_samples;
DROP TABLE overrides;
DROP TABLE known_tenants;
DROP TABLE plans;
