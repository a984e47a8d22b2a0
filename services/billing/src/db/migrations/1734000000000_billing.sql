-- Up Migration
-- The tenant ids the platform knows, from the tenant lifecycle events.
CREATE TABLE known_tenants (
  id uuid PRIMARY KEY,
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every webhook the gateway passed on (or refused), with what became of it. Its key is the
-- CloudEvents id (<provider>:<provider event id>): the inbox of the webhook consumer.
CREATE TABLE webhook_events (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  provider text NOT NULL CHECK (provider IN ('stripe', 'paddle')),
  provider_event_id text,
  provider_event_type text,
  status text NOT NULL CHECK (status IN ('applied', 'duplicate', 'rejected', 'unmatched', 'ignored', 'failed')),
  tenant_id text,
  provider_subscription_id text,
  -- The provider's own time of the event (Stripe `created`, Paddle `occurred_at`).
  occurred_at timestamptz,
  -- What the event says about its subscription, as the domain reads it; replayed in provider order.
  fact jsonb,
  received_at timestamptz NOT NULL,
  detail text,
  body text
);
CREATE INDEX webhook_events_page ON webhook_events (seq DESC);
CREATE INDEX webhook_events_subscription ON webhook_events (provider, provider_subscription_id, occurred_at)
  WHERE fact IS NOT NULL;

CREATE TABLE subscriptions (
  id uuid PRIMARY KEY,
  provider text NOT NULL,
  provider_subscription_id text NOT NULL,
  customer_id text,
  tenant_id uuid,
  plan text,
  price_id text,
  status text NOT NULL,
  current_period_end timestamptz,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  last_event_id text NOT NULL,
  last_event_type text NOT NULL,
  last_event_at timestamptz NOT NULL,
  -- The last decision announced for the tenant; null before the first.
  access text CHECK (access IN ('granted', 'revoked')),
  -- While past_due: when access is revoked, unless the subscription recovers first.
  revoke_after timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_subscription_id)
);
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id);
CREATE INDEX subscriptions_due ON subscriptions (revoke_after) WHERE revoke_after IS NOT NULL;

-- Down Migration
DROP TABLE subscriptions;
DROP TABLE webhook_events;
DROP TABLE known_tenants;
