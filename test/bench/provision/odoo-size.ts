/**
 * SQL that pads a database made from the built-in Odoo table shapes to the size of a fresh Odoo
 * 18.0 database (121 tables, about 20 MB with its indexes, see ../shared facts): tables shaped like
 * Odoo's (serial id, audit columns, a name, a JSON translation column, a foreign key, indexes),
 * filled with rows. The benchmark's template is made through the runtime with it, so the clone the
 * API pays for copies as many files and bytes as a real one.
 */
export interface OdooSize {
  /** Tables to add (the built-in shapes have about 20). */
  tables: number;
  /** Rows in each added table. */
  rowsPerTable: number;
}

/** A fresh Odoo 18.0 database: 121 tables, about 20 MB. */
export const ODOO_18_TABLES = 121;

/** What to add to `builtInTables` tables to reach a fresh Odoo 18.0 database's count and size. */
export function freshOdoo18(builtInTables: number): OdooSize {
  return { tables: Math.max(0, ODOO_18_TABLES - builtInTables), rowsPerTable: 60 };
}

/** How many tables an SQL script creates. */
export const tablesIn = (sql: string) => (sql.match(/^\s*CREATE TABLE /gim) ?? []).length;

export function paddingSql(size: OdooSize): string {
  const parts: string[] = [];
  for (let i = 0; i < size.tables; i++) {
    const t = `ocp_bench_model_${String(i).padStart(3, '0')}`;
    parts.push(`
CREATE TABLE ${t} (
  id serial PRIMARY KEY,
  name character varying NOT NULL,
  display_name jsonb,
  sequence integer,
  active boolean DEFAULT true,
  company_id integer,
  partner_id integer REFERENCES res_partner (id) ON DELETE SET NULL,
  note text,
  create_uid integer,
  create_date timestamp without time zone,
  write_uid integer,
  write_date timestamp without time zone
);
CREATE INDEX ${t}_name_index ON ${t} (name);
CREATE INDEX ${t}_company_id_index ON ${t} (company_id);
INSERT INTO ${t} (name, display_name, sequence, company_id, partner_id, note, create_uid, create_date, write_uid, write_date)
SELECT 'Record ' || g || ' of ${t}', jsonb_build_object('en_US', 'Record ' || g), g, 1, 1,
       repeat(md5(g::text || '${t}'), 3), 1, now() at time zone 'utc', 1, now() at time zone 'utc'
FROM generate_series(1, ${size.rowsPerTable}) AS g;`);
  }
  return parts.join('\n');
}
