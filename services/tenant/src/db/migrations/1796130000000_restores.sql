-- Up Migration
-- A tenant handed to the backup service for a restore: which restore holds it, and the state it
-- goes back to (active or suspended; pending for a tenant the restore makes).
ALTER TABLE tenants ADD COLUMN restore_id uuid;
ALTER TABLE tenants ADD COLUMN restore_previous_state text
  CHECK (restore_previous_state IN ('pending', 'active', 'suspended'));

-- Down Migration
ALTER TABLE tenants DROP COLUMN restore_previous_state;
ALTER TABLE tenants DROP COLUMN restore_id;
