-- Up Migration
-- Whether access stands revoked for reason `trial` (set at the trial's end when billing reports no
-- paying subscription, cleared when access is granted back), and when the trial ended.
ALTER TABLE trials ADD COLUMN revoked boolean NOT NULL DEFAULT false;
ALTER TABLE trials ADD COLUMN ended_at timestamptz;

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
ALTER TABLE trials DROP COLUMN ended_at;
ALTER TABLE trials DROP COLUMN revoked;
