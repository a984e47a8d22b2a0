import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type Platform, startPlatform } from '../support/platform.ts';
import { type NatsWatch, natsWatch } from './nats-watch.ts';
import {
  type Answer,
  assertSound,
  fcParams,
  type HostileRequest,
  type Operation,
  operationsOf,
  RUNS,
  requestsFor,
  send,
  TIMEOUT_MS,
} from './support.ts';

/** Operations that end the caller's own session: they would only stop the run, not test it. */
const SKIPPED = [/\/auth\/logout$/];

/**
 * What no refused request may change: the tenants, the operators and the API tokens, by the fields
 * a request sets. An earlier valid request may have started work that goes on meanwhile (a tenant
 * provisioning, or deleted: by its slug, `xxxxx` is a valid path too), so states and times are left out.
 */
async function stateOf(p: Platform): Promise<string> {
  const lists: Array<[string, string[]]> = [
    ['/api/v1/tenants?includeDeleted=true&limit=200', ['id', 'slug', 'displayName', 'plan']],
    ['/api/v1/operators?limit=200', ['id', 'email', 'role', 'tenantIds', 'disabled']],
    ['/api/v1/tokens?limit=200', ['id', 'name', 'scopes', 'expiresAt', 'revokedAt']],
  ];
  const parts = await Promise.all(
    lists.map(async ([url, fields]) => {
      const res = await p.api.call('GET', url);
      assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
      return JSON.stringify(
        (res.body.items as Array<Record<string, unknown>>).map((item) => fields.map((f) => item[f])),
      );
    }),
  );
  return parts.join('\n');
}

describe('every route of the admin API, fed hostile input as the owner', () => {
  let p: Platform;
  let watch: NatsWatch;
  let ops: Operation[] = [];
  const seen = { requests: 0, ok: 0, refused: 0 };

  before(async () => {
    // Hundreds of requests from one address: the rate limit is not what this suite tests.
    // The backup service too: its routes that name no tenant (overdue backups) reach it at once.
    p = await startPlatform({
      backup: true,
      gatewayEnv: { RATE_LIMIT_MAX: '1000000', WEBHOOK_RATE_LIMIT_MAX: '1000000' },
    });
    watch = await natsWatch(await p.connectNats('admin'));
    const res = await fetch(`${p.gateway.url}/docs/json`);
    assert.equal(res.status, 200);
    ops = operationsOf((await res.json()) as Parameters<typeof operationsOf>[0]).filter(
      (o) => !SKIPPED.some((re) => re.test(o.path)),
    );
  });
  after(async () => {
    await p?.close();
  });

  test('the OpenAPI document lists the routes to attack', () => {
    assert.ok(ops.length >= 20, `only ${ops.length} operations in /docs/json`);
    assert.ok(ops.some((o) => o.method === 'POST' && o.path === '/api/v1/tenants'));
  });

  test('each answer is a 2xx or a 4xx problem with a detail, never a 5xx, and a refused write changes nothing', {
    timeout: TIMEOUT_MS,
  }, async (t) => {
    const token = p.api.token ?? '';
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(requestsFor(op), async (req: HostileRequest) => {
          const write = req.method !== 'GET';
          const before = write ? await stateOf(p) : '';
          const ans: Answer = await send(p.gateway.url, token, req);
          seen.requests++;
          if (ans.status < 400) seen.ok++;
          else seen.refused++;
          assertSound(req, ans);
          if (write && ans.status >= 400)
            assert.equal(
              await stateOf(p),
              before,
              `${req.method} ${req.url} was refused but changed the state`,
            );
        }),
        fcParams(),
      );
    }
    // The session survived it all: the last call is answered as before.
    assert.equal((await p.api.call('GET', '/api/v1/me')).status, 200);
    t.diagnostic(`hostile requests: ${JSON.stringify(seen)} (${RUNS} runs per operation)`);
  });

  test('the audit chain of all those requests verifies, and no consumer dead-lettered anything', async () => {
    await watch.settled();
    const verify = await p.api.call('POST', '/api/v1/audit/verify', {});
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    const letters = await watch.deadLetters();
    assert.deepEqual(
      letters.map((l) => `${l.consumer}: ${l.reason}`),
      [],
    );
  });
});
