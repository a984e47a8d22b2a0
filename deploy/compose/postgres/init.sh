#!/bin/sh
# First start of the compose PostgreSQL (docker-entrypoint-initdb.d): the platform's roles and
# databases from deploy/postgres/roles.sql, each role's password from the environment (.env), and
# the Odoo runtime's role. Sent to the server over the local socket, which the official image's
# initialisation uses, and stored as SCRAM verifiers (password_encryption's default).
set -eu
psql=psql
run() { "$psql" -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres "$@"; }

run -f /ocp/roles.sql

set_password() {
  run -v role="$1" -v password="$2" <<'SQL'
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'password') \gexec
SQL
}
set_password ocp_tenant_owner "$PG_TENANT_OWNER_PASSWORD"
set_password ocp_tenant_app "$PG_TENANT_APP_PASSWORD"
set_password ocp_audit_owner "$PG_AUDIT_OWNER_PASSWORD"
set_password ocp_audit_app "$PG_AUDIT_APP_PASSWORD"
set_password ocp_billing_owner "$PG_BILLING_OWNER_PASSWORD"
set_password ocp_billing_app "$PG_BILLING_APP_PASSWORD"
set_password ocp_backup_owner "$PG_BACKUP_OWNER_PASSWORD"
set_password ocp_backup_app "$PG_BACKUP_APP_PASSWORD"
set_password ocp_gateway_owner "$PG_GATEWAY_OWNER_PASSWORD"
set_password ocp_gateway_app "$PG_GATEWAY_APP_PASSWORD"
set_password ocp_quota_owner "$PG_QUOTA_OWNER_PASSWORD"
set_password ocp_quota_app "$PG_QUOTA_APP_PASSWORD"
set_password ocp_tenant_admin "$PG_TENANT_ADMIN_PASSWORD"

# The Odoo runtime's role (registered with dbRole odoo): owns the tenants' databases it serves,
# creates its template through Odoo (CREATEDB) and lists databases from `postgres`.
run <<'SQL'
SELECT 'CREATE ROLE odoo LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'odoo')
\gexec
GRANT CONNECT ON DATABASE postgres TO odoo;
SQL
set_password odoo "$PG_ODOO_PASSWORD"
