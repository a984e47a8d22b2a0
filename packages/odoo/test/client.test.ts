import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  createJsonRpcTransport,
  createOdooClient,
  type OdooAuth,
  OdooError,
  OdooTimeoutError,
  OdooTransportError,
  SCHEDULED_ACTION_LOCK_MESSAGE,
} from '../src/index.ts';
import {
  exchange,
  type RecordedExchange,
  type ReplayServer,
  recorded,
  startReplayServer,
} from './replay-server.ts';

let server: ReplayServer;
before(async () => {
  server = await startReplayServer();
});
after(() => server.close());
beforeEach(() => server.reset());

const noSleep = async () => {};
const client = () => createOdooClient({ url: server.url, timeoutMs: 5000, sleep: noSleep });
const auth: OdooAuth = { db: 'recmwunkuvf', uid: 2, password: 'adminpw' };
const authMore: OdooAuth = { db: 'recmoremx3tfqxu', uid: 2, password: 'adminpw' };

/** The requests the client sent, as JSON-RPC bodies, must be the recorded ones (ids aside). */
function assertSentAsRecorded(...exchanges: RecordedExchange[]) {
  assert.equal(server.received.length, exchanges.length, 'number of requests sent');
  exchanges.forEach((e, i) => {
    const { id: _sent, ...sent } = server.received[i] as { id: unknown };
    const { id: _rec, ...rec } = e.request;
    assert.deepEqual(sent, rec, `request ${i + 1} (${e.label})`);
  });
}

function resultOf(e: RecordedExchange): unknown {
  return e.response.result;
}

/** The lock refusal of Odoo 18's `_button_immediate_function` in the envelope of a recorded UserError. */
function scheduledActionLock(): RecordedExchange {
  const base = exchange('ir.module.module.button_immediate_upgrade not installed');
  const message = `${SCHEDULED_ACTION_LOCK_MESSAGE}\nModule operations are not possible at this time, please try again later or contact your system administrator.`;
  const error = base.response.error as { data: Record<string, unknown> };
  return {
    ...base,
    label: 'button_immediate_install during a scheduled action',
    response: {
      ...base.response,
      error: { ...error, data: { ...error.data, message, arguments: [message] } },
    },
  };
}

describe('the Odoo client against recorded Odoo 18 exchanges', () => {
  it('common.version, db.server_version, db.list and db.db_exist answer what Odoo answered', async () => {
    const odoo = client();
    const recs = [
      exchange('common.version'),
      exchange('db.server_version'),
      exchange('db.list'),
      exchange('db.exist (missing)'),
      exchange('db.exist (present)'),
    ];
    server.expect(...recs);
    assert.deepEqual(await odoo.version(), resultOf(exchange('common.version')));
    assert.equal(await odoo.db.serverVersion(), '18.0');
    assert.deepEqual(await odoo.db.list(), []);
    assert.equal(await odoo.db.exist('recmwunkuvf'), false);
    assert.equal(await odoo.db.exist('recmwunkuvf'), true);
    assertSentAsRecorded(...recs);
  });

  it('db.create_database sends the eight recorded positional arguments and keeps Odoo refusals', async () => {
    const odoo = client();
    const ok = exchange('db.create_database');
    const wrongMaster = exchange('db.create_database wrong master password');
    const existing = exchange('db.create_database existing name');
    server.expect(ok, wrongMaster, existing);
    const input = {
      name: 'recmwunkuvf',
      demo: false,
      lang: 'en_US',
      adminPassword: 'adminpw',
      adminLogin: 'admin@example.com',
    };
    assert.equal(
      await odoo.db.create('masterpw', { ...input, countryCode: 'BE', phone: '+32 2 000 00 00' }),
      true,
    );
    await assert.rejects(odoo.db.create('wrong', input), (err: unknown) => {
      assert.ok(err instanceof OdooError);
      assert.equal(err.name, 'odoo.exceptions.AccessDenied');
      assert.equal(err.odooMessage, 'Access Denied');
      assert.equal(err.code, 200);
      assert.equal(err.envelopeMessage, 'Odoo Server Error');
      assert.doesNotMatch(err.message, /wrong|adminpw/, 'the message never repeats the passwords sent');
      return true;
    });
    await assert.rejects(odoo.db.create('masterpw', input), {
      name: 'odoo.service.db.DatabaseExists',
      odooMessage: "database 'recmwunkuvf' already exists!",
    });
    assertSentAsRecorded(ok, wrongMaster, existing);
    assert.equal((server.received[0] as { params: { args: unknown[] } }).params.args.length, 8);
  });

  it('every recorded error answer becomes an OdooError with Odoo exception name and message', async () => {
    const errors = recorded.filter((e) => e.response.error !== undefined);
    assert.ok(errors.length >= 20, `recorded error exchanges: ${errors.length}`);
    const transport = createJsonRpcTransport(server.url);
    server.expect(...errors);
    for (const e of errors) {
      const { service, method, args } = e.request.params;
      const data = (e.response.error as { data: { name: string; message: string } }).data;
      await assert.rejects(
        transport.call(service as 'db', method, args, { timeoutMs: 5000 }),
        (err: unknown) => {
          assert.ok(err instanceof OdooError, e.label);
          assert.ok(!(err instanceof OdooTransportError), e.label);
          assert.equal(err.name, data.name, e.label);
          assert.equal(err.odooMessage, data.message, e.label);
          return true;
        },
        e.label,
      );
    }
    assertSentAsRecorded(...errors);
  });

  it('the traceback Odoo sends is kept but left out of what a logger serialises', async () => {
    const base = exchange('object.execute_kw unknown model');
    const debug = `Traceback (most recent call last):\n${'  File "odoo/http.py", line 1, in dispatch\n'.repeat(50)}`;
    const error = base.response.error as { data: Record<string, unknown> };
    server.expect({
      ...base,
      response: { ...base.response, error: { ...error, data: { ...error.data, debug } } },
    });
    const err = await client()
      .executeKw(auth, 'no.such.model', 'search_count', [[]])
      .catch((e: unknown) => e);
    assert.ok(err instanceof OdooError);
    assert.equal(err.name, 'odoo.exceptions.UserError');
    assert.equal(err.odooMessage, "Object no.such.model doesn't exist");
    assert.equal(err.debug, debug);
    assert.ok(!Object.keys(err).includes('debug'));
    const logged = JSON.stringify(err);
    assert.ok(logged.length < debug.length, 'the serialised error is shorter than the traceback');
    assert.match(logged, /Traceback/);
  });

  it('authenticate, login and execute_kw send the recorded arguments, kwargs only when given', async () => {
    const odoo = client();
    const recs = [
      exchange('common.authenticate wrong password'),
      exchange('common.login'),
      exchange('common.authenticate'),
      exchange('res.users.search_count'),
      exchange('res.users.search_read'),
      exchange('res.users.search_count share=false active_test=false'),
    ];
    server.expect(...recs);
    assert.equal(await odoo.authenticate('recmwunkuvf', 'admin@example.com', 'nope'), false);
    assert.equal(await odoo.login('recmwunkuvf', 'admin@example.com', 'adminpw'), 2);
    assert.equal(await odoo.authenticate('recmwunkuvf', 'admin@example.com', 'adminpw'), 2);
    assert.equal(await odoo.executeKw(auth, 'res.users', 'search_count', [[['share', '=', false]]]), 1);
    const fields = ['login', 'name', 'active', 'share', 'company_id'];
    assert.deepEqual(
      await odoo.executeKw(auth, 'res.users', 'search_read', [[['share', '=', false]]], { fields }),
      resultOf(exchange('res.users.search_read')),
    );
    assert.equal(
      await odoo.executeKw(authMore, 'res.users', 'search_count', [[['share', '=', false]]], {
        context: { active_test: false },
      }),
      4,
    );
    assertSentAsRecorded(...recs);
  });

  it('module wrappers read by state and name and press the immediate buttons as recorded', async () => {
    const odoo = client();
    const recs = [
      exchange('ir.module.module.button_immediate_install'),
      exchange('ir.module.module.search_read', 1),
      exchange('ir.module.module.button_immediate_upgrade'),
      exchange('ir.module.module.button_immediate_uninstall'),
      exchange('ir.module.module.button_immediate_install', 1),
    ];
    server.expect(...recs);
    const actUrl = { type: 'ir.actions.act_url', target: 'self', url: '/odoo' };
    assert.deepEqual(await odoo.installModules(auth, [51]), actUrl);
    const modules = await odoo.searchModules(auth, {
      states: ['installed', 'to install', 'to upgrade', 'to remove'],
      names: ['crm', 'mail', 'contacts', 'base'],
    });
    assert.deepEqual(modules, resultOf(recs[1] as RecordedExchange));
    assert.deepEqual(await odoo.upgradeModules(auth, [51]), actUrl);
    assert.deepEqual(await odoo.uninstallModules(auth, [51]), actUrl);
    await assert.rejects(odoo.installModules(auth, [999999]), {
      name: 'odoo.exceptions.MissingError',
      odooMessage: 'Record does not exist or has been deleted.\n(Record: ir.module.module(999999,), User: 2)',
    });
    assertSentAsRecorded(...recs);
  });

  it('db duplicate, rename and drop send the recorded argument lists', async () => {
    const odoo = client();
    const recs = [
      exchange('db.duplicate_database neutralize=true'),
      exchange('db.duplicate_database 3 args'),
      exchange('db.duplicate_database existing target'),
      exchange('db.rename'),
      exchange('db.rename onto existing name'),
      exchange('db.drop'),
      exchange('db.drop missing'),
    ];
    server.expect(...recs);
    assert.equal(
      await odoo.db.duplicate('masterpw', 'recmoremx3tfqxu', 'recmoremx3tfqxu_neutral', true),
      true,
    );
    assert.equal(await odoo.db.duplicate('masterpw', 'recmoremx3tfqxu', 'recmoremx3tfqxu_three'), true);
    await assert.rejects(odoo.db.duplicate('masterpw', 'recmoremx3tfqxu', 'recmoremx3tfqxu_neutral'), {
      name: 'psycopg2.errors.DuplicateDatabase',
    });
    assert.equal(await odoo.db.rename('masterpw', 'recmoremx3tfqxu_plain', 'recmoremx3tfqxu_renamed'), true);
    await assert.rejects(odoo.db.rename('masterpw', 'recmoremx3tfqxu_renamed', 'recmoremx3tfqxu_neutral'), {
      name: 'builtins.Exception',
    });
    assert.equal(await odoo.db.drop('masterpw', 'recmwunkuvf'), true);
    assert.equal(await odoo.db.drop('masterpw', 'recmwunkuvf'), false);
    assertSentAsRecorded(...recs);
  });
});

describe('retry of a module operation refused during a scheduled action', () => {
  it('calls again with growing waits while the scheduled action holds the lock, then answers', async () => {
    const waits: number[] = [];
    const odoo = createOdooClient({
      url: server.url,
      retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const install = exchange('ir.module.module.button_immediate_install');
    server.expect(scheduledActionLock(), scheduledActionLock(), install);
    assert.deepEqual(await odoo.installModules(auth, [51]), resultOf(install));
    assert.equal(server.received.length, 3);
    assert.deepEqual(waits, [100, 200]);
  });

  it('gives up after the configured number of attempts with Odoo refusal', async () => {
    const odoo = createOdooClient({ url: server.url, retry: { attempts: 3 }, sleep: noSleep });
    // A fourth call would get HTTP 500 (nothing queued) and fail with a transport error instead.
    server.expect(scheduledActionLock(), scheduledActionLock(), scheduledActionLock());
    await assert.rejects(odoo.upgradeModules(auth, [51]), (err: unknown) => {
      assert.ok(err instanceof OdooError);
      assert.equal(err.name, 'odoo.exceptions.UserError');
      assert.ok(err.odooMessage.startsWith(SCHEDULED_ACTION_LOCK_MESSAGE));
      return true;
    });
    assert.equal(server.received.length, 3);
  });

  it('never calls again after any other refusal or a transport failure', async () => {
    const odoo = createOdooClient({ url: server.url, retry: { attempts: 5 }, sleep: noSleep });
    server.expect(
      exchange('ir.module.module.button_immediate_upgrade not installed'),
      exchange('ir.module.module.button_immediate_uninstall base'),
      (res) => res.writeHead(502).end('Bad Gateway'),
    );
    await assert.rejects(odoo.upgradeModules(authMore, [462]), {
      name: 'odoo.exceptions.UserError',
      odooMessage: 'Cannot upgrade module “sale_management”. It is not installed.',
    });
    await assert.rejects(odoo.uninstallModules(authMore, [31]), {
      odooMessage: 'Those modules cannot be uninstalled: base',
    });
    await assert.rejects(odoo.installModules(authMore, [462]), { failure: 'http-status', status: 502 });
    assert.equal(server.received.length, 3);
  });
});

describe('transport failures', () => {
  it('a call with no answer within its limit fails with the timeout error', async () => {
    server.expect(() => {}); // never answers
    const started = Date.now();
    await assert.rejects(client().db.list({ timeoutMs: 150 }), (err: unknown) => {
      assert.ok(err instanceof OdooTimeoutError);
      assert.ok(err instanceof OdooTransportError);
      assert.equal(err.failure, 'timeout');
      assert.equal(err.timeoutMs, 150);
      return true;
    });
    assert.ok(Date.now() - started < 3000);
  });

  it('a refused connection, a non-200 status and a body that is not JSON are transport errors', async () => {
    const closed = await startReplayServer();
    await closed.close();
    const refused = createOdooClient({ url: closed.url, timeoutMs: 2000 });
    await assert.rejects(refused.version(), (err: unknown) => {
      assert.ok(err instanceof OdooTransportError);
      assert.ok(!(err instanceof OdooTimeoutError));
      assert.equal(err.failure, 'connection');
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    server.expect(
      (res) => res.writeHead(503).end(),
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
    );
    await assert.rejects(client().version(), {
      name: 'OdooTransportError',
      failure: 'http-status',
      status: 503,
    });
    await assert.rejects(client().version(), { name: 'OdooTransportError', failure: 'not-json' });
  });
});
