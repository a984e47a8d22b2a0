import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@ocp/testkit';
import {
  BusClosedError,
  createBus,
  type FailureClassifier,
  RpcError,
  RpcUnavailableError,
} from '../src/index.ts';
import { signal, startBus, tenantCreated, testLogger } from './helpers.ts';

const limit = { timeout: 30_000 };

test(
  'with rpcConcurrency 3, seven requests at once across two methods run at most 3 handlers at a time, and all are answered',
  limit,
  async (t) => {
    const { nc, bus } = await startBus(t, 'test', { rpcConcurrency: 3 });
    const tenant = tenantCreated().data.tenant;
    let running = 0;
    let most = 0;
    let started = 0;
    const release = signal();
    const hold = async () => {
      started++;
      running++;
      most = Math.max(most, running);
      try {
        await release.promise;
      } finally {
        running--;
      }
    };
    bus.serve('tenant.get.v1', async () => {
      await hold();
      return { tenant };
    });
    bus.serve('tenant.list.v1', async () => {
      await hold();
      return { items: [], nextCursor: null };
    });
    // A plain subscriber on the serving connection sees each request as it reaches this process.
    let arrived = 0;
    nc.subscribe('rpc.tenant.>', {
      callback: () => {
        arrived++;
      },
    });
    await nc.flush();

    const ask = { timeoutMs: 20_000 };
    const gets = [1, 2, 3, 4].map(() => bus.request('tenant.get.v1', { slug: tenant.slug }, ask));
    const lists = [1, 2, 3].map(() => bus.request('tenant.list.v1', { limit: 10 }, ask));
    try {
      await waitFor('all 7 requests to arrive', async () => (arrived === 7 ? true : undefined));
      // Whatever the server sent before this round trip has reached the bus's subscriptions as well.
      await nc.flush();

      assert.equal(started, 3, 'only 3 handlers started while 7 requests were waiting');
      assert.equal(running, 3);
    } finally {
      // Held handlers would keep the bus's close() waiting after a failed assertion.
      release.resolve();
    }
    const [getReplies, listReplies] = await Promise.all([Promise.all(gets), Promise.all(lists)]);

    assert.deepEqual(
      getReplies,
      [1, 2, 3, 4].map(() => ({ tenant })),
    );
    assert.deepEqual(
      listReplies,
      [1, 2, 3].map(() => ({ items: [], nextCursor: null })),
    );
    assert.equal(started, 7);
    assert.equal(most, 3, 'never more than 3 handlers at once');
  },
);

test(
  'close() lets the request in flight finish and answer, and takes no new request once it begins',
  limit,
  async (t) => {
    const { nc, bus } = await startBus(t);
    const caller = await createBus({ nc, logger: testLogger(), service: 'caller' });
    t.after(() => caller.close());
    const tenant = tenantCreated().data.tenant;
    const entered = signal();
    const release = signal();
    let calls = 0;
    bus.serve('tenant.get.v1', async () => {
      calls++;
      entered.resolve();
      await release.promise;
      return { tenant };
    });

    const inFlight = caller.request('tenant.get.v1', { slug: tenant.slug }, { timeoutMs: 20_000 });
    await entered.promise;
    let closed = false;
    const closing = bus.close().then(() => {
      closed = true;
    });

    try {
      // Sent on the same connection after the bus unsubscribed: the server has no one to give it to.
      await assert.rejects(
        caller.request('tenant.get.v1', { slug: tenant.slug }, { timeoutMs: 10_000 }),
        RpcUnavailableError,
      );
      assert.throws(
        () => bus.serve('tenant.list.v1', async () => ({ items: [], nextCursor: null })),
        BusClosedError,
      );
      assert.equal(closed, false, 'close() waits for the request in flight');
    } finally {
      release.resolve();
    }

    assert.deepEqual(await inFlight, { tenant });
    await closing;
    assert.equal(calls, 1, 'the request sent after close() began never reached the handler');
  },
);

test('the request/reply bound and the stream replicas must be whole numbers in range', limit, async (t) => {
  const { nc } = await startBus(t);
  for (const bad of [
    { rpcConcurrency: 0 },
    { rpcConcurrency: 2.5 },
    { streamReplicas: 0 },
    { streamReplicas: 7 },
  ]) {
    await assert.rejects(createBus({ nc, logger: testLogger(), service: 'x', ...bad }), RangeError);
  }
});

test(
  "a handler's failure the service's classifier knows is answered for what it is: a passing one DATABASE_UNAVAILABLE, one the request's values cause VALIDATION_FAILED with the reason, any other INTERNAL",
  limit,
  async (t) => {
    class Passing extends Error {}
    class Refused extends Error {}
    const classifyFailure: FailureClassifier = (e) =>
      e instanceof Passing
        ? { kind: 'transient' }
        : e instanceof Refused
          ? {
              kind: 'permanent',
              reason: 'data exception (SQLSTATE 22P05): unsupported Unicode escape sequence',
            }
          : undefined;
    const { nc, bus } = await startBus(t, 'test', { classifyFailure });
    const caller = await createBus({ nc, logger: testLogger(), service: 'caller' });
    t.after(() => caller.close());
    const failures = [
      new Passing('the database system is starting up'),
      new Refused('bad value'),
      new Error('bug'),
    ];
    bus.serve('tenant.get.v1', async () => {
      throw failures.shift();
    });
    const codeOf = async () => {
      try {
        await caller.request('tenant.get.v1', { slug: 'acme' }, { timeoutMs: 10_000 });
        return undefined;
      } catch (e) {
        assert.ok(e instanceof RpcError, String(e));
        return { code: e.code, message: e.message };
      }
    };
    assert.equal((await codeOf())?.code, 'DATABASE_UNAVAILABLE');
    const refused = await codeOf();
    assert.equal(refused?.code, 'VALIDATION_FAILED');
    assert.match(refused?.message ?? '', /cannot be stored: data exception \(SQLSTATE 22P05\)/);
    assert.equal((await codeOf())?.code, 'INTERNAL');
  },
);

test(
  'every answer is reported to the onServed hook with its method and what it was: ok, the refusal code, INTERNAL',
  limit,
  async (t) => {
    const served: Array<[string, string]> = [];
    const { nc, bus } = await startBus(t, 'test', {
      hooks: { onServed: (method, code, ms) => served.push([method, ms >= 0 ? code : 'negative time']) },
    });
    const caller = await createBus({ nc, logger: testLogger(), service: 'caller' });
    t.after(() => caller.close());
    const tenant = tenantCreated().data.tenant;
    const answers: Array<() => unknown> = [
      () => ({ tenant }),
      () => {
        throw new RpcError('TENANT_NOT_FOUND', 'no such tenant');
      },
      () => {
        throw new Error('bug');
      },
    ];
    bus.serve('tenant.get.v1', async () => answers.shift()?.() as never);
    const ask = () =>
      caller.request('tenant.get.v1', { slug: tenant.slug }, { timeoutMs: 10_000 }).then(
        () => 'ok',
        (e: unknown) => (e instanceof RpcError ? e.code : String(e)),
      );
    assert.deepEqual([await ask(), await ask(), await ask()], ['ok', 'TENANT_NOT_FOUND', 'INTERNAL']);
    await waitFor('three answers reported', async () => (served.length === 3 ? true : undefined));
    assert.deepEqual(served, [
      ['tenant.get.v1', 'ok'],
      ['tenant.get.v1', 'TENANT_NOT_FOUND'],
      ['tenant.get.v1', 'INTERNAL'],
    ]);
  },
);
