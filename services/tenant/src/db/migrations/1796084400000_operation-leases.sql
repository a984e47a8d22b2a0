-- Up Migration
-- Operations are claimed from this table by the workers of @ocp/operations: a lease (renewed by
-- heartbeats) says who runs one, `run_after` holds a retry back, and a notification at commit
-- wakes the workers when one becomes runnable.
ALTER TABLE operations
  ADD COLUMN leased_by text,
  ADD COLUMN lease_expires_at timestamptz,
  ADD COLUMN run_after timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN traceparent text;

-- The claim looks through open operations, oldest first.
CREATE INDEX operations_open ON operations (created_at, id) WHERE state IN ('queued', 'running');

CREATE FUNCTION operations_notify_runnable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ocp_operations', NEW.tenant_id::text);
  RETURN NULL;
END $$;

-- Queued: it may be runnable now.
CREATE TRIGGER operations_queued AFTER INSERT ON operations
  FOR EACH ROW EXECUTE FUNCTION operations_notify_runnable();
-- Ended, or its lease given back: it (or the next operation of its tenant) may be runnable now.
CREATE TRIGGER operations_freed AFTER UPDATE ON operations
  FOR EACH ROW
  WHEN ((OLD.state IS DISTINCT FROM NEW.state AND NEW.state IN ('succeeded', 'failed'))
        OR (OLD.leased_by IS NOT NULL AND NEW.leased_by IS NULL))
  EXECUTE FUNCTION operations_notify_runnable();

-- Down Migration
DROP TRIGGER operations_freed ON operations;
DROP TRIGGER operations_queued ON operations;
DROP FUNCTION operations_notify_runnable();
DROP INDEX operations_open;
ALTER TABLE operations DROP COLUMN traceparent, DROP COLUMN run_after, DROP COLUMN lease_expires_at, DROP COLUMN leased_by;
