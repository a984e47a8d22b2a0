-- The roles and databases of the control plane on a PostgreSQL server the platform does not
-- manage (a managed service, a shared cluster), as `./run start` makes them on its own server
-- (packages/cli/src/postgres-roles.ts). Run it once as a role that may create roles and
-- databases (a superuser, or the managed service's admin user), with psql:
--
--   psql "$ADMIN_URL" -v ON_ERROR_STOP=1 -f deploy/postgres/roles.sql
--
-- then set each role's password (\password <role> in psql sends a SCRAM verifier, never the clear
-- password). Safe to run again: existing roles and databases are left and the grants made again.
--
-- PostgreSQL 15. On 16 and later see the notes at the tenant admin role below.

-- Per service: the owner role (owns the database and the tables, runs the migrations:
-- DATABASE_MIGRATION_URL) and the runtime role (DATABASE_URL: owns nothing; the service grants it
-- what its `grants` declare, at every start, over the migration URL).
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', r)
  FROM unnest(ARRAY[
    'ocp_tenant_owner', 'ocp_tenant_app', 'ocp_audit_owner', 'ocp_audit_app',
    'ocp_billing_owner', 'ocp_billing_app', 'ocp_backup_owner', 'ocp_backup_app',
    'ocp_gateway_owner', 'ocp_gateway_app', 'ocp_quota_owner', 'ocp_quota_app']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
\gexec

SELECT format('CREATE DATABASE %I OWNER %I', d, d || '_owner')
  FROM unnest(ARRAY['ocp_tenant', 'ocp_audit', 'ocp_billing', 'ocp_backup', 'ocp_gateway', 'ocp_quota']) AS d
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d)
\gexec

-- Only the service's own roles open its database (the owner does as owner).
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', d), format('GRANT CONNECT ON DATABASE %I TO %I', d, d || '_app')
  FROM unnest(ARRAY['ocp_tenant', 'ocp_audit', 'ocp_billing', 'ocp_backup', 'ocp_gateway', 'ocp_quota']) AS d
\gexec

-- The tenant service's database administration (TENANT_DB_ADMIN_URL, on the `postgres`
-- database), which the backup service uses too (BACKUP_DB_ADMIN_URL: pg_dump reads each tenant's
-- database as a member of its owner, a restore creates databases owned by the runtime roles), and
-- the quota service (QUOTA_DB_ADMIN_URL: counts each tenant's active users and its database size,
-- as a member of the tenant's owner role).
-- Not a superuser:
--   CREATEDB            clone the template into each tenant's database, build the template,
--                       rename, mark (COMMENT), ALLOW_CONNECTIONS on/off and DROP ... WITH (FORCE)
--                       the databases it made (as their owner, then as a member of their owner);
--   CREATEROLE          create each tenant's login role with a SCRAM verifier, COMMENT on it,
--                       grant itself membership in it (to give it the database, REASSIGN OWNED
--                       from the template's owner, change and drop what it owns), DROP ROLE;
--   pg_signal_backend   end the sessions of a database it suspends (pg_terminate_backend), also
--                       those of roles it is no member of, such as the Odoo runtime's;
--   CONNECT on postgres where it works from.
-- On PostgreSQL 16 and later CREATEROLE gives power over the roles this role created only (it
-- holds ADMIN OPTION on them), which is what it needs; the template's owner role must be made by
-- it (the tenant service does at first start) or granted to it by a superuser:
--   GRANT ocp_template_owner TO ocp_tenant_admin WITH ADMIN OPTION, INHERIT TRUE, SET TRUE;
-- and `createrole_self_grant` may be left unset (the service grants itself each tenant role).
SELECT 'CREATE ROLE ocp_tenant_admin LOGIN NOSUPERUSER CREATEDB CREATEROLE NOREPLICATION'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ocp_tenant_admin')
\gexec
GRANT pg_signal_backend TO ocp_tenant_admin;
GRANT CONNECT ON DATABASE postgres TO ocp_tenant_admin;

-- Nobody else opens `postgres` or `template1`: a tenant's role opens its own database only. An
-- Odoo runtime's role will need CONNECT on `postgres` too, where Odoo lists its databases:
--   GRANT CONNECT ON DATABASE postgres TO <odoo runtime role>;
REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;
REVOKE CONNECT ON DATABASE template1 FROM PUBLIC;
