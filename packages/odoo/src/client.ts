import { type RetryOptions, retryScheduledActionLock, type Sleep } from './retry.ts';
import { createJsonRpcTransport, type JsonRpcTransport, type OdooService } from './transport.ts';

export interface OdooClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8069`. */
  url: string;
  /** Time limit of each call (default 30 s); module installs and `create_database` take 10-20 s. */
  timeoutMs?: number;
  /** Retry of the scheduled-action lock on module operations; nothing else is retried. */
  retry?: RetryOptions;
  /** Waits between retries; a test passes its own to stay fast. */
  sleep?: Sleep;
}

/** Per-call options: a longer limit for slow calls, an outside abort. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Who an `object.execute_kw` call runs as. */
export interface OdooAuth {
  db: string;
  uid: number;
  password: string;
}

/** `common.version`. */
export interface OdooVersion {
  server_version: string;
  server_version_info: [number, number, number, string, number, string];
  server_serie: string;
  protocol_version: number;
}

/** A module's state in `ir.module.module`. */
export type ModuleState =
  | 'uninstallable'
  | 'uninstalled'
  | 'installed'
  | 'to upgrade'
  | 'to remove'
  | 'to install';

/** A row of `ir.module.module` with the fields asked for (`id` always). */
export interface ModuleRecord {
  id: number;
  name: string;
  state: ModuleState;
  [field: string]: unknown;
}

/** What `button_immediate_install|upgrade|uninstall` answer: a redirection of the web client. */
export interface ActUrl {
  type: 'ir.actions.act_url';
  target: string;
  url: string;
}

/** `db.create_database`'s eight positional arguments after the master password, by name. */
export interface CreateDatabaseInput {
  name: string;
  demo: boolean;
  lang: string;
  adminPassword: string;
  adminLogin: string;
  /** ISO code such as `BE`; null leaves Odoo's default company country. */
  countryCode?: string | null;
  phone?: string | null;
}

export type ExecuteKwArgs = readonly unknown[];
export type Kwargs = Record<string, unknown>;

export interface OdooClient {
  version(options?: CallOptions): Promise<OdooVersion>;
  /** The user's id, or `false` for wrong credentials (Odoo answers false here, not an error). */
  authenticate(db: string, login: string, password: string, options?: CallOptions): Promise<number | false>;
  /** `common.login`: like `authenticate` without the user-agent environment. */
  login(db: string, login: string, password: string, options?: CallOptions): Promise<number | false>;
  /** `object.execute_kw`; `kwargs` is sent only when given, as Odoo's own clients do. */
  executeKw<T = unknown>(
    auth: OdooAuth,
    model: string,
    method: string,
    args: ExecuteKwArgs,
    kwargs?: Kwargs,
    options?: CallOptions,
  ): Promise<T>;
  /** `search_read` on `ir.module.module`, by state and/or name (an empty filter reads every module). */
  searchModules(
    auth: OdooAuth,
    filter: { states?: readonly ModuleState[]; names?: readonly string[] },
    fields?: readonly string[],
    options?: CallOptions,
  ): Promise<ModuleRecord[]>;
  installModules(auth: OdooAuth, ids: readonly number[], options?: CallOptions): Promise<ActUrl>;
  upgradeModules(auth: OdooAuth, ids: readonly number[], options?: CallOptions): Promise<ActUrl>;
  uninstallModules(auth: OdooAuth, ids: readonly number[], options?: CallOptions): Promise<ActUrl>;
  readonly db: OdooDbClient;
}

/** The `db` service; every call but list/exist/serverVersion needs the master password. */
export interface OdooDbClient {
  serverVersion(options?: CallOptions): Promise<string>;
  list(options?: CallOptions): Promise<string[]>;
  exist(name: string, options?: CallOptions): Promise<boolean>;
  create(masterPassword: string, input: CreateDatabaseInput, options?: CallOptions): Promise<true>;
  /** Without `neutralize` the three-argument form is sent (Odoo's default: not neutralized). */
  duplicate(
    masterPassword: string,
    source: string,
    target: string,
    neutralize?: boolean,
    options?: CallOptions,
  ): Promise<true>;
  /** `false` when the database did not exist. */
  drop(masterPassword: string, name: string, options?: CallOptions): Promise<boolean>;
  rename(masterPassword: string, from: string, to: string, options?: CallOptions): Promise<true>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A client of one Odoo server's JSON-RPC API (`/jsonrpc`), with the argument orders of Odoo 18.0.
 * It logs nothing; its errors name the call, never its arguments, so passwords stay out of logs.
 */
export function createOdooClient(options: OdooClientOptions): OdooClient {
  const transport: JsonRpcTransport = createJsonRpcTransport(options.url);
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const call = <T>(service: OdooService, method: string, args: readonly unknown[], opts: CallOptions = {}) =>
    retryScheduledActionLock(
      async () =>
        (await transport.call(service, method, args, {
          timeoutMs: opts.timeoutMs ?? defaultTimeoutMs,
          signal: opts.signal,
        })) as T,
      options.retry,
      options.sleep,
      opts.signal,
    );

  const executeKw = <T>(
    auth: OdooAuth,
    model: string,
    method: string,
    args: ExecuteKwArgs,
    kwargs?: Kwargs,
    opts?: CallOptions,
  ) =>
    call<T>(
      'object',
      'execute_kw',
      kwargs === undefined
        ? [auth.db, auth.uid, auth.password, model, method, args]
        : [auth.db, auth.uid, auth.password, model, method, args, kwargs],
      opts,
    );

  const moduleButton = (button: string) => (auth: OdooAuth, ids: readonly number[], opts?: CallOptions) =>
    executeKw<ActUrl>(auth, 'ir.module.module', button, [ids], undefined, opts);

  return {
    version: (opts) => call('common', 'version', [], opts),
    authenticate: (db, login, password, opts) =>
      call('common', 'authenticate', [db, login, password, {}], opts),
    login: (db, login, password, opts) => call('common', 'login', [db, login, password], opts),
    executeKw,
    searchModules(auth, filter, fields = ['name', 'state'], opts) {
      const domain: unknown[] = [];
      if (filter.states) domain.push(['state', 'in', filter.states]);
      if (filter.names) domain.push(['name', 'in', filter.names]);
      return executeKw<ModuleRecord[]>(auth, 'ir.module.module', 'search_read', [domain], { fields }, opts);
    },
    installModules: moduleButton('button_immediate_install'),
    upgradeModules: moduleButton('button_immediate_upgrade'),
    uninstallModules: moduleButton('button_immediate_uninstall'),
    db: {
      serverVersion: (opts) => call('db', 'server_version', [], opts),
      list: (opts) => call('db', 'list', [], opts),
      exist: (name, opts) => call('db', 'db_exist', [name], opts),
      create: (master, input, opts) =>
        call(
          'db',
          'create_database',
          // Odoo 18.0 takes exactly these eight positional arguments; a ninth is a TypeError.
          [
            master,
            input.name,
            input.demo,
            input.lang,
            input.adminPassword,
            input.adminLogin,
            input.countryCode ?? null,
            input.phone ?? null,
          ],
          opts,
        ),
      duplicate: (master, source, target, neutralize, opts) =>
        call(
          'db',
          'duplicate_database',
          neutralize === undefined ? [master, source, target] : [master, source, target, neutralize],
          opts,
        ),
      drop: (master, name, opts) => call('db', 'drop', [master, name], opts),
      rename: (master, from, to, opts) => call('db', 'rename', [master, from, to], opts),
    },
  };
}
