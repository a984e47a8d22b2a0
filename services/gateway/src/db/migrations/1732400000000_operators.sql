-- Up Migration
CREATE TABLE operators (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'billing', 'viewer')),
  -- scrypt, with its parameters: scrypt$N$r$p$salt$hash
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE UNIQUE INDEX operators_email ON operators (lower(email));

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- SHA-256 of the token; the token itself is shown once, at login.
  token_hash bytea NOT NULL UNIQUE,
  operator_id uuid NOT NULL REFERENCES operators (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_operator ON sessions (operator_id);

-- Down Migration
DROP TABLE sessions;
DROP TABLE operators;
