import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditService } from '@ocp/audit';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { waitFor } from '@ocp/testkit';
import { type PlatformEnv, preparePlatform, startAudit } from '../support/platform.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { call, login, type Session } from '../support/rbac.ts';

const BODY_LIMIT = 2048;
const limit = { timeout: 60_000 };

/** The members every problem of the admin API has, whatever went wrong. */
function assertProblemShape(res: { status: number; body: Record<string, unknown>; headers: Headers }) {
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.match(String(res.body.type), /^https:\/\/ocp\.local\/problems\/[a-z-]+$/);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(res.body.status, res.status);
  assert.equal(typeof res.body.detail, 'string');
  assert.match(String(res.body.code), /^[A-Z][A-Z_]+$/);
  assert.equal(res.body.requestId, res.headers.get('x-request-id'));
}

describe('problem answers of the gateway', () => {
  let server: TestPostgres;
  let env: PlatformEnv;
  let gateway: Gateway;
  let audit: AuditService;
  let owner: Session;
  let pgDown = false;

  before(async () => {
    // The gateway's database lives on a server of this test's own, which one test stops.
    server = await startTestPostgres();
    env = await preparePlatform({
      serverUrl: server.url,
      gatewayEnv: { BODY_LIMIT_BYTES: String(BODY_LIMIT) },
    });
    const cfg = gatewayConfig(env.gatewayEnv);
    gateway = await startGateway(cfg, createLogger('gateway', cfg.LOG_LEVEL));
    audit = await startAudit(env);
    owner = await login(gateway.url, 'owner@example.com', env.ownerPassword);
  });
  after(async () => {
    if (pgDown) await server?.start();
    await audit?.close();
    await gateway?.close();
    await env?.dispose();
    await server?.dispose();
  });

  test('an unknown route answers 404 NOT_FOUND with the same problem shape as every other error', async () => {
    for (const res of [
      await call(gateway.url, undefined, 'GET', '/no-such-page'),
      await owner.call('GET', '/api/v1/no-such-thing'),
      await owner.call('DELETE', '/api/v1/tenants'),
    ]) {
      assert.equal(res.status, 404, res.text);
      assertProblemShape(res);
      assert.equal(res.body.code, 'NOT_FOUND');
      assert.equal(res.body.type, 'https://ocp.local/problems/not-found');
    }
  });

  test('an API body over BODY_LIMIT_BYTES answers 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await owner.call('POST', '/api/v1/tenants', {
      slug: 'big',
      displayName: 'x'.repeat(BODY_LIMIT + 1),
    });
    assert.equal(res.status, 413, res.text);
    assertProblemShape(res);
    assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE');
  });

  test('a cursor the audit list did not give is refused naming the query parameter, not the body', async () => {
    const cursor = Buffer.from('{"seq":"1; drop"}').toString('base64url');
    const res = await owner.call('GET', `/api/v1/audit?cursor=${cursor}`);
    assert.equal(res.status, 400, res.text);
    assertProblemShape(res);
    assert.equal(res.body.code, 'VALIDATION_FAILED');
    assert.equal(res.body.field, 'querystring/cursor');
    assert.match(res.body.detail, /pass nextCursor/);
  });

  test(
    'a request with a valid session while PostgreSQL is down answers 503 DATABASE_UNAVAILABLE with Retry-After, and works again once it is back',
    limit,
    async () => {
      assert.equal((await owner.call('GET', '/api/v1/me')).status, 200);
      pgDown = true;
      await server.stop();
      const res = await owner.call('GET', '/api/v1/me');
      assert.equal(res.status, 503, res.text);
      assertProblemShape(res);
      assert.equal(res.body.code, 'DATABASE_UNAVAILABLE');
      assert.match(res.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
      assert.doesNotMatch(res.text, /ECONNREFUSED|127\.0\.0\.1|password/, 'no internals in the answer');

      await server.start();
      pgDown = false;
      await waitFor('the session to be found again', async () =>
        (await owner.call('GET', '/api/v1/me')).status === 200 ? true : undefined,
      );
    },
  );
});
