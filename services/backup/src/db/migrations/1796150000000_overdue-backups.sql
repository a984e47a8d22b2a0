-- Up Migration

-- When the schedule took a tenant on: the time of the first event that showed it active or
-- suspended. A tenant with no backup yet is overdue a day (and the grace) after it. Set by a
-- trigger, so every way a row is written (the projection, a window set before the events came)
-- keeps it.
ALTER TABLE known_tenants ADD COLUMN schedule_since timestamptz;
UPDATE known_tenants k SET schedule_since = LEAST(
    k.event_time,
    (SELECT min(b.created_at) FROM backups b WHERE b.tenant_id = k.tenant_id))
  WHERE k.state IN ('active', 'suspended');

CREATE FUNCTION known_tenants_schedule_since() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.schedule_since IS NULL AND NEW.state IN ('active', 'suspended') THEN
    NEW.schedule_since := NEW.event_time;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER known_tenants_schedule_since BEFORE INSERT OR UPDATE ON known_tenants
  FOR EACH ROW EXECUTE FUNCTION known_tenants_schedule_since();

-- The overdue list walks the scheduled tenants by id and finds each one's last successful
-- scheduled or manual backup with one index probe, however many failed ones came after it.
CREATE INDEX known_tenants_scheduled ON known_tenants (tenant_id) WHERE state IN ('active', 'suspended');
CREATE INDEX backups_last_success ON backups (tenant_id, created_at DESC)
  WHERE state = 'succeeded' AND kind IN ('scheduled', 'manual');

-- Down Migration
DROP INDEX backups_last_success;
DROP INDEX known_tenants_scheduled;
DROP TRIGGER known_tenants_schedule_since ON known_tenants;
DROP FUNCTION known_tenants_schedule_since();
ALTER TABLE known_tenants DROP COLUMN schedule_since;
