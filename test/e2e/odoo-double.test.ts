/**
 * The Odoo protocol double, driven by the platform's real client (`@ocp/odoo`): it must answer as
 * the recorded Odoo 18.0 server did (replayed from /work/shared/odoo/jsonrpc-18.0*.json), and its
 * databases must change as Odoo's do, read back here with plain SQL as a superuser.
 */
import assert from 'node:assert/strict';
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createOdooClient, isScheduledActionLock, OdooError, OdooTransportError } from '@ocp/odoo';
import { adminQuery, adminUrl, dropByPrefix, uniqueName, urlFor } from '@ocp/testkit';
import pg from 'pg';
import { createRuntimeRole, type OdooDouble, startOdooDouble } from '../support/odoo-double/index.ts';

const MASTER = 'masterpw';
const prefix = `${uniqueName('ocp_odoo_')}_`;
let odoo: OdooDouble;
let role: string;
let dataDir: string;

/** The test's own pbkdf2-sha512 check of passlib's format (not the double's, not the platform's). */
function passlibMatches(secret: string, stored: string): boolean {
  const m = /^\$pbkdf2-sha512\$(\d+)\$([A-Za-z0-9./]+)\$([A-Za-z0-9./]+)$/.exec(stored);
  if (!m) return false;
  const b64 = (s: string) => Buffer.from(s.replace(/\./g, '+'), 'base64');
  return pbkdf2Sync(secret, b64(m[2] as string), Number(m[1]), 64, 'sha512').equals(b64(m[3] as string));
}

/** A passlib pbkdf2-sha512 hash made here, for API keys the test inserts as the platform would. */
function passlibHash(secret: string, rounds: number): string {
  const salt = randomBytes(16);
  const ab64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
  return `$pbkdf2-sha512$${rounds}$${ab64(salt)}$${ab64(pbkdf2Sync(secret, salt, rounds, 64, 'sha512'))}`;
}

/** A query inside database `db` as the superuser. */
async function sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: string,
  text: string,
  values: unknown[] = [],
) {
  return (await adminQuery<R>(text, values, urlFor(db))).rows;
}

const client = () =>
  createOdooClient({
    url: odoo.url,
    timeoutMs: 20_000,
    retry: { attempts: 4, baseDelayMs: 1 },
    sleep: async () => {},
  });

async function createDb(name: string, password = 'adminpw', login = 'admin@example.com') {
  await client().db.create(MASTER, {
    name,
    demo: false,
    lang: 'en_US',
    adminPassword: password,
    adminLogin: login,
  });
}

async function moduleStates(db: string, names: string[]): Promise<Record<string, string>> {
  const rows = await sql<{ name: string; state: string }>(
    db,
    'SELECT name, state FROM ir_module_module WHERE name = ANY($1)',
    [names],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.state]));
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'odoo-double-'));
  ({ role } = await createRuntimeRole(`${prefix}odoo`, adminUrl()));
  const { url } = await createRuntimeRole(role, adminUrl());
  odoo = await startOdooDouble({ databaseUrl: url, masterPassword: MASTER, dataDir, version: '18.0' });
});

after(async () => {
  await odoo?.close();
  await dropByPrefix(prefix);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the recorded Odoo 18.0 exchanges, replayed against the double', () => {
  interface Exchange {
    label: string;
    request: { params: { service: string; method: string; args: unknown[] } };
    response: { result?: unknown; error?: { code: number; message: string; data: Record<string, unknown> } };
  }
  /** Exchanges that need models or calls the double does not have (users' creation, dumps, restores...). */
  const notReplayed =
    /dependency\.read|read_group|ghost|ir\.module\.module\.create|restore|res\.users\.(create|write|read share)|authenticate (internal|portal) user|^setup: (ir\.model|ir\.actions|iap|ir\.mail_server|fetchmail)|db\.dump|db\.restore/;
  /** Module ids of the recording, by name, mapped to the double's ids before a module button is sent. */
  const recordedModuleIds: Record<number, string> = {
    51: 'crm',
    462: 'sale_management',
    31: 'base',
    452: 'sale',
    641: 'web_studio',
  };

  /** Both values have the same JSON shape: types, and keys of objects (arrays by their first element). */
  function assertSameShape(actual: unknown, expected: unknown, where: string): void {
    const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
    assert.equal(
      kind(actual),
      kind(expected),
      `${where}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`,
    );
    if (Array.isArray(actual) && Array.isArray(expected) && actual.length && expected.length)
      assertSameShape(actual[0], expected[0], `${where}[0]`);
    if (kind(actual) === 'object') {
      const a = actual as Record<string, unknown>;
      const e = expected as Record<string, unknown>;
      assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), where);
      for (const k of Object.keys(e)) assertSameShape(a[k], e[k], `${where}.${k}`);
    }
  }

  for (const [file, names] of [
    ['jsonrpc-18.0.json', { recmwunkuvf: 'r1' }],
    ['jsonrpc-18.0-more.json', { recmoremx3tfqxu: 'r2' }],
  ] as const) {
    test(`${file}: same envelope, result shapes, exception names and messages`, async (t) => {
      const recording = JSON.parse(readFileSync(join('/work/shared/odoo', file), 'utf8')) as {
        exchanges: Exchange[];
      };
      const rename = (text: string) =>
        Object.entries(names).reduce((s, [from, to]) => s.replaceAll(from, `${prefix}${to}`), text);
      const renamed = <T>(value: T): T => JSON.parse(rename(JSON.stringify(value)));
      let id = 1000;
      for (const exchange of recording.exchanges) {
        if (notReplayed.test(exchange.label)) continue;
        await t.test(exchange.label, async () => {
          const params = renamed(exchange.request.params);
          const [db, , , model, method, args] = params.args as [
            string,
            number,
            string,
            string,
            string,
            unknown[],
          ];
          if (model === 'ir.module.module' && method?.startsWith('button_immediate_')) {
            const auth = { db, uid: 2, password: 'adminpw' };
            const ids = args[0] as number[];
            args[0] = await Promise.all(
              ids.map(async (recorded) => {
                const name = recordedModuleIds[recorded];
                if (!name) return recorded;
                const [found] = await client().searchModules(auth, { names: [name] });
                return found?.id ?? recorded;
              }),
            );
          }
          const response = await fetch(`${odoo.url}/jsonrpc`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: ++id }),
          });
          assert.equal(response.status, 200);
          const answer = (await response.json()) as Record<string, unknown>;
          assert.equal(answer.jsonrpc, '2.0');
          assert.equal(answer.id, id);
          const expected = renamed(exchange.response);
          if (expected.error) {
            const error = answer.error as { code: number; message: string; data: Record<string, unknown> };
            assert.ok(error, `an error was expected, got ${JSON.stringify(answer.result)}`);
            assert.equal(error.code, 200);
            assert.equal(error.message, 'Odoo Server Error');
            assert.equal(error.data.name, expected.error.data.name);
            assert.equal(error.data.message, expected.error.data.message);
            assert.deepEqual(error.data.arguments, expected.error.data.arguments);
            assert.deepEqual(error.data.context, {});
            assert.equal(typeof error.data.debug, 'string');
          } else {
            assert.ok(!('error' in answer), `no error was expected, got ${JSON.stringify(answer.error)}`);
            assertSameShape(answer.result, expected.result, 'result');
            // Booleans and fixed strings must match; counts, ids and generated uuids only in type.
            const generated = /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(String(expected.result));
            if (typeof expected.result === 'boolean' || (typeof expected.result === 'string' && !generated))
              assert.deepEqual(answer.result, expected.result);
          }
        });
      }
    });
  }

  test('the client keeps the name and message of Odoo errors', async () => {
    await assert.rejects(
      client().db.create('wrong', {
        name: `${prefix}x`,
        demo: false,
        lang: 'en_US',
        adminPassword: 'a',
        adminLogin: 'a',
      }),
      (e: unknown) =>
        e instanceof OdooError &&
        e.name === 'odoo.exceptions.AccessDenied' &&
        e.odooMessage === 'Access Denied',
    );
    const nine = fetch(`${odoo.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'call',
        params: {
          service: 'db',
          method: 'create_database',
          args: [MASTER, `${prefix}nine`, false, 'en_US', 'p', 'l', null, null, 'x'],
        },
        id: 1,
      }),
    });
    const answer = (await (await nine).json()) as { error: { data: { name: string; message: string } } };
    assert.equal(answer.error.data.name, 'builtins.TypeError');
    assert.equal(answer.error.data.message, 'too many positional arguments');
    assert.equal(await client().db.exist(`${prefix}nine`), false);
  });
});

describe('databases', () => {
  test('create_database makes a database owned by the runtime role, with a verifiable admin hash and a filestore', async () => {
    const db = `${prefix}made`;
    await createDb(db, 'right-password', 'boss@example.com');
    const [owner] = await sql(
      'postgres',
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [db],
    );
    assert.equal(owner?.owner, role);
    assert.ok((await client().db.list()).includes(db));

    const c = client();
    assert.equal(await c.authenticate(db, 'boss@example.com', 'right-password'), 2);
    assert.equal(await c.authenticate(db, 'boss@example.com', 'wrong-password'), false);
    assert.equal(await c.login(db, 'boss@example.com', 'right-password'), 2);
    await assert.rejects(
      c.executeKw({ db, uid: 2, password: 'wrong-password' }, 'res.users', 'search_count', [[]]),
      (e: unknown) => e instanceof OdooError && e.name === 'odoo.exceptions.AccessDenied',
    );
    const [admin] = await sql<{ password: string }>(db, 'SELECT password FROM res_users WHERE id = 2');
    assert.match(admin?.password ?? '', /^\$pbkdf2-sha512\$600000\$/);
    assert.equal(admin?.password.length, 131);
    assert.ok(passlibMatches('right-password', admin?.password ?? ''));
    assert.ok(!passlibMatches('wrong-password', admin?.password ?? ''));

    const attachments = await sql<{ store_fname: string; checksum: string }>(
      db,
      'SELECT store_fname, checksum FROM ir_attachment WHERE store_fname IS NOT NULL',
    );
    assert.equal(attachments.length, 3);
    for (const a of attachments) {
      const body = await readFile(join(dataDir, 'filestore', db, a.store_fname));
      assert.equal(createHash('sha1').update(body).digest('hex'), a.checksum);
      assert.equal(a.store_fname, `${a.checksum.slice(0, 2)}/${a.checksum}`);
    }
    const [params] = await sql<{ uuid: string; secret: string }>(
      db,
      "SELECT max(value) FILTER (WHERE key = 'database.uuid') AS uuid, max(value) FILTER (WHERE key = 'database.secret') AS secret FROM ir_config_parameter",
    );
    assert.match(params?.uuid ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(params?.uuid, '00000000-0000-0000-0000-000000000000');
    assert.notEqual(params?.secret, params?.uuid);
  });

  test('an API key of the admin is accepted as the password of execute_kw, an expired or wrong one is not', async () => {
    const db = `${prefix}keys`;
    await createDb(db);
    const key = randomBytes(20).toString('hex');
    await sql(
      db,
      "INSERT INTO res_users_apikeys (name, user_id, scope, index, key) VALUES ('platform', 2, 'rpc', $1, $2)",
      [key.slice(0, 8), passlibHash(key, 6000)],
    );
    const c = client();
    assert.equal(
      await c.executeKw({ db, uid: 2, password: key }, 'res.users', 'search_count', [
        [['share', '=', false]],
      ]),
      1,
    );
    assert.equal(await c.authenticate(db, 'admin@example.com', key), 2);
    await assert.rejects(
      c.executeKw({ db, uid: 2, password: `${key.slice(0, 8)}nope` }, 'res.users', 'search_count', [[]]),
    );
    await sql(
      db,
      "UPDATE res_users_apikeys SET expiration_date = now() at time zone 'utc' - interval '1 minute'",
    );
    await assert.rejects(
      c.executeKw({ db, uid: 2, password: key }, 'res.users', 'search_count', [[]]),
      (e: unknown) => e instanceof OdooError && e.name === 'odoo.exceptions.AccessDenied',
    );
  });

  test('duplicate with neutralize switches off crons but the auto-vacuum, mail servers, webhooks and IAP tokens', async () => {
    const source = `${prefix}src`;
    const copy = `${prefix}copy`;
    const plain = `${prefix}plain`;
    await createDb(source);
    await sql(
      source,
      `INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active) VALUES ('Real SMTP', 'smtp.example.com', 587, 'starttls', 'login', true);
       INSERT INTO fetchmail_server (name, server, port, active, state) VALUES ('Real IMAP', 'imap.example.com', 993, true, 'draft');
       INSERT INTO ir_act_server (name, state, webhook_url) VALUES ('{"en_US": "Hook"}', 'webhook', 'https://hooks.example.com/x');
       INSERT INTO iap_account (service_id, account_token) VALUES (1, 'abcdef0123456789');
       INSERT INTO ir_config_parameter (key, value) VALUES ('mail.web_push_vapid_private_key', 'fake-private-key')`,
    );
    const c = client();
    assert.equal(await c.db.duplicate(MASTER, source, copy, true), true);
    assert.equal(await c.db.duplicate(MASTER, source, plain), true);
    const auth = (db: string) => ({ db, uid: 2, password: 'adminpw' });
    assert.equal(
      await c.executeKw(auth(copy), 'ir.config_parameter', 'get_param', ['database.is_neutralized']),
      'true',
    );
    assert.equal(
      await c.executeKw(auth(source), 'ir.config_parameter', 'get_param', ['database.is_neutralized']),
      false,
    );
    assert.equal(
      await c.executeKw(auth(plain), 'ir.config_parameter', 'get_param', ['database.is_neutralized']),
      false,
    );

    const crons = await sql<{ total: number; active: string[] }>(
      copy,
      'SELECT count(*)::int AS total, array_agg(cron_name) FILTER (WHERE active) AS active FROM ir_cron',
    );
    assert.deepEqual(crons[0], { total: 19, active: ['Base: Auto-vacuum internal data'] });
    const sourceCrons = await sql<{ n: number }>(
      source,
      'SELECT count(*)::int AS n FROM ir_cron WHERE active',
    );
    assert.equal(sourceCrons[0]?.n, 17);
    assert.deepEqual(
      await sql(
        copy,
        'SELECT name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active FROM ir_mail_server ORDER BY id',
      ),
      [
        {
          name: 'Real SMTP',
          smtp_host: 'smtp.example.com',
          smtp_port: 587,
          smtp_encryption: 'starttls',
          smtp_authentication: 'login',
          active: false,
        },
        {
          name: 'neutralization - disable emails',
          smtp_host: 'invalid',
          smtp_port: 1025,
          smtp_encryption: 'none',
          smtp_authentication: 'login',
          active: true,
        },
      ],
    );
    assert.deepEqual(await sql(copy, 'SELECT active FROM fetchmail_server'), [{ active: false }]);
    assert.deepEqual(await sql(copy, "SELECT webhook_url FROM ir_act_server WHERE state = 'webhook'"), [
      { webhook_url: 'neutralization - disable webhook' },
    ]);
    assert.deepEqual(await sql(copy, 'SELECT account_token FROM iap_account'), [
      { account_token: 'abcdef0123456789+disabled' },
    ]);
    assert.deepEqual(await sql(copy, "SELECT active FROM ir_ui_view WHERE key = 'web.neutralize_banner'"), [
      { active: true },
    ]);
    assert.deepEqual(
      await sql(copy, "SELECT value FROM ir_config_parameter WHERE key LIKE 'mail.web_push%'"),
      [],
    );
    assert.deepEqual(await sql(plain, 'SELECT account_token FROM iap_account'), [
      { account_token: 'abcdef0123456789' },
    ]);
    assert.deepEqual(await sql(plain, 'SELECT count(*)::int AS n FROM ir_cron WHERE active'), [{ n: 17 }]);

    const identity = async (db: string) =>
      (
        await sql<{ key: string; value: string }>(
          db,
          "SELECT key, value FROM ir_config_parameter WHERE key IN ('database.uuid', 'database.secret') ORDER BY key",
        )
      ).map((r) => r.value);
    const [src, cp, pl] = await Promise.all([identity(source), identity(copy), identity(plain)]);
    for (const other of [cp, pl]) for (const i of [0, 1]) assert.notEqual(other?.[i], src?.[i]);
    assert.deepEqual(
      await readdir(join(dataDir, 'filestore', copy)),
      await readdir(join(dataDir, 'filestore', source)),
    );
  });

  test('rename moves the database and its filestore; drop removes both and answers false the second time', async () => {
    const from = `${prefix}old`;
    const to = `${prefix}new`;
    await createDb(from);
    const c = client();
    assert.equal(await c.db.rename(MASTER, from, to), true);
    assert.equal(await c.db.exist(from), false);
    assert.equal(await c.authenticate(to, 'admin@example.com', 'adminpw'), 2);
    await assert.rejects(stat(join(dataDir, 'filestore', from)));
    assert.equal((await readdir(join(dataDir, 'filestore', to))).length, 3);
    assert.equal(await c.db.drop(MASTER, to), true);
    assert.equal(await c.db.drop(MASTER, to), false);
    await assert.rejects(stat(join(dataDir, 'filestore', to)));
  });

  test('a database that allows no connections is not listed, not found, and fails calls as Odoo does', async () => {
    const db = `${prefix}closed`;
    await createDb(db);
    await adminQuery(`ALTER DATABASE ${pg.escapeIdentifier(db)} WITH ALLOW_CONNECTIONS false`);
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [db]);
    const c = client();
    assert.ok(!(await c.db.list()).includes(db));
    assert.equal(await c.db.exist(db), false);
    await assert.rejects(
      c.authenticate(db, 'admin@example.com', 'adminpw'),
      (e: unknown) =>
        e instanceof OdooError &&
        e.name === 'psycopg2.OperationalError' &&
        /not currently accepting connections/.test(e.odooMessage),
    );
    assert.equal(await c.db.drop(MASTER, db), false);
    await adminQuery(`ALTER DATABASE ${pg.escapeIdentifier(db)} WITH ALLOW_CONNECTIONS true`);
  });
});

describe('modules', () => {
  const db = `${prefix}mods`;
  const auth = { db, uid: 2, password: 'adminpw' };
  const idOf = async (name: string) => (await client().searchModules(auth, { names: [name] }))[0]?.id ?? -1;

  before(() => createDb(db));

  test('installing sale_management pulls in its dependencies, and crm then brings sale_crm by auto-install', async () => {
    const c = client();
    await c.executeKw(auth, 'ir.module.module', 'update_list', []);
    assert.deepEqual(await c.installModules(auth, [await idOf('sale_management')]), {
      type: 'ir.actions.act_url',
      target: 'self',
      url: '/odoo',
    });
    assert.deepEqual(
      await moduleStates(db, [
        'sale_management',
        'sale',
        'account',
        'product',
        'uom',
        'sales_team',
        'mail',
        'crm',
        'sale_crm',
        'contacts',
      ]),
      {
        sale_management: 'installed',
        sale: 'installed',
        account: 'installed',
        product: 'installed',
        uom: 'installed',
        sales_team: 'installed',
        mail: 'installed',
        crm: 'uninstalled',
        sale_crm: 'uninstalled',
        contacts: 'uninstalled',
      },
    );
    const [sale] = await c.searchModules(auth, { names: ['sale'] }, [
      'name',
      'state',
      'latest_version',
      'installed_version',
    ]);
    assert.equal(sale?.latest_version, '18.0.1.2');
    assert.equal(sale?.installed_version, '18.0.1.2');

    await c.installModules(auth, [await idOf('crm')]);
    assert.deepEqual(await moduleStates(db, ['crm', 'contacts', 'sale_crm']), {
      crm: 'installed',
      contacts: 'installed',
      sale_crm: 'installed',
    });
    assert.equal(
      await c.executeKw(auth, 'ir.module.module', 'search_count', [
        [['state', 'not in', ['installed', 'uninstalled', 'uninstallable']]],
      ]),
      0,
    );
  });

  test('uninstalling sale removes what depends on it and keeps its own dependencies', async () => {
    const c = client();
    await c.uninstallModules(auth, [await idOf('sale')]);
    assert.deepEqual(
      await moduleStates(db, ['sale', 'sale_management', 'sale_crm', 'crm', 'account', 'product']),
      {
        sale: 'uninstalled',
        sale_management: 'uninstalled',
        sale_crm: 'uninstalled',
        crm: 'installed',
        account: 'installed',
        product: 'installed',
      },
    );
    const [row] = await sql<{ latest_version: string | null }>(
      db,
      "SELECT latest_version FROM ir_module_module WHERE name = 'sale'",
    );
    assert.equal(row?.latest_version, null);
  });

  test('an empty id list and an uninstallable module answer act_url and change nothing', async () => {
    const c = client();
    const before = await sql(db, 'SELECT name, state FROM ir_module_module ORDER BY id');
    await c.installModules(auth, []);
    await c.installModules(auth, [await idOf('web_studio')]);
    assert.deepEqual(await sql(db, 'SELECT name, state FROM ir_module_module ORDER BY id'), before);
  });

  test('the scheduled-action lock is retried by the client, and a held ir_cron lock gives the same answer', async () => {
    const c = client();
    odoo.faults.lockFailures = 2;
    const seen = odoo.calls.length;
    await c.installModules(auth, [await idOf('sale')]);
    const buttons = odoo.calls.slice(seen).filter((call) => call.modelMethod === 'button_immediate_install');
    assert.equal(buttons.length, 3);
    assert.equal((await moduleStates(db, ['sale'])).sale, 'installed');

    const holder = new pg.Client({ connectionString: urlFor(db) });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM ir_cron FOR UPDATE');
      const once = createOdooClient({ url: odoo.url, retry: { attempts: 1 } });
      await assert.rejects(once.upgradeModules(auth, [await idOf('sale')]), (e: unknown) =>
        isScheduledActionLock(e),
      );
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  test('failInstall commits the install, then answers an Odoo UserError', async () => {
    odoo.faults.failInstall.add('sale_management');
    try {
      await assert.rejects(
        client().installModules(auth, [await idOf('sale_management')]),
        (e: unknown) =>
          e instanceof OdooError &&
          e.name === 'odoo.exceptions.UserError' &&
          e.odooMessage.includes('sale_management'),
      );
      assert.equal((await moduleStates(db, ['sale_management'])).sale_management, 'installed');
    } finally {
      odoo.faults.failInstall.clear();
    }
  });
});

describe('transport faults', () => {
  test('down closes connections without an answer, delayMs makes a call time out', async () => {
    odoo.faults.down = true;
    try {
      await assert.rejects(
        client().version(),
        (e: unknown) => e instanceof OdooTransportError && e.failure === 'connection',
      );
    } finally {
      odoo.faults.down = false;
    }
    odoo.faults.delayMs = 300;
    try {
      await assert.rejects(
        createOdooClient({ url: odoo.url, timeoutMs: 50 }).version(),
        (e: unknown) => e instanceof OdooTransportError && e.failure === 'timeout',
      );
    } finally {
      odoo.faults.delayMs = 0;
    }
    assert.equal((await client().version()).server_serie, '18.0');
  });
});

describe('web pages (what NGINX proxies)', () => {
  /** GET `path` with `X-Odoo-dbfilter` when given: the status, the Location, the database served. */
  async function page(dbfilter?: string, path = '/web/login') {
    const res = await fetch(`${odoo.url}${path}`, {
      redirect: 'manual',
      headers: dbfilter === undefined ? {} : { 'x-odoo-dbfilter': dbfilter },
    });
    const body = await res.text();
    return {
      status: res.status,
      location: res.headers.get('location'),
      database: /data-database="([^"]*)"/.exec(body)?.[1],
    };
  }

  test('X-Odoo-dbfilter picks the database as dbfilter_from_header does (re.match), else the selector', async () => {
    const [one, two] = [`${prefix}web_one`, `${prefix}web_two`];
    await createDb(one);
    await createDb(two);
    assert.deepEqual(await page(`^${one}$`), { status: 200, location: null, database: one });
    assert.equal((await page(`^${two}$`, '/odoo/action-contacts')).database, two);
    // re.match anchors at the start only: a prefix matches both, and Odoo cannot choose.
    assert.deepEqual(await page(`${prefix}web_`), {
      status: 303,
      location: '/web/database/selector',
      database: undefined,
    });
    assert.equal((await page(`web_one$`)).status, 303, 'not anchored at the start: no match');
    assert.equal((await page()).status, 303, 'no header: every database, more than one');
    assert.equal((await page('^nothing_here$')).status, 303);
    assert.equal((await page('(')).status, 500, "Python's re.error, uncaught");
    // JSON-RPC is as it was.
    assert.equal((await client().version()).server_serie, '18.0');
  });
});
