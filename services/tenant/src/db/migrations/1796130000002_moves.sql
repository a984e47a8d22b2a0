-- Up Migration
-- A tenant being moved to another database server (state migrating): where it goes (server,
-- runtime or none, owner role), until the move ends.
ALTER TABLE tenants ADD COLUMN move_target jsonb;

-- Down Migration
ALTER TABLE tenants DROP COLUMN move_target;
