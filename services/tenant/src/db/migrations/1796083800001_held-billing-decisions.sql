-- Up Migration
-- Billing's latest decision about a tenant that is not active yet (pending, provisioning, or a
-- failed provisioning that can be retried), applied in the transaction that activates it.
CREATE TABLE held_billing_decisions (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
  access text CHECK (access IN ('granted', 'revoked')),
  plan text,
  -- The billing events that carried them, for the log and an operator's eyes.
  access_event_id text,
  plan_event_id text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE held_billing_decisions;
