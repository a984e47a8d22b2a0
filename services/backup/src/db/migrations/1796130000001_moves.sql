-- Up Migration
-- Moves between database servers: their operations and the backups that carry them; and the name
-- of a backup's server (the key of its admin URL in BACKUP_DB_SERVERS).
ALTER TABLE operations DROP CONSTRAINT operations_kind_check;
ALTER TABLE operations ADD CONSTRAINT operations_kind_check
  CHECK (kind IN ('backup.run', 'backup.restore', 'backup.drill', 'backup.import', 'backup.move'));
ALTER TABLE backups DROP CONSTRAINT backups_kind_check;
ALTER TABLE backups ADD CONSTRAINT backups_kind_check
  CHECK (kind IN ('manual', 'scheduled', 'pre-restore', 'final', 'move'));
ALTER TABLE backups ADD COLUMN database_server_name text;

-- Down Migration
ALTER TABLE backups DROP COLUMN database_server_name;
ALTER TABLE backups DROP CONSTRAINT backups_kind_check;
ALTER TABLE backups ADD CONSTRAINT backups_kind_check
  CHECK (kind IN ('manual', 'scheduled', 'pre-restore', 'final'));
ALTER TABLE operations DROP CONSTRAINT operations_kind_check;
ALTER TABLE operations ADD CONSTRAINT operations_kind_check
  CHECK (kind IN ('backup.run', 'backup.restore', 'backup.drill', 'backup.import'));
