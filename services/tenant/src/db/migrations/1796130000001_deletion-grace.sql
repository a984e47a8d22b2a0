-- Up Migration
-- A deletion takes a final backup and waits out a grace period before the database and files go:
-- when they go, the state the tenant was deleted from (to undo the deletion), and its final backup.
ALTER TABLE tenants ADD COLUMN purge_after timestamptz;
ALTER TABLE tenants ADD COLUMN deleting_from text
  CHECK (deleting_from IN ('pending', 'provisioning', 'failed', 'active', 'suspended'));
ALTER TABLE tenants ADD COLUMN final_backup_id uuid;

-- Down Migration
ALTER TABLE tenants DROP COLUMN final_backup_id;
ALTER TABLE tenants DROP COLUMN deleting_from;
ALTER TABLE tenants DROP COLUMN purge_after;
