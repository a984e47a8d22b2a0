import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { test } from 'node:test';
import { adminQuery, createTestDatabase, startNats, uniqueName } from '@ocp/testkit';
import Fastify from 'fastify';
import pino from 'pino';
import {
  baseConfig,
  ConfigError,
  type ConfigOf,
  type ConfigSchema,
  commonConfig,
  createShutdown,
  defineService,
  loadServiceConfig,
  opsRoutes,
  runService,
  type ServiceRuntime,
} from '../src/index.ts';

const limit = { timeout: 30_000 };
const logger = pino({ level: 'warn' });

const schema = {
  type: 'object',
  properties: {
    ...commonConfig,
    HTTP_PORT: { ...commonConfig.HTTP_PORT, default: 0 },
    WIDGETS: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
  },
  required: ['DATABASE_URL'],
} as const satisfies ConfigSchema;

async function rig(t: test.TestContext) {
  const db = await createTestDatabase('ocp_runtime_');
  const nats = await startNats();
  t.after(async () => {
    await nats.dispose();
    await db.drop();
  });
  const name = uniqueName('rt');
  const env = { DATABASE_URL: db.url, NATS_URL: nats.url, HTTP_PORT: '0', LOG_LEVEL: 'warn' };
  return { db, nats, name, env };
}

/** Sessions the service's pool holds on its database (the pool is named after the service). */
async function sessionsOf(service: string): Promise<number> {
  const { rows } = await adminQuery<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [`ocp-${service}`],
  );
  return rows[0]?.n ?? 0;
}

async function listening(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

test('the config type and its checks come from one schema, and every problem is reported at once', () => {
  const def = defineService({
    name: 'widgets',
    configSchema: schema,
    checkConfig: (c) => (c.WIDGETS > 5 ? ['WIDGETS above 5 would starve the pool'] : []),
    start: async () => undefined,
  });
  const config = loadServiceConfig(def, { DATABASE_URL: 'postgres://x/y' });
  // Defaults are filled in and typed: WIDGETS is a number, HTTP_HOST a string.
  const widgets: number = config.WIDGETS;
  const host: string = config.HTTP_HOST;
  assert.equal(widgets, 3);
  assert.equal(host, '127.0.0.1');
  assert.throws(
    () => loadServiceConfig(def, { WIDGETS: '11', HTTP_PORT: 'eighty' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /DATABASE_URL/.test(e.message) &&
      /WIDGETS/.test(e.message) &&
      /HTTP_PORT/.test(e.message),
  );
  assert.throws(() => loadServiceConfig(def, { DATABASE_URL: 'postgres://x/y', WIDGETS: '7' }), /starve/);
});

test(
  'a start that fails halfway closes everything it had opened: pool, NATS, outbox relay',
  limit,
  async (t) => {
    const { name, env } = await rig(t);
    let seen: ServiceRuntime<ConfigOf<typeof schema>> | undefined;
    const def = defineService({
      name,
      configSchema: schema,
      outbox: {},
      async start(rt) {
        seen = rt;
        await rt.pool.query('SELECT 1');
        throw new Error('the template could not be made');
      },
    });
    await assert.rejects(
      runService(def, loadServiceConfig(def, env), { logger }),
      /template could not be made/,
    );
    assert.ok(seen, 'start ran');
    assert.equal(seen.nats.nc.isClosed(), true, 'the NATS connection is closed');
    assert.equal(seen.pool.ended, true, 'the pool is ended');
    assert.equal(seen.relay?.leading(), false, 'the outbox relay stopped');
    assert.equal(await sessionsOf(name), 0, 'no session of the service is left on the server');
  },
);

test(
  'a stop lets in-flight requests finish and query before the pool closes, in phase order',
  limit,
  async (t) => {
    const { name, env } = await rig(t);
    const order: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => {};
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    const def = defineService({
      name,
      configSchema: schema,
      async start(rt) {
        rt.onClose('a worker', 'work', async () => order.push('work'));
        rt.onClose('recorder', 'database', async () => order.push('database'));
        rt.bus.serve('audit.verify.v1', async () => {
          entered();
          await held;
          // The pool is still open: the stop waits for this handler before it closes the pools.
          const { rows } = await rt.pool.query<{ n: number }>('SELECT 41 + 1 AS n');
          order.push('handler queried');
          return {
            ok: true,
            checked: rows[0]?.n ?? 0,
            fromSeq: null,
            toSeq: null,
            checkpoint: {
              outcome: 'unanchored',
              detail: 'no checkpoint key',
              checkpointSeq: null,
              seq: null,
              hash: null,
              signedAt: null,
              missing: null,
            },
          };
        });
      },
    });
    const service = await runService(def, loadServiceConfig(def, env), { logger });
    assert.equal(await listening(service.port), true);
    const client = await (await import('@nats-io/transport-node')).connect({ servers: env.NATS_URL });
    t.after(() => client.close());
    const { createBus } = await import('@ocp/bus');
    const caller = await createBus({ nc: client, logger, service: 'caller' });
    const reply = caller.request('audit.verify.v1', {}, { timeoutMs: 10_000 });
    await inHandler;
    const stopped = service.close('test');
    // Let the stop get as far as it can while the handler is held.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(order, [], 'nothing past intake closed while a request was in flight');
    assert.equal(service.pool.ended, false);
    release();
    const { checkpoint: _, ...answer } = await reply;
    assert.deepEqual(answer, { ok: true, checked: 42, fromSeq: null, toSeq: null });
    await stopped;
    assert.deepEqual(order, ['handler queried', 'work', 'database']);
    assert.equal(service.pool.ended, true);
    assert.equal(await listening(service.port), false);
    await caller.close();
  },
);

test(
  'a periodic task never runs twice at once, and the stop waits for the run in progress',
  limit,
  async (t) => {
    const { name, env } = await rig(t);
    let running = 0;
    let most = 0;
    let runs = 0;
    const def = defineService({
      name,
      configSchema: schema,
      async start(rt) {
        rt.every('slow task', 5, async () => {
          running++;
          most = Math.max(most, running);
          runs++;
          await new Promise((r) => setTimeout(r, 50));
          // The pool is open for the whole run, even when the stop began during it.
          await rt.pool.query('SELECT 1');
          running--;
        });
      },
    });
    const service = await runService(def, loadServiceConfig(def, env), { logger });
    while (runs < 3) await new Promise((r) => setTimeout(r, 10));
    await service.close('test');
    assert.equal(most, 1);
    assert.equal(running, 0, 'no run was cut off by the stop');
  },
);

test(
  "every answer of a service's HTTP app is counted and timed by route pattern and status, with the service's label",
  limit,
  async (t) => {
    const { name, env } = await rig(t);
    const def = defineService({
      name,
      configSchema: schema,
      async start() {},
      async http(rt) {
        const app = Fastify();
        await app.register(opsRoutes, { registry: rt.registry, checks: rt.checks });
        // In an encapsulated plugin, as services register their routes.
        await app.register(async (routes) => {
          routes.get('/widgets/:id', async (req, reply) =>
            (req.params as { id: string }).id === 'missing' ? reply.code(404).send() : { ok: true },
          );
        });
        return app;
      },
    });
    const service = await runService(def, loadServiceConfig(def, env), { logger });
    for (const url of ['/widgets/1', '/widgets/2', '/widgets/missing', '/nowhere'])
      await service.http.inject(url);
    const text = (await service.http.inject('/metrics')).body;
    await service.close('test');
    const line = (re: RegExp) => text.split('\n').find((l) => re.test(l));
    const label = `service="${name}"`;
    assert.ok(line(/^ocp_http_requests_total\{.*route="\/widgets\/:id".*status="200"/)?.endsWith(' 2'));
    assert.ok(line(/^ocp_http_requests_total\{.*route="\/widgets\/:id".*status="404"/)?.endsWith(' 1'));
    assert.ok(line(/^ocp_http_requests_total\{.*route="unmatched".*status="404"/)?.endsWith(' 1'));
    assert.ok(!text.includes('/widgets/1'), 'paths never become labels');
    assert.ok(
      line(/^ocp_http_request_duration_seconds_count\{.*route="\/widgets\/:id"/)?.endsWith(' 3'),
      'three answers timed',
    );
    assert.ok(line(/^ocp_http_requests_total\{/)?.includes(label), 'the service label');
  },
);

test(
  'a service whose config has no DATABASE_URL runs without a database: no pool, no postgres readiness check, and a database part is refused at its declaration',
  limit,
  async (t) => {
    const nats = await startNats();
    t.after(() => nats.dispose());
    const name = uniqueName('rt');
    const bare = {
      type: 'object',
      properties: { ...baseConfig, HTTP_PORT: { ...baseConfig.HTTP_PORT, default: 0 } },
    } as const satisfies ConfigSchema;
    let seen: ServiceRuntime<ConfigOf<typeof bare>> | undefined;
    const def = defineService({
      name,
      configSchema: bare,
      async start(rt) {
        seen = rt;
        // The type says so too: a service without DATABASE_URL is given no pool.
        const none: undefined = rt.pool;
        return none;
      },
    });
    // A DATABASE_URL in the environment is not read: the schema does not name it.
    const config = loadServiceConfig(def, { NATS_URL: nats.url, DATABASE_URL: 'postgres://x/y' });
    assert.equal((config as Record<string, unknown>).DATABASE_URL, undefined);
    const service = await runService(def, config, { logger });
    try {
      assert.equal(seen?.pool, undefined);
      assert.deepEqual(
        seen?.checks.map((c) => c.name),
        ['nats'],
      );
      const ready = await service.http.inject('/readyz');
      assert.equal(ready.statusCode, 200, ready.body);
    } finally {
      await service.close('test');
    }
    assert.equal(seen.nats.nc.isClosed(), true);
    assert.throws(
      () => defineService({ name: 'ledger', configSchema: bare, outbox: {}, start: async () => undefined }),
      /ledger service declares migrations, grants or an outbox but its config has no DATABASE_URL/,
    );
  },
);

test('shutdown steps run by phase, the last opened first within a phase', () => {
  const s = createShutdown(logger, 1000);
  s.add('pool', async () => {}, 'database');
  s.add('http', async () => {}, 'http');
  s.add('worker a', async () => {}, 'work');
  s.add('nats', async () => {}, 'nats');
  s.add('worker b', async () => {}, 'work');
  s.add('consumers', async () => {}, 'intake');
  s.add('admin pools', async () => {}, 'database');
  assert.deepEqual(
    s.plan().map((x) => x.name),
    ['http', 'consumers', 'worker b', 'worker a', 'nats', 'admin pools', 'pool'],
  );
});
