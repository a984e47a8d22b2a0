-- Up Migration
-- The backup catalog. A row is written when a backup is queued; it claims success (state
-- 'succeeded', with its object key and figures) only in the transaction that follows the object's
-- complete upload, so no entry ever points at a half-written object.
CREATE TABLE backups (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('manual', 'scheduled', 'pre-restore', 'final')),
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  object_key text,
  stored_bytes bigint,
  manifest jsonb,
  database_server_id uuid,
  owner_role text,
  generation text CHECK (generation IN ('daily', 'weekly', 'monthly', 'newest', 'proven')),
  drill_state text NOT NULL DEFAULT 'none' CHECK (drill_state IN ('none', 'passed', 'failed')),
  drill_at timestamptz,
  drill_detail text,
  error text,
  operation_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX backups_tenant ON backups (tenant_id, created_at DESC, id DESC);

-- Backups, restores, drills and imports, claimed by the workers of @ocp/operations; one at a time
-- per tenant, so a backup and a restore of one tenant never run at once.
CREATE TABLE operations (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('backup.run', 'backup.restore', 'backup.drill', 'backup.import')),
  tenant_id uuid NOT NULL,
  backup_id uuid,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
  progress integer NOT NULL DEFAULT 0,
  step text,
  bytes_done bigint,
  error text,
  attempts integer NOT NULL DEFAULT 0,
  params jsonb NOT NULL DEFAULT '{}',
  result jsonb,
  actor text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  leased_by text,
  lease_expires_at timestamptz,
  run_after timestamptz NOT NULL DEFAULT now(),
  traceparent text
);
CREATE INDEX operations_open ON operations (created_at, id) WHERE state IN ('queued', 'running');
CREATE INDEX operations_tenant_open ON operations (tenant_id, created_at) WHERE state IN ('queued', 'running');

CREATE FUNCTION operations_notify_runnable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ocp_backup_operations', NEW.tenant_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER operations_queued AFTER INSERT ON operations
  FOR EACH ROW EXECUTE FUNCTION operations_notify_runnable();
CREATE TRIGGER operations_freed AFTER UPDATE ON operations
  FOR EACH ROW
  WHEN ((OLD.state IS DISTINCT FROM NEW.state AND NEW.state IN ('succeeded', 'failed'))
        OR (OLD.leased_by IS NOT NULL AND NEW.leased_by IS NULL))
  EXECUTE FUNCTION operations_notify_runnable();

-- The tenants as their events describe them: what the schedule and retention follow.
CREATE TABLE known_tenants (
  tenant_id uuid PRIMARY KEY,
  slug text NOT NULL,
  plan text NOT NULL,
  state text NOT NULL,
  -- Minutes after midnight UTC when its scheduled backup may start (a window of
  -- window_minutes); null: a minute derived from the tenant id, which spreads a fleet over the day.
  window_start smallint CHECK (window_start BETWEEN 0 AND 1439),
  window_minutes smallint NOT NULL DEFAULT 240 CHECK (window_minutes BETWEEN 15 AND 1440),
  event_time timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Single-use tickets of the streaming endpoint (downloads and imports), minted over NATS for the
-- gateway; only their hash is kept.
CREATE TABLE transfer_tickets (
  token_hash text PRIMARY KEY,
  direction text NOT NULL CHECK (direction IN ('download', 'import')),
  backup_id uuid,
  params jsonb NOT NULL DEFAULT '{}',
  actor text,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- Down Migration
DROP TABLE transfer_tickets;
DROP TABLE known_tenants;
DROP TRIGGER operations_freed ON operations;
DROP TRIGGER operations_queued ON operations;
DROP FUNCTION operations_notify_runnable();
DROP TABLE operations;
DROP TABLE backups;
