-- Up Migration
-- Each tenant's thresholds and enforcement as last judged: the level of each figure, the last
-- measured figures (judged again when the plan or override changes), and what is enforced. Locked
-- for each evaluation and updated in the transaction that queues its events, so a level is
-- announced once per change.
CREATE TABLE quota_enforcement (
  tenant_id uuid PRIMARY KEY,
  levels jsonb NOT NULL DEFAULT '{}',
  figures jsonb NOT NULL DEFAULT '{}',
  installs_blocked boolean NOT NULL DEFAULT false,
  access_revoked boolean NOT NULL DEFAULT false,
  -- When the tenant went over a limit; NULL while it is under all of them.
  exceeded_since timestamptz,
  -- When a tenant on a `suspend` plan loses access unless it is back under first.
  grace_ends_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quota_enforcement_grace ON quota_enforcement (grace_ends_at)
  WHERE grace_ends_at IS NOT NULL AND NOT access_revoked;

-- Down Migration
DROP TABLE quota_enforcement;
