-- Up Migration
-- How often a row was refused, and the last reason, for the relay's retries and for whoever looks.
ALTER TABLE ocp_outbox
  ADD COLUMN attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN last_error text;

-- Rows the relay gave up on (refused too often, or never publishable), with why. They no longer
-- hold back the rows after them; requeueing one is a manual INSERT back into ocp_outbox.
CREATE TABLE ocp_outbox_dead (
  id bigint PRIMARY KEY,
  event_id text NOT NULL,
  subject text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  attempts integer NOT NULL,
  error text NOT NULL,
  dead_at timestamptz NOT NULL DEFAULT now()
);

-- Who does a one-at-a-time job of this database (the outbox relay), until when. A holder that stops
-- renewing loses it when it expires, whatever became of its connections.
CREATE TABLE ocp_lease (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- The inbox is pruned by age.
CREATE INDEX ocp_inbox_handled_at ON ocp_inbox (handled_at);

-- Down Migration
DROP INDEX ocp_inbox_handled_at;
DROP TABLE ocp_lease;
DROP TABLE ocp_outbox_dead;
ALTER TABLE ocp_outbox DROP COLUMN last_error, DROP COLUMN attempts;
