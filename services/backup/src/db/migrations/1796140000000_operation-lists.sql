-- Up Migration
-- Operations are listed newest first across this service and the tenant service, by a position of
-- (createdAt, id) that the API shows in milliseconds: they are created at millisecond precision,
-- so the position a page ends on is exact. One btree for each filter of the list.
ALTER TABLE operations ALTER COLUMN created_at SET DEFAULT date_trunc('milliseconds', now());
UPDATE operations SET created_at = date_trunc('milliseconds', created_at)
  WHERE created_at <> date_trunc('milliseconds', created_at);
CREATE INDEX operations_page ON operations (created_at DESC, id DESC);
CREATE INDEX operations_tenant_page ON operations (tenant_id, created_at DESC, id DESC);
CREATE INDEX operations_state_page ON operations (state, created_at DESC, id DESC);
CREATE INDEX operations_kind_page ON operations (kind, created_at DESC, id DESC);

-- Down Migration
DROP INDEX operations_kind_page;
DROP INDEX operations_state_page;
DROP INDEX operations_tenant_page;
DROP INDEX operations_page;
ALTER TABLE operations ALTER COLUMN created_at SET DEFAULT now();
