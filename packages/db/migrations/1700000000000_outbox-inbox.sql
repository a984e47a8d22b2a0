-- Up Migration
-- Events waiting to be published, written in the same transaction as the change they describe.
CREATE TABLE ocp_outbox (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  subject text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX ocp_outbox_unpublished ON ocp_outbox (id) WHERE published_at IS NULL;

-- What each consumer has handled, written in the same transaction as the effect.
CREATE TABLE ocp_inbox (
  consumer text NOT NULL,
  event_id text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

-- Down Migration
DROP TABLE ocp_inbox;
DROP TABLE ocp_outbox;
