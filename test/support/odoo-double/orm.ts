/**
 * The part of Odoo's ORM that the platform and the tests call through `execute_kw`: `search`,
 * `search_count`, `search_read` and `read` on a few models, over the real tables of a tenant
 * database. Each field is an SQL expression over the model's table (alias `t`), so related and
 * computed fields (a user's name is its partner's) read like stored ones. Domains follow Odoo's
 * prefix notation (`&`, `|`, `!`, leaves `[field, operator, value]`); records answer as Odoo's do
 * (`false` for empty values, `[id, name]` for many2one, id lists for x2many).
 */
import type pg from 'pg';
import { OdooFault } from './faults.ts';

type FieldType = 'int' | 'char' | 'bool' | 'm2o' | 'ids' | 'date';

interface Field {
  sql: string;
  type: FieldType;
  /** A many2one's display name, as SQL. */
  display?: string;
  /** A value computed in code from the `sql` value (a module's version on disk). */
  compute?: (value: unknown) => unknown;
}

export interface Model {
  name: string;
  table: string;
  fields: Record<string, Field>;
  /** Has an `active` field: searches skip inactive records unless the context says otherwise. */
  active: boolean;
  order: string;
}

const partnerName = (col: string) => `(SELECT p.name FROM res_partner p WHERE p.id = ${col})`;
const moduleTitle = (where: string) =>
  `(SELECT m.shortdesc->>'en_US' FROM ir_module_module m WHERE ${where})`;
const dateField = (col: string): Field => ({
  sql: `to_char(${col}, 'YYYY-MM-DD HH24:MI:SS')`,
  type: 'date',
});

function model(
  name: string,
  table: string,
  fields: Record<string, Field>,
  options: { order?: string; display?: string } = {},
): Model {
  return {
    name,
    table,
    fields: {
      id: { sql: 't.id', type: 'int' },
      display_name: { sql: options.display ?? 't.name', type: 'char' },
      ...fields,
    },
    active: 'active' in fields,
    order: options.order ?? 'id',
  };
}

const char = (sql: string): Field => ({ sql, type: 'char' });
const int = (sql: string): Field => ({ sql, type: 'int' });
const bool = (sql: string): Field => ({ sql, type: 'bool' });
const m2o = (sql: string, display: string): Field => ({ sql, type: 'm2o', display });
const ids = (sql: string): Field => ({ sql: `ARRAY(${sql})`, type: 'ids' });

/** The models the double knows, by Odoo name; the module model gets its versions on disk from `diskVersion`. */
export function buildModels(diskVersion: (module: string) => string): Map<string, Model> {
  const models = [
    model(
      'res.users',
      'res_users',
      {
        login: char('t.login'),
        name: char(partnerName('t.partner_id')),
        email: char('(SELECT p.email FROM res_partner p WHERE p.id = t.partner_id)'),
        active: bool('t.active'),
        share: bool('t.share'),
        company_id: m2o('t.company_id', '(SELECT c.name FROM res_company c WHERE c.id = t.company_id)'),
        partner_id: m2o('t.partner_id', partnerName('t.partner_id')),
        groups_id: ids('SELECT r.gid FROM res_groups_users_rel r WHERE r.uid = t.id ORDER BY r.gid'),
        create_date: dateField('t.create_date'),
      },
      { order: 'name, login', display: partnerName('t.partner_id') },
    ),
    model('res.company', 'res_company', {
      name: char('t.name'),
      active: bool('t.active'),
      partner_id: m2o('t.partner_id', partnerName('t.partner_id')),
      // The template has no currency table; id 1 is EUR in Odoo's base data.
      currency_id: m2o('t.currency_id', "CASE WHEN t.currency_id = 1 THEN 'EUR' END"),
      email: char('t.email'),
      phone: char('t.phone'),
    }),
    model(
      'res.partner',
      'res_partner',
      {
        name: char('t.name'),
        complete_name: char('t.complete_name'),
        email: char('t.email'),
        phone: char('t.phone'),
        lang: char('t.lang'),
        active: bool('t.active'),
        is_company: bool('t.is_company'),
        company_id: m2o('t.company_id', '(SELECT c.name FROM res_company c WHERE c.id = t.company_id)'),
      },
      { display: 't.complete_name' },
    ),
    model(
      'res.groups',
      'res_groups',
      {
        name: char("t.name->>'en_US'"),
        share: bool('t.share'),
        users: ids('SELECT r.uid FROM res_groups_users_rel r WHERE r.gid = t.id ORDER BY r.uid'),
      },
      { display: "t.name->>'en_US'" },
    ),
    model(
      'ir.config_parameter',
      'ir_config_parameter',
      { key: char('t.key'), value: char('t.value') },
      {
        order: 'key',
        display: 't.key',
      },
    ),
    model(
      'ir.model.data',
      'ir_model_data',
      {
        module: char('t.module'),
        name: char('t.name'),
        model: char('t.model'),
        res_id: int('t.res_id'),
        noupdate: bool('t.noupdate'),
        complete_name: char("t.module || '.' || t.name"),
      },
      { display: "t.module || '.' || t.name" },
    ),
    model(
      'ir.module.module',
      'ir_module_module',
      {
        name: char('t.name'),
        shortdesc: char("t.shortdesc->>'en_US'"),
        summary: char("t.summary->>'en_US'"),
        state: char('t.state'),
        latest_version: char('t.latest_version'),
        installed_version: { sql: 't.name', type: 'char', compute: (name) => diskVersion(String(name)) },
        application: bool('t.application'),
        sequence: int('t.sequence'),
        auto_install: bool('t.auto_install'),
        license: char('t.license'),
        author: char('t.author'),
        dependencies_id: ids(
          'SELECT d.id FROM ir_module_module_dependency d WHERE d.module_id = t.id ORDER BY d.id',
        ),
      },
      { order: 'application desc, sequence, name', display: "t.shortdesc->>'en_US'" },
    ),
    model('ir.module.module.dependency', 'ir_module_module_dependency', {
      name: char('t.name'),
      module_id: m2o('t.module_id', moduleTitle('m.id = t.module_id')),
      depend_id: m2o(
        '(SELECT m.id FROM ir_module_module m WHERE m.name = t.name)',
        moduleTitle('m.name = t.name'),
      ),
      state: char("COALESCE((SELECT m.state FROM ir_module_module m WHERE m.name = t.name), 'unknown')"),
      auto_install_required: bool('t.auto_install_required'),
    }),
  ];
  return new Map(models.map((m) => [m.name, m]));
}

const valueError = (message: string) => new OdooFault('builtins.ValueError', message);

/** Python's repr of a leaf, for error messages as Odoo words them. */
const pyRepr = (value: unknown): string =>
  Array.isArray(value)
    ? `(${value.map(pyRepr).join(', ')})`
    : typeof value === 'string'
      ? `'${value}'`
      : value === true
        ? 'True'
        : value === false
          ? 'False'
          : value === null || value === undefined
            ? 'None'
            : String(value);

function leafSql(m: Model, leaf: unknown[], params: unknown[]): string {
  const [name, op, value] = leaf;
  const field = typeof name === 'string' ? m.fields[name] : undefined;
  if (!field || field.compute)
    throw valueError(`Invalid field ${m.name}.${String(name)} in leaf ${pyRepr(leaf)}`);
  const e = field.sql;
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const empty = value === false || value === null;
  switch (op) {
    case '=':
      if (field.type === 'ids') return `${param(value)} = ANY(${e})`;
      if (empty) return field.type === 'bool' ? `(${e} IS NULL OR NOT ${e})` : `${e} IS NULL`;
      return `${e} = ${param(value)}`;
    case '!=':
    case '<>':
      if (empty) return field.type === 'bool' ? `COALESCE(${e}, false)` : `${e} IS NOT NULL`;
      return `${e} IS DISTINCT FROM ${param(value)}`;
    case 'in':
    case 'not in': {
      const list = Array.isArray(value) ? value : [value];
      const test = field.type === 'ids' ? `${e} && ${param(list)}::int[]` : `${e} = ANY(${param(list)})`;
      if (op === 'in') return list.length ? test : 'FALSE';
      return list.length ? `NOT COALESCE(${test}, false)` : 'TRUE';
    }
    case '<':
    case '>':
    case '<=':
    case '>=':
      return `${e} ${op} ${param(value)}`;
    case 'like':
    case 'ilike':
    case 'not like':
    case 'not ilike':
    case '=like':
    case '=ilike': {
      const raw = String(value);
      const pattern = op.startsWith('=') ? raw : `%${raw.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const cmp = op.includes('ilike') ? 'ILIKE' : 'LIKE';
      return `${op.startsWith('not') ? 'NOT ' : ''}COALESCE(${e}::text ${cmp} ${param(pattern)}, false)`;
    }
    default:
      throw valueError(`Invalid leaf ${pyRepr(leaf)}`);
  }
}

/** The SQL condition of an Odoo domain; adds `t.active` as Odoo's `active_test` does. */
export function domainSql(
  m: Model,
  domain: unknown,
  params: unknown[],
  context: Record<string, unknown>,
): string {
  if (!Array.isArray(domain)) throw valueError(`Invalid domain ${pyRepr(domain)}`);
  let i = 0;
  let mentionsActive = false;
  const next = (): string => {
    const token = domain[i++];
    if (token === '&' || token === '|') {
      const a = next();
      const b = next();
      return `(${a} ${token === '&' ? 'AND' : 'OR'} ${b})`;
    }
    if (token === '!') return `(NOT ${next()})`;
    if (Array.isArray(token) && token.length === 3) {
      if (token[0] === 'active') mentionsActive = true;
      return leafSql(m, token, params);
    }
    throw valueError(`Invalid domain ${pyRepr(domain)}`);
  };
  const parts: string[] = [];
  while (i < domain.length) parts.push(next());
  if (m.active && context.active_test !== false && !mentionsActive) parts.push('t.active');
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

function orderSql(m: Model, order: unknown): string {
  const text = typeof order === 'string' && order.trim() ? order : m.order;
  const terms = text.split(',').map((term) => {
    const [name, dir = 'asc', ...rest] = term.trim().split(/\s+/);
    const field = name ? m.fields[name] : undefined;
    if (!field || field.compute || rest.length || !/^(asc|desc)$/i.test(dir))
      throw valueError(`Invalid "order" specified (${text}).`);
    return `${field.sql} ${dir.toUpperCase()}`;
  });
  return [...terms, 't.id'].join(', ');
}

export interface SearchOptions {
  offset?: unknown;
  limit?: unknown;
  order?: unknown;
  context: Record<string, unknown>;
}

/** Ids matching `domain`, in the model's order (or `order`). */
export async function search(
  c: pg.ClientBase,
  m: Model,
  domain: unknown,
  o: SearchOptions,
): Promise<number[]> {
  const params: unknown[] = [];
  const where = domainSql(m, domain, params, o.context);
  let sql = `SELECT t.id FROM ${m.table} t WHERE ${where} ORDER BY ${orderSql(m, o.order)}`;
  if (typeof o.limit === 'number') sql += ` LIMIT ${Math.max(0, Math.trunc(o.limit))}`;
  if (typeof o.offset === 'number') sql += ` OFFSET ${Math.max(0, Math.trunc(o.offset))}`;
  const { rows } = await c.query<{ id: number }>(sql, params);
  return rows.map((r) => r.id);
}

export async function searchCount(
  c: pg.ClientBase,
  m: Model,
  domain: unknown,
  context: Record<string, unknown>,
) {
  const params: unknown[] = [];
  const where = domainSql(m, domain, params, context);
  const { rows } = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${m.table} t WHERE ${where}`,
    params,
  );
  return rows[0]?.n ?? 0;
}

/** `read`: the records in the order of `ids`; a missing id is Odoo's MissingError. */
export async function read(
  c: pg.ClientBase,
  m: Model,
  recordIds: unknown,
  fields: unknown,
  uid: number,
): Promise<Record<string, unknown>[]> {
  const list = (Array.isArray(recordIds) ? recordIds : [recordIds]).map(Number);
  const names = Array.isArray(fields) && fields.length ? fields.map(String) : Object.keys(m.fields);
  for (const name of names)
    if (!m.fields[name]) throw valueError(`Invalid field '${name}' on model '${m.name}'`);
  const columns = names.flatMap((name, i) => {
    const f = m.fields[name] as Field;
    return f.type === 'm2o' ? [`${f.sql} AS f${i}`, `${f.display} AS d${i}`] : [`${f.sql} AS f${i}`];
  });
  const { rows } = await c.query(
    `SELECT t.id AS "__id", ${columns.join(', ')} FROM ${m.table} t WHERE t.id = ANY($1)`,
    [list],
  );
  const byId = new Map(rows.map((r) => [r.__id as number, r]));
  const missing = list.filter((id) => !byId.has(id));
  if (missing.length) {
    const repr = missing.length === 1 ? `${missing[0]},` : missing.join(', ');
    throw new OdooFault(
      'odoo.exceptions.MissingError',
      `Record does not exist or has been deleted.\n(Record: ${m.name}(${repr}), User: ${uid})`,
    );
  }
  return list.map((id) => {
    const row = byId.get(id) as Record<string, unknown>;
    const record: Record<string, unknown> = { id };
    names.forEach((name, i) => {
      const f = m.fields[name] as Field;
      const v = row[`f${i}`];
      if (f.compute) record[name] = f.compute(v);
      else if (f.type === 'm2o') record[name] = v === null ? false : [v, row[`d${i}`] ?? false];
      else if (f.type === 'ids') record[name] = v ?? [];
      else if (f.type === 'int') record[name] = v ?? 0;
      else record[name] = v ?? false;
    });
    return record;
  });
}
