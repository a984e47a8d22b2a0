-- Up Migration
-- The tenant service's own copy of the quota service's plan catalog (from quota.plan_changed):
-- what each plan allows to be installed and installs at creation. Module operations are decided
-- from it, so they never wait on the quota service. A deleted plan keeps its row (deleted) so
-- an older event delivered late cannot bring it back.
CREATE TABLE quota_plans (
  name text PRIMARY KEY,
  -- NULL: any module.
  allowed_modules text[],
  default_modules text[] NOT NULL DEFAULT '{}',
  version integer NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The quota service's last enforcement decision per tenant (from quota.enforcement_changed).
CREATE TABLE quota_enforcement (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
  installs_blocked boolean NOT NULL,
  reason text,
  event_id text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE quota_enforcement;
DROP TABLE quota_plans;
