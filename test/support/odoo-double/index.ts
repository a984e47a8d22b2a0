/**
 * A protocol double of an Odoo 18.0 server for the tests: a plain HTTP server answering
 * `POST /jsonrpc` as Odoo does (HTTP 200 always; Odoo's envelope, exception names and messages as
 * recorded in /work/shared/odoo/jsonrpc-18.0*.json), backed by real PostgreSQL databases that it
 * makes from the platform's Odoo template (services/tenant/src/template/odoo-core.sql) and owns
 * through its runtime role, as a real Odoo owns its databases. Installing a module changes a row a
 * test can read; authenticating checks the stored pbkdf2-sha512 hash or an API key. A GET of a web
 * page (`/web/login`) answers which database it is served from, picked by the `X-Odoo-dbfilter`
 * header as the OCA module `dbfilter_from_header` picks it (see web.ts).
 *
 * ```ts
 * const { url } = await createRuntimeRole(`${prefix}odoo`, adminUrl());
 * const odoo = await startOdooDouble({ databaseUrl: url, masterPassword: 'masterpw', dataDir });
 * odoo.faults.lockFailures = 2; // the next two module operations meet a scheduled action's lock
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { quoteIdent, quoteLiteral } from '@ocp/db';
import { SHARED_GRANTS_LOCK } from '@ocp/testkit';
import pg from 'pg';
import { Databases, setParam } from './databases.ts';
import { accessDenied, errorEnvelope, fromPostgres, OdooFault, userError } from './faults.ts';
import {
  diskVersion,
  type ModuleButton,
  runModuleButton,
  SCHEDULED_ACTION_LOCK_ERROR,
  updateModuleList,
} from './modules.ts';
import { buildModels, read, search, searchCount } from './orm.ts';
import { verifyPbkdf2Sha512 } from './passlib.ts';
import { type WebAnswer, webPage } from './web.ts';

export { SCHEDULED_ACTION_LOCK_ERROR } from './modules.ts';
export { hashPbkdf2Sha512, verifyPbkdf2Sha512 } from './passlib.ts';

export interface OdooDoubleOptions {
  /** The runtime role's URL (see `createRuntimeRole`): it creates, owns and opens the databases. */
  databaseUrl: string;
  /** Odoo's `admin_passwd`, needed by the `db` service's calls. */
  masterPassword: string;
  /** Odoo's `data_dir`: filestores go to `<dataDir>/filestore/<db>`. */
  dataDir: string;
  /** The series answered by `common.version` and `db.server_version` (default `18.0`). */
  version?: string;
  /** More SQL run in every database `create_database` makes, after the template (a benchmark pads it). */
  extraSql?: string;
}

/** Failures a test switches on; they act from the next call on. */
export interface OdooDoubleFaults {
  /** The next N module operations answer the scheduled-action lock error (as Odoo does while a cron runs). */
  lockFailures: number;
  /** Installing one of these modules changes and commits the rows, then answers an Odoo UserError. */
  failInstall: Set<string>;
  /** Every call waits this long before it is handled. */
  delayMs: number;
  /** Every connection is closed without an answer. */
  down: boolean;
}

/** A call the double received; object calls also name the model and its method. */
export interface OdooDoubleCall {
  service: string;
  method: string;
  db?: string;
  model?: string;
  modelMethod?: string;
}

export interface OdooDouble {
  /** `http://127.0.0.1:<port>`; JSON-RPC at `url + '/jsonrpc'`. */
  url: string;
  faults: OdooDoubleFaults;
  calls: OdooDoubleCall[];
  /** The current master password (`db.change_admin_password` changes it). */
  readonly masterPassword: string;
  close(): Promise<void>;
}

const ACT_URL = { type: 'ir.actions.act_url', target: 'self', url: '/odoo' };
const TEMPLATE_SQL = new URL('../../../services/tenant/src/template/odoo-core.sql', import.meta.url);
const typeError = (message: string) => new OdooFault('builtins.TypeError', message);

/**
 * Creates (or takes over) a PostgreSQL role for a double to run as: LOGIN CREATEDB with a random
 * password, CONNECT on `postgres`. Answers the URL of the same server's `postgres` database as
 * that role. An existing role gets a new password, so an earlier URL of it stops working.
 */
export async function createRuntimeRole(
  name: string,
  superuserUrl: string,
): Promise<{ role: string; url: string }> {
  const password = randomBytes(18).toString('base64url');
  const c = new pg.Client({ connectionString: superuserUrl });
  c.on('error', () => {});
  await c.connect();
  try {
    try {
      await c.query(`CREATE ROLE ${quoteIdent(name)} LOGIN CREATEDB PASSWORD ${quoteLiteral(password)}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42710') throw err;
      await c.query(`ALTER ROLE ${quoteIdent(name)} LOGIN CREATEDB PASSWORD ${quoteLiteral(password)}`);
    }
    await c.query(
      `SELECT pg_advisory_xact_lock(${SHARED_GRANTS_LOCK}); GRANT CONNECT ON DATABASE postgres TO ${quoteIdent(name)}`,
    );
  } finally {
    await c.end().catch(() => {});
  }
  const url = new URL(superuserUrl);
  url.pathname = '/postgres';
  url.username = encodeURIComponent(name);
  url.password = encodeURIComponent(password);
  return { role: name, url: url.toString() };
}

/** Python's `inspect.signature(fn).bind(*args)`, as Odoo 18 checks RPC arguments. */
function bind(args: unknown[], names: string[], required: number): unknown[] {
  if (args.length > names.length) throw typeError('too many positional arguments');
  if (args.length < required) throw typeError(`missing a required argument: '${names[args.length]}'`);
  return args;
}

export async function startOdooDouble(options: OdooDoubleOptions): Promise<OdooDouble> {
  const serie = options.version ?? '18.0';
  const [major = 0, minor = 0] = serie.split('.').map(Number);
  let masterPassword = options.masterPassword;
  const faults: OdooDoubleFaults = { lockFailures: 0, failInstall: new Set(), delayMs: 0, down: false };
  const calls: OdooDoubleCall[] = [];
  const version = diskVersion(serie);
  const models = buildModels(version);
  const databases = new Databases({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir,
    templateSql: await readFile(TEMPLATE_SQL, 'utf8'),
    ...(options.extraSql ? { extraSql: options.extraSql } : {}),
  });
  /** Hashes that a secret matched already: 600,000 rounds per call would make every call slow (Odoo caches too). */
  const verified = new Set<string>();

  const checkSecret = async (secret: string, stored: string | null | undefined) => {
    if (!stored) return false;
    const key = `${createHash('sha256').update(secret).digest('hex')}:${stored}`;
    if (verified.has(key)) return true;
    const ok = await verifyPbkdf2Sha512(secret, stored);
    if (ok) verified.add(key);
    return ok;
  };

  /** `res.users._check_credentials`: the user's password, else an unexpired `rpc` API key of that user. */
  const checkCredentials = (db: string, uid: number, secret: unknown) =>
    databases.transaction(db, async (c) => {
      if (typeof secret !== 'string' || !secret) return false;
      const user = await c.query<{ password: string | null }>(
        'SELECT password FROM res_users WHERE id = $1 AND active',
        [uid],
      );
      if (!user.rowCount) return false;
      if (await checkSecret(secret, user.rows[0]?.password)) return true;
      const keys = await c.query<{ key: string }>(
        `SELECT k.key FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id
          WHERE u.active AND k.user_id = $1 AND k.index = $2 AND (k.scope IS NULL OR k.scope = 'rpc')
            AND (k.expiration_date IS NULL OR k.expiration_date >= now() at time zone 'utc')`,
        [uid, secret.slice(0, 8)],
      );
      for (const { key } of keys.rows) if (await checkSecret(secret, key)) return true;
      return false;
    });

  const authenticate = async (db: string, login: unknown, password: unknown): Promise<number | false> => {
    const user = await databases.transaction(db, (c) =>
      c.query<{ id: number }>('SELECT id FROM res_users WHERE login = $1 AND active ORDER BY id LIMIT 1', [
        login,
      ]),
    );
    const uid = user.rows[0]?.id;
    return uid !== undefined && (await checkCredentials(db, uid, password)) ? uid : false;
  };

  const common = async (method: string, args: unknown[]) => {
    switch (method) {
      case 'version':
        return {
          server_version: serie,
          server_version_info: [major, minor, 0, 'final', 0, ''],
          server_serie: serie,
          protocol_version: 1,
        };
      case 'about':
        return bind(args, ['extended'], 0)[0] ? ['See http://openerp.com', serie] : 'See http://openerp.com';
      case 'login': {
        const [db, login, password] = bind(args, ['db', 'login', 'password'], 3);
        return authenticate(String(db), login, password);
      }
      case 'authenticate': {
        const [db, login, password] = bind(args, ['db', 'login', 'password', 'user_agent_env'], 4);
        return authenticate(String(db), login, password);
      }
      default:
        throw new OdooFault('builtins.KeyError', `'exp_${method}'`);
    }
  };

  const dbService = async (method: string, args: unknown[]) => {
    if (method === 'server_version') return serie;
    if (method === 'list') return databases.list();
    if (method === 'db_exist') return databases.exist(String(bind(args, ['db_name'], 1)[0]));
    const known = [
      'create_database',
      'duplicate_database',
      'drop',
      'rename',
      'change_admin_password',
      'dump',
      'restore',
    ];
    if (!known.includes(method)) throw new OdooFault('builtins.KeyError', `'Method not found: ${method}'`);
    // check_super: the master password comes first, before the arguments are even looked at.
    if (typeof args[0] !== 'string' || args[0] !== masterPassword) throw accessDenied();
    const rest = args.slice(1);
    switch (method) {
      case 'create_database': {
        const names = ['db_name', 'demo', 'lang', 'user_password', 'login', 'country_code', 'phone'];
        const [name, , lang, password = 'admin', login = 'admin', , phone] = bind(rest, names, 3);
        return databases.create(String(name), String(lang), String(password), String(login), phone);
      }
      case 'duplicate_database': {
        const [source, target, neutralize] = bind(
          rest,
          ['db_original_name', 'db_name', 'neutralize_database'],
          2,
        );
        return databases.duplicate(String(source), String(target), neutralize === true);
      }
      case 'drop':
        return databases.drop(String(bind(rest, ['db_name'], 1)[0]));
      case 'rename': {
        const [from, to] = bind(rest, ['old_name', 'new_name'], 2);
        return databases.rename(String(from), String(to));
      }
      case 'change_admin_password': {
        const [next] = bind(rest, ['new_password'], 1);
        if (typeof next !== 'string' || !next) throw accessDenied();
        masterPassword = next;
        return true;
      }
      default:
        throw new OdooFault(
          'builtins.NotImplementedError',
          `The Odoo double does not implement db.${method}`,
        );
    }
  };

  const executeKw = async (
    db: string,
    uid: number,
    modelName: string,
    method: string,
    args: unknown[],
    kw: Record<string, unknown>,
  ) => {
    const m = models.get(modelName);
    if (!m) throw userError(`Object ${modelName} doesn't exist`);
    const context = (kw.context ?? {}) as Record<string, unknown>;
    const arg = (i: number, name: string, fallback?: unknown) =>
      i < args.length ? args[i] : (kw[name] ?? fallback);
    if (modelName === 'ir.module.module' && method.startsWith('button_immediate_')) {
      if (
        !['button_immediate_install', 'button_immediate_upgrade', 'button_immediate_uninstall'].includes(
          method,
        )
      )
        throw new OdooFault('builtins.AttributeError', `The method '${modelName}.${method}' does not exist`);
      if (faults.lockFailures > 0) {
        faults.lockFailures--;
        throw userError(SCHEDULED_ACTION_LOCK_ERROR);
      }
      const changes = await databases.transaction(db, (c) =>
        runModuleButton(c, method as ModuleButton, arg(0, 'ids', []), uid, version),
      );
      const failing = changes.installed.filter((name) => faults.failInstall.has(name));
      if (failing.length)
        throw userError(
          `Module “${failing.join('”, “')}” could not be installed: loading its data failed (odoo-double failInstall).`,
        );
      return ACT_URL;
    }
    return databases.transaction(db, async (c) => {
      const searchOptions = (first: number) => ({
        offset: arg(first, 'offset'),
        limit: arg(first + 1, 'limit'),
        order: arg(first + 2, 'order'),
        context,
      });
      switch (method) {
        case 'search':
          return search(c, m, arg(0, 'domain', []), searchOptions(1));
        case 'search_count':
          return searchCount(c, m, arg(0, 'domain', []), context);
        case 'search_read': {
          const ids = await search(c, m, arg(0, 'domain', []) ?? [], searchOptions(2));
          return read(c, m, ids, arg(1, 'fields'), uid);
        }
        case 'read':
          return read(c, m, arg(0, 'ids', []), arg(1, 'fields'), uid);
      }
      if (modelName === 'ir.config_parameter' && method === 'get_param') {
        const found = await c.query<{ value: string }>(
          'SELECT value FROM ir_config_parameter WHERE key = $1',
          [arg(0, 'key')],
        );
        return found.rows[0]?.value ?? arg(1, 'default', false);
      }
      if (modelName === 'ir.config_parameter' && method === 'set_param') {
        const value = arg(1, 'value');
        return setParam(c, String(arg(0, 'key')), value === false || value === null ? null : String(value));
      }
      if (modelName === 'ir.module.module' && method === 'update_list') return updateModuleList(c);
      throw new OdooFault('builtins.AttributeError', `The method '${modelName}.${method}' does not exist`);
    });
  };

  const object = async (method: string, args: unknown[]) => {
    if (method !== 'execute_kw' && method !== 'execute')
      throw new OdooFault('builtins.NameError', `Method not available ${method}`);
    const [db, rawUid, password, model, modelMethod] = args;
    const uid = Number(rawUid);
    if (!Number.isInteger(uid))
      throw new OdooFault('builtins.ValueError', `invalid literal for int() with base 10: '${rawUid}'`);
    if (!(await checkCredentials(String(db), uid, password))) throw accessDenied();
    const [callArgs, kwargs] =
      method === 'execute_kw'
        ? [Array.isArray(args[5]) ? args[5] : [], (args[6] ?? {}) as Record<string, unknown>]
        : [args.slice(5), {}];
    return executeKw(String(db), uid, String(model), String(modelMethod), callArgs, kwargs);
  };

  const dispatch = (service: string, method: string, args: unknown[]) => {
    if (service === 'common') return common(method, args);
    if (service === 'db') return dbService(method, args);
    if (service === 'object') return object(method, args);
    throw new OdooFault('builtins.KeyError', `'${service}'`);
  };

  const server = createServer((req, res) => {
    handle(req).then(
      (answer) => {
        if (answer === undefined) return;
        res.writeHead(answer.status, { 'content-type': answer.type, ...answer.headers });
        res.end(answer.body);
      },
      () => req.socket.destroy(),
    );
  });

  const handle = async (req: IncomingMessage): Promise<WebAnswer | undefined> => {
    if (faults.down) return void req.socket.destroy();
    if (req.method === 'GET' && req.url?.split('?')[0] !== '/jsonrpc')
      return webPage(req, await databases.list());
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/jsonrpc')
      return { status: 404, type: 'text/html', body: '<h1>Not Found</h1>' };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let request: { id?: unknown; params?: { service?: unknown; method?: unknown; args?: unknown } };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return { status: 400, type: 'text/html', body: '<h1>Bad Request</h1>' };
    }
    const service = String(request.params?.service);
    const method = String(request.params?.method);
    const args = Array.isArray(request.params?.args) ? (request.params.args as unknown[]) : [];
    calls.push(describe(service, method, args));
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    if (faults.down) return void req.socket.destroy();
    let answer: Record<string, unknown>;
    try {
      answer = { jsonrpc: '2.0', id: request.id ?? null, result: await dispatch(service, method, args) };
    } catch (err) {
      answer = { jsonrpc: '2.0', id: request.id ?? null, error: errorEnvelope(fromPostgres(err)) };
    }
    return { status: 200, type: 'application/json', body: JSON.stringify(answer) };
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    calls,
    get masterPassword() {
      return masterPassword;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await databases.close();
    },
  };
}

/** What the calls log keeps of a call: never its secrets. */
function describe(service: string, method: string, args: unknown[]): OdooDoubleCall {
  const call: OdooDoubleCall = { service, method };
  const named =
    service === 'db'
      ? method === 'db_exist'
        ? args[0]
        : ['create_database', 'duplicate_database', 'drop', 'rename'].includes(method)
          ? args[1]
          : undefined
      : args[0];
  if (typeof named === 'string') call.db = named;
  if (service === 'object') {
    if (typeof args[3] === 'string') call.model = args[3];
    if (typeof args[4] === 'string') call.modelMethod = args[4];
  }
  return call;
}
