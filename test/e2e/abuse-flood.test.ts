import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditRequestV1 } from '@ocp/contracts';
import { startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { adminQuery, waitFor } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import { type Answer, callFrom, invite, login } from '../support/rbac.ts';

/** A request from a given loopback address (another source to the gateway), with headers. */
function from(
  localAddress: string,
  url: string,
  method = 'GET',
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return callFrom(localAddress, url, method, opts.body, opts.headers);
}

/** The audit entries in the gateway's outbox (published or not) from one source address. */
async function auditFrom(p: Platform, sourceIp: string): Promise<AuditRequestV1[]> {
  const { rows } = await adminQuery<{ data: AuditRequestV1 }>(
    `SELECT payload->'data' AS data FROM ocp_outbox
     WHERE payload->>'type' = 'ocp.audit.request.v1' AND payload->'data'->>'sourceIp' = $1 ORDER BY id`,
    [sourceIp],
    p.gatewayEnv.DATABASE_URL,
  );
  return rows.map((r) => r.data);
}

interface Refusals {
  count: number;
  statuses: Record<string, number>;
  samplePaths: string[];
  windowStartedAt: string;
  windowEndsAt: string;
}
const refusalsOf = (e: AuditRequestV1) => (e.after as { refusals: Refusals }).refusals;

describe('floods of requests', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform({
      gatewayEnv: { RATE_LIMIT_MAX: '30', WEBHOOK_RATE_LIMIT_MAX: '5', AUDIT_REFUSAL_WINDOW_SECONDS: '2' },
    });
  });
  after(async () => p?.close());

  test('past RATE_LIMIT_MAX requests from one address, the API answers 429 problems with Retry-After; other addresses and probes pass', async () => {
    const url = (path: string) => `${p.gateway.url}${path}`;
    const token = { authorization: `Bearer ${p.api.token}` };
    for (let i = 0; i < 30; i++)
      assert.equal((await from('127.0.0.30', url('/api/v1/me'), 'GET', { headers: token })).status, 200);
    const limited = await from('127.0.0.30', url('/api/v1/me'), 'GET', { headers: token });
    assert.equal(limited.status, 429, 'a valid token does not pass the limit of its address');
    assert.equal(limited.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(limited.body.code, 'TOO_MANY_ATTEMPTS');
    assert.equal(limited.body.status, 429);
    assert.equal(limited.body.type, 'https://ocp.local/problems/too-many-attempts');
    assert.equal(limited.body.requestId, limited.requestId);
    assert.match(
      limited.body.detail,
      /more than 30 requests from this address within 60 s; try again in \d+ s/,
    );
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    // An unknown path and /docs count too.
    assert.equal((await from('127.0.0.30', url('/no-such-page'))).status, 429);
    assert.equal((await from('127.0.0.30', url('/docs/json'))).status, 429);
    for (const probe of ['/healthz', '/readyz', '/metrics'])
      assert.equal((await from('127.0.0.30', url(probe))).status, 200, `${probe} is exempt`);
    assert.equal((await from('127.0.0.31', url('/api/v1/me'), 'GET', { headers: token })).status, 200);

    // Webhooks have a budget of their own, spent apart from the API's.
    for (let i = 0; i < 5; i++)
      assert.notEqual((await from('127.0.0.32', url('/webhooks/stripe'), 'POST', { body: {} })).status, 429);
    const hook = await from('127.0.0.32', url('/webhooks/stripe'), 'POST', { body: {} });
    assert.equal(hook.status, 429);
    assert.equal(hook.body.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(hook.headers.get('retry-after')) > 0);
    assert.equal((await from('127.0.0.32', url('/api/v1/me'), 'GET', { headers: token })).status, 200);
  });

  test('refused anonymous requests of one address make one entry and one summary per window, not one entry each', async () => {
    const url = `${p.gateway.url}/api/v1/tenants`;
    const answers: Answer[] = [];
    const began = Date.now();
    for (let i = 0; i < 120; i++)
      answers.push(await from('127.0.0.40', i % 2 ? url : `${url}/${i}`, i % 3 ? 'GET' : 'POST'));
    const windows = Math.floor((Date.now() - began) / 2000) + 1;
    const statuses = answers.map((a) => a.status);
    assert.deepEqual(new Set(statuses), new Set([401, 429]), 'refused without a login, then rate limited');

    // Each window closes with one summary: in the end every refusal is accounted for, by few entries.
    const accounted = (es: AuditRequestV1[]) =>
      es.reduce((n, e) => n + (e.action === 'api.refusals-summary' ? refusalsOf(e).count : 1), 0);
    const entries = await waitFor('the summaries of the windows', async () => {
      const all = await auditFrom(p, '127.0.0.40');
      return accounted(all) === 120 ? all : undefined;
    });
    assert.ok(
      entries.length <= 2 * windows,
      `${entries.length} entries for 120 refusals in ${windows} window(s)`,
    );
    // The first is recorded as it always was, with its request id; the next ones only counted.
    assert.equal(entries[0]!.requestId, answers[0]!.requestId);
    assert.equal(entries[0]!.actor, 'anonymous');
    const summary = entries[1]!;
    assert.equal(summary.action, 'api.refusals-summary');
    assert.equal(summary.outcome, 'denied');
    assert.equal(summary.actor, 'anonymous');
    assert.match(summary.requestId, /^summary:/);
    const r = refusalsOf(summary);
    assert.equal(
      Object.values(r.statuses).reduce((a, b) => a + b, 0),
      r.count,
    );
    assert.ok(r.samplePaths.length > 0 && r.samplePaths.length <= 5, JSON.stringify(r.samplePaths));
    assert.ok(r.samplePaths.every((s) => /^(GET|POST) \/api\/v1\/tenants/.test(s)));
    assert.equal(Date.parse(r.windowEndsAt) - Date.parse(r.windowStartedAt), 2000);
    assert.match(
      summary.reason ?? '',
      new RegExp(`^${r.count} more refused anonymous request\\(s\\) from 127\\.0\\.0\\.40`),
    );
    if (windows === 1) assert.equal(r.count, 119);
    const total429 = entries.reduce(
      (n, e) =>
        n +
        (e.action === 'api.refusals-summary'
          ? (refusalsOf(e).statuses['429'] ?? 0)
          : e.status === 429
            ? 1
            : 0),
      0,
    );
    assert.equal(total429, statuses.filter((s) => s === 429).length, 'the statuses are counted too');
  });

  test('a refusal of a known caller and a checked login stay one entry each', async () => {
    const owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
    const viewer = await invite(owner, 'flood-viewer@example.com', 'viewer');
    const headers = { authorization: `Bearer ${viewer.token}` };
    for (let i = 0; i < 4; i++)
      assert.equal(
        (await from('127.0.0.41', `${p.gateway.url}/api/v1/operators`, 'GET', { headers })).status,
        403,
      );
    for (let i = 0; i < 3; i++)
      assert.equal(
        (
          await from('127.0.0.42', `${p.gateway.url}/api/v1/auth/login`, 'POST', {
            body: { email: viewer.email, password: `wrong guess ${i}` },
          })
        ).status,
        401,
      );
    const forbidden = await auditFrom(p, '127.0.0.41');
    assert.equal(forbidden.length, 4);
    assert.ok(forbidden.every((e) => e.actor === `operator:${viewer.id}` && e.status === 403));
    const logins = await auditFrom(p, '127.0.0.42');
    assert.equal(logins.length, 3);
    assert.ok(logins.every((e) => e.action === 'auth.login' && e.target === `operator:${viewer.id}`));
  });

  test('at a clean stop the open windows are written: no counted refusal is lost', async () => {
    // A second gateway on the same database, so that this test can stop it.
    const gcfg = gatewayConfig({ ...p.gatewayEnv, AUDIT_REFUSAL_WINDOW_SECONDS: '3600' });
    const second = await startGateway(gcfg, createLogger('gateway', gcfg.LOG_LEVEL));
    try {
      for (let i = 0; i < 7; i++)
        assert.equal((await from('127.0.0.43', `${second.url}/api/v1/tokens`)).status, 401);
      assert.equal((await auditFrom(p, '127.0.0.43')).length, 1);
    } finally {
      await second.close();
    }
    const entries = await auditFrom(p, '127.0.0.43');
    assert.equal(entries.length, 2);
    assert.equal(entries[1]!.action, 'api.refusals-summary');
    assert.equal(refusalsOf(entries[1]!).count, 6);
    assert.deepEqual(refusalsOf(entries[1]!).samplePaths, ['GET /api/v1/tokens']);
  });
});
