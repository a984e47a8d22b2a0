-- Up Migration
-- A tenant's trial: one row per tenant, its end movable by an operator.
CREATE TABLE trials (
  tenant_id uuid PRIMARY KEY,
  started_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- running until the end passes; then converted (billing reported a paying subscription) or ended.
  state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'converted', 'ended')),
  -- The notice days (of QUOTA_TRIAL_NOTICE_DAYS) announced for the current end; emptied when the
  -- end moves, so a new end is announced again.
  notices_sent integer[] NOT NULL DEFAULT '{}',
  -- Whether access stands revoked for reason `trial` (set at the end, cleared when granted back).
  revoked boolean NOT NULL DEFAULT false,
  ended_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trials_running ON trials (ends_at) WHERE state = 'running';

-- Billing's subscriptions as `billing.subscription_changed` tells them: whether a tenant pays, and
-- the provider's customer and subscription ids that metered usage is reported against.
CREATE TABLE tenant_subscriptions (
  provider text NOT NULL CHECK (provider IN ('stripe', 'paddle')),
  provider_subscription_id text NOT NULL,
  tenant_id uuid NOT NULL,
  customer_id text,
  price_id text,
  status text NOT NULL,
  -- The provider's time of the last event billing applied: an older message never overwrites a newer one.
  last_event_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, provider_subscription_id)
);
CREATE INDEX tenant_subscriptions_tenant ON tenant_subscriptions (tenant_id);

-- Metered usage accepted by a provider: one row per tenant and period, written with the
-- `quota.usage_reported` event after the provider accepted, so a period is never reported twice.
CREATE TABLE usage_reports (
  tenant_id uuid NOT NULL,
  period text NOT NULL,
  provider text NOT NULL CHECK (provider IN ('stripe', 'paddle')),
  quantity integer NOT NULL CHECK (quantity >= 0),
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, period)
);

-- Down Migration
DROP TABLE usage_reports;
DROP TABLE tenant_subscriptions;
DROP TABLE trials;
