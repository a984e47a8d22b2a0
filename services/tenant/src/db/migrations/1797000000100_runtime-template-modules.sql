-- Up Migration
-- The modules the runtime's Odoo offers, read from its template when it was made (a template
-- accepts no connection afterwards): plans name modules, and are checked against these.
ALTER TABLE odoo_runtimes ADD COLUMN template_modules text[];

-- Down Migration
ALTER TABLE odoo_runtimes DROP COLUMN template_modules;
