-- Up Migration
-- People log in with an email and a password; service accounts have neither and act only through
-- API tokens. An account limited to some tenants lists them in tenant_ids (NULL: every tenant).
ALTER TABLE operators
  ADD COLUMN kind text NOT NULL DEFAULT 'human' CHECK (kind IN ('human', 'service')),
  ADD COLUMN name text,
  ADD COLUMN tenant_ids uuid[],
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ALTER COLUMN email DROP NOT NULL,
  ALTER COLUMN password_hash DROP NOT NULL,
  ADD CONSTRAINT operators_kind_shape CHECK (
    (kind = 'human' AND email IS NOT NULL AND password_hash IS NOT NULL AND name IS NULL)
    OR (kind = 'service' AND email IS NULL AND password_hash IS NULL AND name IS NOT NULL)
  ),
  ADD CONSTRAINT operators_owner_unlimited CHECK (role <> 'owner' OR tenant_ids IS NULL);
CREATE UNIQUE INDEX operators_service_name ON operators (lower(name)) WHERE kind = 'service';
CREATE INDEX operators_created ON operators (created_at DESC, id DESC);

-- The CSRF token of a cookie session, as its SHA-256 (double submit, bound to the session).
ALTER TABLE sessions ADD COLUMN csrf_hash bytea;
ALTER TABLE sessions DROP CONSTRAINT sessions_operator_id_fkey,
  ADD CONSTRAINT sessions_operator_id_fkey FOREIGN KEY (operator_id) REFERENCES operators (id) ON DELETE CASCADE;

-- API tokens: shown once, kept as their SHA-256. A token acts for operator_id (a person or a
-- service account) with at most its scopes.
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
  created_by uuid REFERENCES operators (id) ON DELETE SET NULL,
  name text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_operator ON api_tokens (operator_id);
CREATE INDEX api_tokens_created_by ON api_tokens (created_by);
CREATE INDEX api_tokens_created ON api_tokens (created_at DESC, id DESC);

-- Failed logins per account (lower-cased email, known or not) and per source address, shared by
-- every replica. A key that reaches its limit within the window is locked until locked_until.
CREATE TABLE login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL,
  locked_until timestamptz
);
CREATE INDEX login_throttle_window ON login_throttle (window_started_at);

-- Down Migration
DROP TABLE login_throttle;
DROP TABLE api_tokens;
ALTER TABLE sessions DROP COLUMN csrf_hash;
DROP INDEX operators_created;
DROP INDEX operators_service_name;
ALTER TABLE operators
  DROP CONSTRAINT operators_owner_unlimited,
  DROP CONSTRAINT operators_kind_shape,
  DROP COLUMN updated_at,
  DROP COLUMN tenant_ids,
  DROP COLUMN name,
  DROP COLUMN kind;
