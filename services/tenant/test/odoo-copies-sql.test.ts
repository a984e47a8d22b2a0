import assert from 'node:assert/strict';
import { pbkdf2Sync, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminQuery, createTenantAdminRole, dropByPrefix, uniqueName, urlFor, withUser } from '@ocp/testkit';
import pg from 'pg';
import type { TenantRow } from '../src/db/rows.ts';
import { tenantMark } from '../src/dbserver/admin.ts';
import {
  cloneDatabase,
  connectServerSql,
  databaseFacts,
  dropCopy,
  inTenantDatabase,
  listFilestore,
  removeFilesNotIn,
  renameDatabase,
  type ServerSql,
  snapshotName,
  switchBack,
} from '../src/dbserver/snapshot.ts';
import { alreadyDone, moduleChanges, refusedOutcome, upgradeSet } from '../src/odoo/modules.ts';
import { neutralise } from '../src/odoo/neutralize.ts';
import { insertApiKey, newApiKey, PLATFORM_KEY_NAME } from '../src/odoo/tenant-session.ts';

const q = pg.escapeIdentifier;
const templateSql = new URL('../src/template/odoo-core.sql', import.meta.url);

/** Runs SQL in a database as the superuser. */
async function inDb<R extends pg.QueryResultRow>(db: string, sql: string, values: unknown[] = []) {
  return (await adminQuery<R>(sql, values, urlFor(db))).rows;
}

/** passlib's pbkdf2_sha512 check, written here apart from the code under test. */
function passlibVerify(secret: string, hash: string): boolean {
  const [, scheme, rounds, salt, sum] = hash.split('$');
  assert.equal(scheme, 'pbkdf2-sha512');
  const unab64 = (s: string) => Buffer.from(s.replaceAll('.', '+'), 'base64');
  const expected = pbkdf2Sync(secret, unab64(salt!), Number(rounds), 64, 'sha512');
  return expected.equals(unab64(sum!));
}

describe('tenant database copies, switch-back, rename and neutralisation on a real server', () => {
  const prefix = `${uniqueName('cp')}_`;
  const owner = `${prefix}odoo`;
  let sql: ServerSql;
  let root: string;
  const tenantId = randomUUID();
  const db = `${prefix}acme`;

  before(async () => {
    const url = await createTenantAdminRole(`${prefix}db-admin`);
    await adminQuery(`CREATE ROLE ${q(owner)} LOGIN PASSWORD 'odoo-pw'`);
    sql = await connectServerSql(url);
    // A tenant database as the platform makes it: owned by the runtime role, marked, PUBLIC out.
    await adminQuery(`CREATE DATABASE ${q(db)} OWNER ${q(owner)}`);
    await adminQuery(`COMMENT ON DATABASE ${q(db)} IS '${tenantMark(tenantId)}'`);
    await adminQuery(`REVOKE ALL ON DATABASE ${q(db)} FROM PUBLIC`);
    await adminQuery(
      `GRANT ALL ON SCHEMA public TO ${q(owner)}; SET ROLE ${q(owner)}; ${await readFile(templateSql, 'utf8')}`,
      [],
      urlFor(db),
    );
    root = await mkdtemp(path.join(tmpdir(), 'ocp-filestore-'));
  });
  after(async () => {
    await sql?.close();
    await dropByPrefix(prefix);
    await rm(root, { recursive: true, force: true });
  });

  test('a switch-back after a change leaves the database and its files as they were before', async () => {
    const opId = randomUUID();
    const snap = snapshotName(db, opId);
    assert.match(snap, /-/, 'a snapshot name is never a tenant database name');
    await mkdir(path.join(root, db, 'ab'), { recursive: true });
    await writeFile(path.join(root, db, 'ab', 'abcdef'), 'kept');
    const files = await listFilestore(root, db);
    assert.deepEqual(files, ['ab/abcdef']);
    // Odoo's session open on the database does not stop the copy: it is ended for the moment of the copy.
    const open = new pg.Client({ connectionString: withUser(urlFor(db), owner, 'odoo-pw') });
    open.on('error', () => {});
    await open.connect();
    assert.equal(
      await cloneDatabase(sql, {
        source: db,
        target: snap,
        owner,
        tenantId,
        closed: true,
        reopenSource: async () => true,
      }),
      'created',
    );
    await open.end().catch(() => {});
    const copy = await databaseFacts(sql, snap);
    assert.deepEqual(
      { mark: copy.mark, owner: copy.owner, allows: copy.allowsConnections },
      { mark: tenantId, owner, allows: false },
    );
    assert.equal(
      (await databaseFacts(sql, db)).allowsConnections,
      true,
      'the source takes connections again',
    );
    // Again (a resumed run): the copy is kept.
    assert.equal(
      await cloneDatabase(sql, {
        source: db,
        target: snap,
        owner,
        tenantId,
        closed: true,
        reopenSource: async () => true,
      }),
      'existed',
    );

    await inDb(db, "UPDATE ir_module_module SET state = 'installed' WHERE name = 'crm'");
    await mkdir(path.join(root, db, 'cd'), { recursive: true });
    await writeFile(path.join(root, db, 'cd', 'cdef01'), 'added by the change');

    assert.equal(
      await switchBack(sql, { database: db, snapshot: snap, tenantId, allowConnections: true }),
      'switched',
    );
    assert.equal(await removeFilesNotIn(root, db, files), 1);
    const rows = await inDb<{ state: string }>(db, "SELECT state FROM ir_module_module WHERE name = 'crm'");
    assert.equal(rows[0]?.state, 'uninstalled');
    assert.deepEqual(await listFilestore(root, db), ['ab/abcdef']);
    const back = await databaseFacts(sql, db);
    assert.deepEqual(
      {
        mark: back.mark,
        owner: back.owner,
        allows: back.allowsConnections,
        snap: (await databaseFacts(sql, snap)).exists,
      },
      { mark: tenantId, owner, allows: true, snap: false },
    );
    const acl = await adminQuery<{ acl: string | null }>(
      'SELECT datacl::text AS acl FROM pg_database WHERE datname = $1',
      [db],
    );
    assert.doesNotMatch(
      acl.rows[0]?.acl ?? '',
      /(^|[{,])=/,
      'PUBLIC has no right on the switched-back database',
    );
    // Again: nothing left to do.
    assert.equal(
      await switchBack(sql, { database: db, snapshot: snap, tenantId, allowConnections: true }),
      'nothing',
    );
  });

  test('a copy that succeeded is dropped; one of another tenant is refused and kept', async () => {
    const snap = snapshotName(db, randomUUID());
    await cloneDatabase(sql, {
      source: db,
      target: snap,
      owner,
      tenantId,
      closed: true,
      reopenSource: async () => true,
    });
    await dropCopy(sql, snap, tenantId);
    assert.equal((await databaseFacts(sql, snap)).exists, false);
    const other = snapshotName(db, randomUUID());
    await adminQuery(`CREATE DATABASE ${q(other)} OWNER ${q(owner)}`);
    await adminQuery(`COMMENT ON DATABASE ${q(other)} IS '${tenantMark(randomUUID())}'`);
    await assert.rejects(dropCopy(sql, other, tenantId), /belongs to tenant/);
    assert.equal((await databaseFacts(sql, other)).exists, true);
  });

  test('an API key written for the administrator is hashed as Odoo checks it, and expires', async () => {
    const key = newApiKey();
    assert.match(key, /^[0-9a-f]{40}$/);
    const tenant = { id: tenantId, database_name: db } as TenantRow;
    const id = await insertApiKey(sql, tenant, key);
    const rows = await inDb<{
      user_id: number;
      scope: string;
      index: string;
      key: string;
      live: boolean;
      name: string;
    }>(
      db,
      `SELECT user_id, scope, index, key, name,
              expiration_date > (now() at time zone 'utc') AND expiration_date < (now() at time zone 'utc') + interval '1 hour' AS live
         FROM res_users_apikeys WHERE id = $1`,
      [id],
    );
    const row = rows[0]!;
    assert.deepEqual(
      { user: row.user_id, scope: row.scope, index: row.index, live: row.live, name: row.name },
      { user: 2, scope: 'rpc', index: key.slice(0, 8), live: true, name: PLATFORM_KEY_NAME },
    );
    assert.match(row.key, /^\$pbkdf2-sha512\$6000\$[A-Za-z0-9./]{22}\$[A-Za-z0-9./]{86}$/);
    assert.ok(passlibVerify(key, row.key), 'the stored hash verifies the key');
    assert.ok(!passlibVerify(`${key}x`, row.key));
  });

  test('nothing is written in a database that does not carry the tenant’s mark', async () => {
    await assert.rejects(
      inTenantDatabase(sql, db, randomUUID(), async () => 'written'),
      /belongs to tenant/,
    );
  });

  test('an upgrade marks the module and the installed modules that depend on it, as Odoo does', async () => {
    const set = await inTenantDatabase(sql, db, tenantId, (c) => upgradeSet(c, 'web'));
    // base_setup, bus, web_tour, html_editor, iap, auth_totp and base_import depend on web and are installed.
    assert.deepEqual(set.sort(), [
      'auth_totp',
      'base_import',
      'base_setup',
      'bus',
      'html_editor',
      'iap',
      'web',
      'web_tour',
    ]);
  });

  test('a renamed database keeps its mark, and a second rename finds it done', async () => {
    const from = `${prefix}old`;
    const to = `${prefix}new`;
    await adminQuery(`CREATE DATABASE ${q(from)} TEMPLATE ${q(db)} OWNER ${q(owner)}`);
    await adminQuery(`COMMENT ON DATABASE ${q(from)} IS '${tenantMark(tenantId)}'`);
    assert.equal(await renameDatabase(sql, { from, to, tenantId, reopen: async () => true }), 'renamed');
    assert.equal((await databaseFacts(sql, from)).exists, false);
    const facts = await databaseFacts(sql, to);
    assert.deepEqual({ mark: facts.mark, allows: facts.allowsConnections }, { mark: tenantId, allows: true });
    assert.equal(await renameDatabase(sql, { from, to, tenantId, reopen: async () => true }), 'existed');
  });

  test('neutralising a copy turns off what Odoo’s neutralisation turns off, and nothing else', async () => {
    const copy = `${prefix}copy`;
    await adminQuery(`CREATE DATABASE ${q(copy)} TEMPLATE ${q(db)} OWNER ${q(owner)}`);
    await adminQuery(`COMMENT ON DATABASE ${q(copy)} IS '${tenantMark(tenantId)}'`);
    await inDb(
      copy,
      `SET ROLE ${q(owner)};
       INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active)
       VALUES ('Real SMTP', 'smtp.example.com', 587, 'starttls', 'login', true);
       INSERT INTO fetchmail_server (name, server, active, state) VALUES ('Real IMAP', 'imap.example.com', true, 'draft');
       INSERT INTO iap_account (account_token) VALUES ('abcdef0123456789'), ('x+old'), (repeat('z', 40));
       INSERT INTO ir_act_server (name, state, webhook_url) VALUES ('{"en_US": "Hook"}', 'webhook', 'https://hooks.example.com/x');
       INSERT INTO ir_config_parameter (key, value) VALUES ('mail.web_push_vapid_private_key', 'fake-private-key')`,
    );
    const ran = await inTenantDatabase(sql, copy, tenantId, (c) => neutralise(c));
    assert.deepEqual(ran.sort(), ['base', 'iap', 'mail', 'web']);
    const crons = await inDb<{ cron_name: string }>(copy, 'SELECT cron_name FROM ir_cron WHERE active');
    assert.deepEqual(
      crons.map((r) => r.cron_name),
      ['Base: Auto-vacuum internal data'],
    );
    assert.equal((await inDb(copy, 'SELECT 1 FROM ir_cron')).length, 19, 'scheduled actions are kept, off');
    const mail = await inDb<{ name: string; active: boolean; smtp_host: string; smtp_port: number }>(
      copy,
      'SELECT name, active, smtp_host, smtp_port FROM ir_mail_server ORDER BY id',
    );
    assert.deepEqual(mail, [
      { name: 'Real SMTP', active: false, smtp_host: 'smtp.example.com', smtp_port: 587 },
      { name: 'neutralization - disable emails', active: true, smtp_host: 'invalid', smtp_port: 1025 },
    ]);
    assert.deepEqual(await inDb(copy, 'SELECT active FROM fetchmail_server'), [{ active: false }]);
    assert.deepEqual(
      (await inDb<{ account_token: string }>(copy, 'SELECT account_token FROM iap_account ORDER BY id')).map(
        (r) => r.account_token,
      ),
      ['abcdef0123456789+disabled', 'x+disabled', 'dummy_value+disabled'],
    );
    assert.deepEqual(await inDb(copy, "SELECT webhook_url FROM ir_act_server WHERE state = 'webhook'"), [
      { webhook_url: 'neutralization - disable webhook' },
    ]);
    const params = await inDb<{ key: string; value: string }>(
      copy,
      "SELECT key, value FROM ir_config_parameter WHERE key IN ('database.is_neutralized', 'mail.web_push_vapid_private_key')",
    );
    assert.deepEqual(params, [{ key: 'database.is_neutralized', value: 'true' }]);
    assert.deepEqual(await inDb(copy, "SELECT active FROM ir_ui_view WHERE key = 'web.neutralize_banner'"), [
      { active: true },
    ]);
    // Twice is the same as once, but for the dummy mail server, which Odoo adds again too.
    await inTenantDatabase(sql, copy, tenantId, (c) => neutralise(c));
    assert.deepEqual(
      await inDb(
        copy,
        "SELECT count(*)::int AS n FROM ir_config_parameter WHERE key = 'database.is_neutralized'",
      ),
      [{ n: 1 }],
    );
    // The source is untouched.
    assert.equal((await inDb(db, 'SELECT 1 FROM ir_cron WHERE active')).length, 17);
  });

  test('a database with few of Odoo’s tables is neutralised as far as it has them', async () => {
    const bare = `${prefix}bare`;
    await adminQuery(`CREATE DATABASE ${q(bare)} OWNER ${q(owner)}`);
    await adminQuery(`COMMENT ON DATABASE ${q(bare)} IS '${tenantMark(tenantId)}'`);
    await inDb(
      bare,
      `SET ROLE ${q(owner)};
       CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE, value text NOT NULL,
         create_uid int, write_uid int, create_date timestamp, write_date timestamp);
       CREATE TABLE ir_cron (id serial PRIMARY KEY, cron_name varchar, active boolean);
       INSERT INTO ir_cron (cron_name, active) VALUES ('Base: Auto-vacuum internal data', true), ('Mail: Email Queue Manager', true)`,
    );
    const ran = await inTenantDatabase(sql, bare, tenantId, (c) => neutralise(c));
    assert.deepEqual(ran.sort(), ['base', 'mail']);
    assert.deepEqual(await inDb(bare, 'SELECT cron_name FROM ir_cron WHERE active'), [
      { cron_name: 'Base: Auto-vacuum internal data' },
    ]);
    assert.deepEqual(await inDb(bare, 'SELECT key, value FROM ir_config_parameter'), [
      { key: 'database.is_neutralized', value: 'true' },
    ]);
  });
});

describe('reading a module change back', () => {
  const st = (state: string, version: string | null = null) => ({ state, version }) as never;

  test('an install reports its dependencies and the auto-installed modules it pulled in', () => {
    const before = {
      base: st('installed', '1'),
      sale: st('uninstalled'),
      crm: st('installed', '1'),
      sale_crm: st('uninstalled'),
    };
    const after = {
      base: st('installed', '1'),
      sale: st('installed', '1'),
      crm: st('installed', '1'),
      sale_crm: st('installed', '1'),
    };
    assert.equal(refusedOutcome('install', 'sale', after), undefined);
    assert.deepEqual(moduleChanges(before, after), {
      installed: ['sale', 'sale_crm'],
      upgraded: [],
      removed: [],
    });
  });

  test('a module already as asked needs nothing from Odoo: an install of an installed one, an uninstall of an uninstalled one', () => {
    const before = { base: st('installed', '1'), crm: st('uninstalled'), web_studio: st('uninstallable') };
    assert.equal(alreadyDone('install', 'base', before), true);
    assert.equal(alreadyDone('uninstall', 'crm', before), true);
    assert.equal(alreadyDone('install', 'crm', before), false);
    assert.equal(alreadyDone('uninstall', 'base', before), false);
    assert.equal(alreadyDone('upgrade', 'base', before), false, 'an upgrade of an installed module is work');
    assert.equal(alreadyDone('install', 'web_studio', before), false, 'Odoo is asked, and says why not');
    assert.equal(alreadyDone('install', 'nothing', before), false);
  });

  test('an uninstallable module that Odoo answered success for is a failure that says so', () => {
    const before = { web_studio: st('uninstallable') };
    assert.equal(
      refusedOutcome('install', 'web_studio', before),
      'Odoo did not install "web_studio": its state is uninstallable',
    );
  });

  test('an uninstall reports the dependants it removed; one that left the module installed fails', () => {
    const before = {
      sale: st('installed', '1'),
      sale_management: st('installed', '1'),
      account: st('installed', '1'),
    };
    const after = {
      sale: st('uninstalled'),
      sale_management: st('uninstalled'),
      account: st('installed', '1'),
    };
    assert.equal(refusedOutcome('uninstall', 'sale', after), undefined);
    assert.deepEqual(moduleChanges(before, after), {
      installed: [],
      upgraded: [],
      removed: ['sale', 'sale_management'],
    });
    assert.equal(
      refusedOutcome('uninstall', 'sale', before),
      'Odoo did not uninstall "sale": its state is installed',
    );
  });

  test('an upgrade reports the modules it marked, and a changed version', () => {
    const before = { web: st('installed', '1'), bus: st('installed', '1'), crm: st('installed', '1') };
    const after = { web: st('installed', '1'), bus: st('installed', '1'), crm: st('installed', '2') };
    assert.deepEqual(moduleChanges(before, after, ['web', 'bus']), {
      installed: [],
      upgraded: ['bus', 'crm', 'web'],
      removed: [],
    });
  });
});
