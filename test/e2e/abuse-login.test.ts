import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditRequestV1 } from '@ocp/contracts';
import { startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { adminQuery } from '@ocp/testkit';
import { type Platform, preparePlatform, startPlatform } from '../support/platform.ts';
import { callFrom, invite, login, type Session } from '../support/rbac.ts';

/** The audit entries of one request in the gateway's outbox. */
async function auditOf(p: Platform, requestId: string): Promise<AuditRequestV1[]> {
  const { rows } = await adminQuery<{ data: AuditRequestV1 }>(
    `SELECT payload->'data' AS data FROM ocp_outbox
     WHERE payload->>'type' = 'ocp.audit.request.v1' AND payload->'data'->>'requestId' = $1`,
    [requestId],
    p.gatewayEnv.DATABASE_URL,
  );
  return rows.map((r) => r.data);
}

describe('login locks and passwords', () => {
  let p: Platform;
  let owner: Session;
  const attempt = (email: string, password: string, from: string) =>
    callFrom(from, `${p.gateway.url}/api/v1/auth/login`, 'POST', { email, password });

  before(async () => {
    p = await startPlatform({ gatewayEnv: { LOGIN_ACCOUNT_MAX_FAILURES: '12' } });
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
  });
  after(async () => p?.close());

  test("an attacker who knows the last owner's email locks it only at the attacker's address", async () => {
    for (let i = 0; i < 5; i++)
      assert.equal((await attempt('owner@example.com', `guess number ${i}`, '127.0.0.20')).status, 401);
    const locked = await attempt('owner@example.com', p.ownerPassword, '127.0.0.20');
    assert.equal(locked.status, 429);
    assert.equal(locked.body.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    // The owner, at their own address, still logs in.
    assert.equal((await attempt('owner@example.com', p.ownerPassword, '127.0.0.21')).status, 200);
  });

  test('past the ceiling, failures from many addresses lock the account everywhere, until an owner lifts it (audited)', async () => {
    const s = await invite(owner, 'ceiling@example.com', 'operator');
    // Four addresses, three failures each: no address reaches its own limit, the account its ceiling.
    for (const from of ['127.0.0.22', '127.0.0.23', '127.0.0.24', '127.0.0.25'])
      for (let i = 0; i < 3; i++)
        assert.equal((await attempt(s.email, `wrong ${from} ${i}`, from)).status, 401);
    assert.equal((await attempt(s.email, s.password, '127.0.0.26')).status, 429, 'locked everywhere');

    const unlock = await owner.call('DELETE', `/api/v1/operators/${s.id}/login-lock`);
    assert.equal(unlock.status, 204, unlock.text);
    assert.equal((await attempt(s.email, s.password, '127.0.0.26')).status, 200, 'the lock is lifted');
    const [entry] = await auditOf(p, unlock.requestId);
    assert.ok(entry, 'the unlock is audited');
    assert.equal(entry.action, 'operator.login-unlock');
    assert.equal(entry.actor, `operator:${owner.id}`);
    assert.equal(entry.target, `operator:${s.id}`);
    assert.equal(entry.outcome, 'success');
    assert.deepEqual(entry.before, { email: s.email, activeLoginLocks: 1 });
  });

  test('an owner lifts a lock at one address too; it needs operators:unlock, and a service account has none', async () => {
    const s = await invite(owner, 'pair-locked@example.com', 'viewer');
    for (let i = 0; i < 5; i++) await attempt(s.email, `wrong ${i}`, '127.0.0.27');
    assert.equal((await attempt(s.email, s.password, '127.0.0.27')).status, 429);

    const refused = await s.call('DELETE', `/api/v1/operators/${s.id}/login-lock`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.permission, 'operators:unlock');
    assert.equal((await attempt(s.email, s.password, '127.0.0.27')).status, 429, 'still locked');

    assert.equal((await owner.call('DELETE', `/api/v1/operators/${s.id}/login-lock`)).status, 204);
    assert.equal((await attempt(s.email, s.password, '127.0.0.27')).status, 200);

    const missing = await owner.call(
      'DELETE',
      '/api/v1/operators/4a4ad3b5-52a4-4a37-9a0a-7d3cbd9f3f0e/login-lock',
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'OPERATOR_NOT_FOUND');
    const token = await owner.call('POST', '/api/v1/tokens', {
      name: 'robot',
      scopes: ['tenants:read'],
      serviceAccount: 'robot',
    });
    assert.equal(token.status, 201, token.text);
    const robot = await owner.call('GET', '/api/v1/operators?kind=service');
    const robotId = robot.body.items[0].id as string;
    const service = await owner.call('DELETE', `/api/v1/operators/${robotId}/login-lock`);
    assert.equal(service.status, 409);
    assert.match(service.body.detail, /service account does not log in/);
  });

  test('a weak new password is refused with the reason, in the words of the estimator', async () => {
    const s = await invite(owner, 'weak@example.com', 'operator');
    const change = (newPassword: string) =>
      s.call('POST', '/api/v1/me/password', { currentPassword: s.password, newPassword });
    for (const [weak, why] of [
      ['aaaaaaaaaaaa', /Repeated characters like "aaa" are easy to guess/],
      ['password1234', /similar to a commonly used password/],
      ['qwertzuiop1234', /Straight rows of keys/],
      ['abcdefghijklmn', /Common character sequences/],
      ['weak@example.com', /personal|page related/i],
    ] as const) {
      const res = await change(weak);
      assert.equal(res.status, 400, `${weak}: ${res.text}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.equal(res.body.field, 'body/newPassword');
      assert.match(
        res.body.detail,
        /^body\/newPassword is too easy to guess \(strength [0-2] of 4, at least 3 is needed\)/,
      );
      assert.match(res.body.detail, why);
      if (weak !== s.email) assert.ok(!res.text.includes(weak), 'the password is not echoed');
    }
    assert.equal((await attempt(s.email, s.password, '127.0.0.28')).status, 200, 'the old one stays');
    assert.equal((await change('violet ocean tractor lamp')).status, 204);
  });
});

test('a weak BOOTSTRAP_OWNER_PASSWORD stops the first start, saying why and never showing it', async () => {
  const env = await preparePlatform({ gatewayEnv: { BOOTSTRAP_OWNER_PASSWORD: 'password1234' } });
  try {
    const cfg = gatewayConfig(env.gatewayEnv);
    await assert.rejects(
      async () => {
        const g = await startGateway(cfg, createLogger('gateway', 'fatal'));
        await g.close();
      },
      (err: Error) => {
        assert.match(err.message, /^BOOTSTRAP_OWNER_PASSWORD is too easy to guess/);
        assert.match(err.message, /leave it unset to have one generated/);
        assert.ok(!err.message.includes('password1234'), 'the password is not in the message');
        return true;
      },
    );
    const { rows } = await adminQuery('SELECT 1 FROM operators', [], env.gatewayEnv.DATABASE_URL);
    assert.equal(rows.length, 0, 'no owner was made');
  } finally {
    await env.dispose();
  }
});
