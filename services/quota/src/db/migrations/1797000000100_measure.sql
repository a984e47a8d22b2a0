-- Up Migration
-- Measurement: when each tenant was last measured (the scan survives restarts and spreads over
-- its interval from here) and its backup storage, kept from the backup service's events.

CREATE TABLE measure_schedule (
  tenant_id uuid PRIMARY KEY,
  last_measured_at timestamptz,
  -- A replica measuring the tenant holds it until then; a crashed one's claim runs out.
  claimed_until timestamptz
);

-- One entry per backup the events told of: `completed` and `pruned` may arrive in either order,
-- and a pruned entry stays so that a late `completed` does not count it again.
CREATE TABLE measure_backups (
  backup_id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  stored_bytes bigint NOT NULL CHECK (stored_bytes >= 0),
  completed boolean NOT NULL DEFAULT false,
  pruned boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX measure_backups_kept_idx ON measure_backups (tenant_id) WHERE completed AND NOT pruned;

-- The running figure per tenant: the sum of its kept backups.
CREATE TABLE backup_usage (
  tenant_id uuid PRIMARY KEY,
  bytes bigint NOT NULL DEFAULT 0,
  generations integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE backup_usage;
DROP TABLE measure_backups;
DROP TABLE measure_schedule;
