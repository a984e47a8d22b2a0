-- Up Migration

-- Newest first (`ORDER BY seq DESC`) as well as oldest first: a filter on one column and the order
-- of seq in one index, read forwards or backwards, so a page stops after `limit` entries of that
-- tenant, actor or action however long the log, instead of sorting all of theirs.
-- (tenant_id, time, seq) and (actor, time, seq) stay for a time range of one tenant or actor.
CREATE INDEX audit_entries_tenant_seq ON audit_entries (tenant_id, seq);
CREATE INDEX audit_entries_actor_seq ON audit_entries (actor, seq);
CREATE INDEX audit_entries_action_seq ON audit_entries (action, seq);

-- Down Migration
DROP INDEX audit_entries_action_seq;
DROP INDEX audit_entries_actor_seq;
DROP INDEX audit_entries_tenant_seq;
