/**
 * Odoo's `db` service over a real PostgreSQL server, as the runtime's role: databases are made,
 * copied, renamed and dropped with the SQL Odoo 18's `odoo/service/db.py` runs, each with its
 * filestore directory under `<dataDir>/filestore/<db>`. Work inside a tenant database goes through
 * a small pool per database, closed before the database is dropped, renamed or copied (Odoo closes
 * its own the same way).
 */
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { quoteIdent } from '@ocp/db';
import pg from 'pg';
import { connectionFault, fromPostgres, OdooFault } from './faults.ts';
import { hashPbkdf2Sha512 } from './passlib.ts';

/** Odoo's rounds for users' passwords. */
const PASSWORD_ROUNDS = 600_000;
/** Names Odoo's database manager accepts (`DBNAME_PATTERN`); also keeps filestore paths inside `dataDir`. */
const DBNAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Three small files as a fresh database's filestore holds: `[name, res_model, res_field, res_id, mimetype, body]`. */
const FRESH_FILES: [string, string, string | null, number | null, string, string][] = [
  ['logo.png', 'res.partner', 'image_1920', 1, 'image/png', 'PNG: My Company'],
  ['web.assets_web.min.css', 'ir.ui.view', null, null, 'text/css', 'body{margin:0}'],
  [
    'web.assets_web.min.js',
    'ir.ui.view',
    null,
    null,
    'application/javascript',
    'odoo.define("double",[],()=>{});',
  ],
];

export interface DatabasesOptions {
  /** The runtime role's URL (any database of the server; `postgres` by convention). */
  databaseUrl: string;
  dataDir: string;
  templateSql: string;
  extraSql?: string;
}

const nowSql = "now() at time zone 'utc'";

export class Databases {
  private readonly server: pg.Pool;
  private readonly pools = new Map<string, pg.Pool>();
  private readonly host: string;
  private readonly port: string;

  constructor(private readonly opts: DatabasesOptions) {
    const url = new URL(opts.databaseUrl);
    this.host = url.hostname;
    this.port = url.port || '5432';
    this.server = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 2,
      application_name: 'odoo-double',
    });
    this.server.on('error', () => {});
  }

  filestore(db: string): string {
    return join(this.opts.dataDir, 'filestore', db);
  }

  /** Runs `fn` in one transaction of database `db`, as Odoo's cursor does; rolled back on error. */
  async transaction<T>(db: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.connect(db);
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  private async connect(db: string): Promise<pg.PoolClient> {
    let pool = this.pools.get(db);
    if (!pool) {
      const url = new URL(this.opts.databaseUrl);
      url.pathname = `/${encodeURIComponent(db)}`;
      pool = new pg.Pool({
        connectionString: url.toString(),
        max: 4,
        idleTimeoutMillis: 5000,
        application_name: 'odoo-double',
      });
      pool.on('error', () => {});
      this.pools.set(db, pool);
    }
    try {
      return await pool.connect();
    } catch (err) {
      await this.closePool(db);
      throw connectionFault(err, this.host, this.port);
    }
  }

  async closePool(db: string): Promise<void> {
    const pool = this.pools.get(db);
    this.pools.delete(db);
    await pool?.end().catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.keys()].map((db) => this.closePool(db)));
    await this.server.end().catch(() => {});
  }

  /** Odoo's `_drop_conn`: ends other sessions on `db`, ignoring those the role may not end. */
  private async dropConnections(db: string): Promise<void> {
    await this.closePool(db);
    await this.server
      .query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [db],
      )
      .catch(() => {});
  }

  /** `list_dbs(True)`: databases owned by the role, not templates, allowing connections. */
  async list(): Promise<string[]> {
    const { rows } = await this.server.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)
          AND NOT datistemplate AND datallowconn AND datname NOT IN ('postgres', 'template0', 'template1')
        ORDER BY datname`,
    );
    return rows.map((r) => r.datname);
  }

  /**
   * `db_exist`: whether the role can open the database (Odoo tries a connection). The connection is
   * not kept, so asking about a database never holds it open against a later clone.
   */
  async exist(db: string): Promise<boolean> {
    const url = new URL(this.opts.databaseUrl);
    url.pathname = `/${encodeURIComponent(db)}`;
    const c = new pg.Client({ connectionString: url.toString(), application_name: 'odoo-double' });
    c.on('error', () => {});
    try {
      await c.connect();
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** `create_database`: an empty database, the template's tables, the admin's login and password. */
  async create(db: string, lang: string, password: string, login: string, phone: unknown): Promise<true> {
    this.checkName(db);
    const exists = await this.server.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (exists.rowCount)
      throw new OdooFault('odoo.service.db.DatabaseExists', `database '${db}' already exists!`);
    const hash = hashPbkdf2Sha512(password, PASSWORD_ROUNDS);
    try {
      await this.server.query(
        `CREATE DATABASE ${quoteIdent(db)} ENCODING 'unicode' LC_COLLATE 'C' TEMPLATE template0`,
      );
    } catch (err) {
      throw fromPostgres(err);
    }
    await this.transaction(db, async (c) => {
      await c.query(this.opts.templateSql);
      if (this.opts.extraSql) await c.query(this.opts.extraSql);
      await c.query(`UPDATE res_users SET login = $1, password = $2, write_date = ${nowSql} WHERE id = 2`, [
        login,
        await hash,
      ]);
      const email = /^[^@\s]+@[^@\s]+$/.test(login) ? login : null;
      await c.query('UPDATE res_partner SET lang = $1, email = COALESCE($2, email) WHERE id = 2', [
        lang,
        email,
      ]);
      if (typeof phone === 'string' && phone) {
        await c.query('UPDATE res_company SET phone = $1 WHERE id = 1', [phone]);
        await c.query('UPDATE res_partner SET phone = $1 WHERE id = 1', [phone]);
      }
      await this.resetIdentity(c);
      for (const [name, model, field, resId, mimetype, text] of FRESH_FILES) {
        const body = Buffer.from(text);
        const sha1 = createHash('sha1').update(body).digest('hex');
        const storeFname = `${sha1.slice(0, 2)}/${sha1}`;
        const path = join(this.filestore(db), storeFname);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, body);
        await c.query(
          `INSERT INTO ir_attachment (name, res_model, res_field, res_id, company_id, type, store_fname, checksum, file_size, mimetype, public, create_date, write_date, create_uid, write_uid)
           VALUES ($1, $2, $3, $4, 1, 'binary', $5, $6, $7, $8, $9, ${nowSql}, ${nowSql}, 1, 1)`,
          [name, model, field, resId, storeFname, sha1, body.length, mimetype, field === null],
        );
      }
    });
    return true;
  }

  /** What `ir.config_parameter.init(force=True)` gives any copy: a new uuid, secret and creation date. */
  private async resetIdentity(c: pg.ClientBase): Promise<void> {
    const params: [string, string][] = [
      ['database.uuid', randomUUID()],
      ['database.secret', randomUUID()],
      ['database.create_date', new Date().toISOString().slice(0, 19).replace('T', ' ')],
    ];
    for (const [key, value] of params) await setParam(c, key, value);
  }

  /** `duplicate_database(source, target, neutralize)`: `CREATE DATABASE ... TEMPLATE`, new identity, the filestore. */
  async duplicate(source: string, target: string, neutralize: boolean): Promise<true> {
    this.checkName(target);
    await this.dropConnections(source);
    try {
      await this.server.query(
        `CREATE DATABASE ${quoteIdent(target)} ENCODING 'unicode' TEMPLATE ${quoteIdent(source)}`,
      );
    } catch (err) {
      throw fromPostgres(err);
    }
    await this.transaction(target, async (c) => {
      await this.resetIdentity(c);
      if (neutralize) await neutralizeDatabase(c);
    });
    const from = this.filestore(source);
    const to = this.filestore(target);
    if ((await exists(from)) && !(await exists(to))) await cp(from, to, { recursive: true });
    return true;
  }

  /** `drop`: false unless the database is one `list` shows; removes its filestore. */
  async drop(db: string): Promise<boolean> {
    if (!(await this.list()).includes(db)) return false;
    await this.dropConnections(db);
    try {
      await this.server.query(`DROP DATABASE ${quoteIdent(db)}`);
    } catch (err) {
      throw new OdooFault('builtins.Exception', `Couldn't drop database ${db}: ${fromPostgres(err).message}`);
    }
    await rm(this.filestore(db), { recursive: true, force: true });
    return true;
  }

  /** `rename`: `ALTER DATABASE ... RENAME`, and the filestore directory follows. */
  async rename(from: string, to: string): Promise<true> {
    this.checkName(to);
    await this.dropConnections(from);
    try {
      await this.server.query(`ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`);
    } catch (err) {
      throw new OdooFault(
        'builtins.Exception',
        `Couldn't rename database ${from} to ${to}: ${fromPostgres(err).message}`,
      );
    }
    if (await exists(this.filestore(from))) await rename(this.filestore(from), this.filestore(to));
    return true;
  }

  private checkName(db: string): void {
    if (!DBNAME_PATTERN.test(db)) throw new OdooFault('builtins.Exception', `Invalid database name: ${db}`);
  }
}

/** `ir.config_parameter.set_param` in SQL; `null` deletes the parameter. Answers the previous value or false. */
export async function setParam(c: pg.ClientBase, key: string, value: string | null): Promise<string | false> {
  const old = await c.query<{ value: string }>('SELECT value FROM ir_config_parameter WHERE key = $1', [key]);
  const previous = old.rows[0]?.value ?? false;
  if (value === null) await c.query('DELETE FROM ir_config_parameter WHERE key = $1', [key]);
  else if (old.rowCount)
    await c.query(`UPDATE ir_config_parameter SET value = $2, write_date = ${nowSql} WHERE key = $1`, [
      key,
      value,
    ]);
  else
    await c.query(
      `INSERT INTO ir_config_parameter (key, value, create_date, write_date, create_uid, write_uid) VALUES ($1, $2, ${nowSql}, ${nowSql}, 1, 1)`,
      [key, value],
    );
  return previous;
}

/**
 * Odoo's neutralisation (`odoo/modules/neutralize.py` running base, web, mail and iap's
 * `neutralize.sql`), with the effects recorded on a real 18.0 copy (FACTS-more.md).
 */
export async function neutralizeDatabase(c: pg.ClientBase): Promise<void> {
  await c.query(
    `UPDATE ir_cron SET active = false
      WHERE id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' AND module = 'base' AND name = 'autovacuum_job')`,
  );
  await c.query('UPDATE ir_mail_server SET active = false');
  await c.query(
    `INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active, sequence, create_date, write_date)
     VALUES ('neutralization - disable emails', 'invalid', 1025, 'none', 'login', true, 10, ${nowSql}, ${nowSql})`,
  );
  await c.query('UPDATE fetchmail_server SET active = false');
  await c.query(
    "UPDATE ir_act_server SET webhook_url = 'neutralization - disable webhook' WHERE state = 'webhook'",
  );
  await c.query(
    `UPDATE iap_account SET account_token = CASE WHEN length(account_token) > 33 THEN 'dummy_value+disabled'
       ELSE regexp_replace(account_token, '(\\+.*)?$', '+disabled') END
     WHERE account_token IS NOT NULL`,
  );
  await c.query("UPDATE ir_ui_view SET active = true WHERE key = 'web.neutralize_banner'");
  for (const key of [
    'mail.web_push_vapid_private_key',
    'mail.web_push_vapid_public_key',
    'mail.sfu_server_key',
  ])
    await setParam(c, key, null);
  await setParam(c, 'database.is_neutralized', 'true');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
