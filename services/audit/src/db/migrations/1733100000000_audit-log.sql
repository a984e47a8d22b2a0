-- Up Migration

-- The audit log: append-only, each entry chained to the one before it by hash.
CREATE TABLE audit_entries (
  seq bigint PRIMARY KEY,
  -- The CloudEvents id of the recorded event: one entry per id (the consumer's inbox).
  id text NOT NULL,
  -- UTC, milliseconds: what the hash covers reads back exactly.
  time timestamptz NOT NULL,
  source text NOT NULL,
  type text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  tenant_id text,
  outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'failed')),
  -- The event's data as canonical JSON (RFC 8785), the exact text hashed; text, not jsonb, which
  -- would reorder keys, rewrite numbers and refuse \u0000.
  data text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  -- When it was appended; not part of the hash.
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX audit_entries_id ON audit_entries (id);
-- "One tenant, one day" and "one actor, one week": a range scan, then a sort by seq of what it found.
CREATE INDEX audit_entries_tenant_time ON audit_entries (tenant_id, time, seq);
CREATE INDEX audit_entries_actor_time ON audit_entries (actor, time, seq);
CREATE INDEX audit_entries_time ON audit_entries (time, seq);
-- Refusals and failures are few and most often what is looked for.
CREATE INDEX audit_entries_not_success ON audit_entries (seq) WHERE outcome <> 'success';

-- The end of the chain: locked by every append, so appends are serialised and seq has no gaps.
CREATE TABLE audit_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, repeat('0', 64));

CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit entries are never changed or removed; the hash chain would show it.';
END;
$$;
CREATE TRIGGER audit_entries_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();

-- Down Migration
DROP TABLE audit_head;
DROP TABLE audit_entries;
DROP FUNCTION audit_entries_append_only();
