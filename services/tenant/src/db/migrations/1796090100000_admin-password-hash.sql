-- Up Migration
-- The Odoo hash of a generated administrator password that was hashed before the tenant was
-- created (the tenant service keeps a few ready); provisioning writes it instead of hashing the
-- sealed password, and clears both once the tenant is active. Not a secret of the platform's (the
-- tenant's database holds the same hash), but kept no longer than the sealed password it hashes.
ALTER TABLE tenants ADD COLUMN admin_password_hash text;

-- Down Migration
ALTER TABLE tenants DROP COLUMN admin_password_hash;
