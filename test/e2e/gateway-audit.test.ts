import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditQueryReplyV1 } from '@ocp/contracts';
import { adminQuery, waitFor } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import {
  type Answer,
  type AuditSubscriber,
  call,
  callFrom,
  cookieCall,
  invite,
  login,
  type SeenAudit,
  type Session,
  subscribeAudit,
} from '../support/rbac.ts';

interface Expect {
  actor: string;
  outcome: 'success' | 'denied' | 'failed';
  action: string;
  target?: string;
  tenantId?: string;
  /** Checks on the entry beyond the common fields. */
  check?: (s: SeenAudit) => void;
}

describe('the audit trail of the gateway', () => {
  let p: Platform;
  let audit: AuditSubscriber;
  let owner: Session;
  /** Every secret the tests handle; none may appear in an audit event. */
  const secrets = new Set<string>();
  const remember = (s: Session) => {
    for (const x of [s.password, s.token, s.csrfToken, s.cookie]) secrets.add(x);
    return s;
  };

  before(async () => {
    p = await startPlatform();
    audit = await subscribeAudit(p.natsAs('admin'));
    owner = remember(await login(p.gateway.url, 'owner@example.com', p.ownerPassword));
    secrets.add(p.ownerPassword);
  });
  after(async () => {
    await audit?.close();
    await p?.close();
  });

  /** Waits for each answer's event and checks there is exactly one, as expected. */
  async function expectEvents(cases: Array<[Answer, Expect]>) {
    await audit.waitFor(cases.map(([res]) => res.requestId));
    for (const [res, want] of cases) {
      const events = audit.forRequest(res.requestId);
      const what = `${want.action} (${res.status})`;
      assert.equal(events.length, 1, `${what}: one event, not ${events.length}`);
      const e = events[0]!;
      assert.equal(e.event.source, 'ocp/gateway');
      assert.equal(e.msgId, e.event.id, 'the event id is the Nats-Msg-Id');
      assert.equal(e.data.actor, want.actor, `${what}: actor`);
      assert.equal(e.data.outcome, want.outcome, `${what}: outcome`);
      assert.equal(e.data.action, want.action, `${what}: action`);
      assert.equal(e.data.status, res.status, `${what}: status`);
      assert.match(e.data.sourceIp, /^127\.0\.0\.\d+$/, `${what}: source address`);
      assert.equal(typeof e.data.userAgent, 'string');
      if (want.target !== undefined) assert.equal(e.data.target, want.target, `${what}: target`);
      if (want.tenantId !== undefined) {
        assert.equal(e.data.tenantId, want.tenantId, `${what}: tenant`);
        assert.equal(e.event.subject, want.tenantId, `${what}: the CloudEvents subject is the tenant`);
      }
      if (want.outcome !== 'success') assert.ok(e.data.reason, `${what}: a refusal or failure says why`);
      want.check?.(e);
    }
  }

  test('every mutating route records exactly one event with its actor and outcome; reads record none', async () => {
    const doc = (await (await fetch(`${p.gateway.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const mutating = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const ownerActor = `operator:${owner.id}`;
    const cases = new Map<string, [Answer, Expect]>();
    const run = async (route: string, res: Answer, want: Expect) => {
      assert.ok(res.requestId, `${route} answers its request id`);
      cases.set(route, [res, want]);
      return res;
    };

    const fresh = remember(await login(p.gateway.url, 'owner@example.com', p.ownerPassword));
    await run(
      'POST /api/v1/auth/login',
      await call(p.gateway.url, undefined, 'POST', '/api/v1/auth/login', {
        email: 'owner@example.com',
        password: p.ownerPassword,
      }),
      { actor: ownerActor, outcome: 'success', action: 'auth.login', target: ownerActor },
    );
    const created = await run(
      'POST /api/v1/tenants',
      await owner.call('POST', '/api/v1/tenants', { slug: 'audited', displayName: 'Audited' }),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'tenant.create',
        check: (e) => assert.equal((e.data.after as { slug: string }).slug, 'audited'),
      },
    );
    const tenantId: string = created.body.tenant.id;
    (cases.get('POST /api/v1/tenants')![1] as Expect).tenantId = tenantId;
    await p.api.waitOperation(created.body.operation.id);
    const read = await owner.call('GET', `/api/v1/tenants/${tenantId}`);
    assert.equal(read.status, 200);

    const suspended = await run(
      'POST /api/v1/tenants/{tenant}/suspend',
      await owner.call('POST', `/api/v1/tenants/audited/suspend`, { reason: 'manual' }),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'tenant.suspend',
        target: `tenant:${tenantId}`,
        tenantId,
        check: (e) => {
          assert.equal((e.data.before as { state: string }).state, 'active');
          assert.ok(e.data.after, 'the tenant after the change');
        },
      },
    );
    await p.api.waitOperation(suspended.body.operation.id);
    const resumed = await run(
      'POST /api/v1/tenants/{tenant}/resume',
      await owner.call('POST', `/api/v1/tenants/${tenantId}/resume`, { reason: 'manual' }),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'tenant.resume',
        tenantId,
        check: (e) =>
          assert.deepEqual((e.data.before as { suspensionReasons: string[] }).suspensionReasons, ['manual']),
      },
    );
    await p.api.waitOperation(resumed.body.operation.id);
    for (const kind of ['checkout', 'portal']) {
      // Without a provider API key the billing service answers 409: a failed request, audited too.
      const link = await owner.call('POST', `/api/v1/tenants/audited/billing/${kind}`, {
        provider: 'stripe',
      });
      assert.ok([200, 409, 503].includes(link.status), link.text);
      await run(`POST /api/v1/tenants/{tenant}/billing/${kind}`, link, {
        actor: ownerActor,
        outcome: link.status < 400 ? 'success' : 'failed',
        action: `billing.${kind}.create`,
        target: `tenant:${tenantId}`,
        tenantId,
      });
    }
    await run(
      'POST /api/v1/tenants/{tenant}/retry',
      await owner.call('POST', `/api/v1/tenants/${tenantId}/retry`),
      {
        actor: ownerActor,
        outcome: 'failed',
        action: 'tenant.retry',
        tenantId,
      },
    );
    // The Odoo routes, answered without any runtime: refusals and failures are recorded too.
    for (const action of ['install', 'upgrade', 'uninstall'])
      await run(
        `POST /api/v1/tenants/{tenant}/modules/{module}/${action}`,
        await owner.call('POST', `/api/v1/tenants/audited/modules/crm/${action}`),
        { actor: ownerActor, outcome: 'failed', action: `tenant.module.${action}`, tenantId },
      );
    const nowhere = crypto.randomUUID();
    await run(
      'POST /api/v1/tenants/{tenant}/duplicate',
      await owner.call('POST', `/api/v1/tenants/${nowhere}/duplicate`, { slug: 'audited-copy' }),
      { actor: ownerActor, outcome: 'failed', action: 'tenant.duplicate', target: `tenant:${nowhere}` },
    );
    await run(
      'POST /api/v1/tenants/{tenant}/rename',
      await owner.call('POST', `/api/v1/tenants/${nowhere}/rename`, { slug: 'audited-new' }),
      { actor: ownerActor, outcome: 'failed', action: 'tenant.rename', target: `tenant:${nowhere}` },
    );
    const masterPassword = 'the master password of a refused runtime';
    secrets.add(masterPassword);
    await run(
      'POST /api/v1/runtimes',
      await owner.call('POST', '/api/v1/runtimes', {
        name: 'audited',
        odooVersion: '18.0',
        rpcUrl: 'ftp://odoo.internal',
        masterPassword,
        dbRole: 'odoo',
        filestorePath: '/var/lib/odoo/filestore',
      }),
      { actor: ownerActor, outcome: 'failed', action: 'runtime.register' },
    );
    for (const action of ['disable', 'template'])
      await run(
        `POST /api/v1/runtimes/{runtime}/${action}`,
        await owner.call('POST', `/api/v1/runtimes/no-such-runtime/${action}`),
        {
          actor: ownerActor,
          outcome: 'failed',
          action: `runtime.${action}`,
          target: 'runtime:no-such-runtime',
        },
      );
    // The backup routes, answered without a backup service (or with nothing to undo): refusals and
    // failures are recorded too.
    await run(
      'POST /api/v1/tenants/{tenant}/undelete',
      await owner.call('POST', `/api/v1/tenants/${tenantId}/undelete`),
      { actor: ownerActor, outcome: 'failed', action: 'tenant.undelete', tenantId },
    );
    await run(
      'POST /api/v1/tenants/{tenant}/backups',
      await owner.call('POST', `/api/v1/tenants/${tenantId}/backups`),
      { actor: ownerActor, outcome: 'failed', action: 'backup.create', tenantId },
    );
    const serverUrl = 'postgres://audited:a-server-password@127.0.0.1:1/postgres';
    secrets.add('a-server-password');
    await run(
      'POST /api/v1/database-servers',
      await owner.call('POST', '/api/v1/database-servers', { name: 'audited', adminUrl: serverUrl }),
      { actor: ownerActor, outcome: 'failed', action: 'database_server.register' },
    );
    await run(
      'POST /api/v1/tenants/{tenant}/move',
      await owner.call('POST', `/api/v1/tenants/${tenantId}/move`, { databaseServerId: nowhere }),
      { actor: ownerActor, outcome: 'failed', action: 'tenant.move', tenantId },
    );
    await run(
      'PUT /api/v1/tenants/{tenant}/backup-window',
      await owner.call('PUT', `/api/v1/tenants/${tenantId}/backup-window`, { windowStart: '02:30' }),
      { actor: ownerActor, outcome: 'failed', action: 'backup.window.set', tenantId },
    );
    await run(
      'POST /api/v1/tenants/{tenant}/domains',
      await owner.call('POST', `/api/v1/tenants/${tenantId}/domains`, { domain: 'erp.audited.example' }),
      { actor: ownerActor, outcome: 'success', action: 'tenant.domains.add', tenantId },
    );
    // Unknown to the tenant: refused before any DNS lookup, and audited as failed all the same.
    await run(
      'POST /api/v1/tenants/{tenant}/domains/{domain}/verify',
      await owner.call('POST', `/api/v1/tenants/${tenantId}/domains/nowhere.example/verify`),
      { actor: ownerActor, outcome: 'failed', action: 'tenant.domains.verify', tenantId },
    );
    await run(
      'DELETE /api/v1/tenants/{tenant}/domains/{domain}',
      await owner.call('DELETE', `/api/v1/tenants/${tenantId}/domains/erp.audited.example`),
      { actor: ownerActor, outcome: 'success', action: 'tenant.domains.remove', tenantId },
    );
    const planLimits = {
      activeUsers: 3,
      databaseBytes: null,
      filestoreBytes: null,
      backupBytes: null,
      backupGenerations: 7,
    };
    await run(
      'PUT /api/v1/plans/{plan}',
      await owner.call('PUT', '/api/v1/plans/audited-plan', { displayName: 'Audited', limits: planLimits }),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'plan.put',
        target: 'plan:audited-plan',
        check: (e) => {
          assert.equal(e.data.before, null, 'a new plan had nothing before');
          assert.equal((e.data.after as { version: number }).version, 1);
        },
      },
    );
    await run('DELETE /api/v1/plans/{plan}', await owner.call('DELETE', '/api/v1/plans/audited-plan'), {
      actor: ownerActor,
      outcome: 'success',
      action: 'plan.delete',
      target: 'plan:audited-plan',
      check: (e) => assert.equal((e.data.before as { name: string }).name, 'audited-plan'),
    });
    await waitFor('the quota service to know the tenant', async () =>
      (await owner.call('GET', `/api/v1/tenants/${tenantId}/quota`)).status === 200 ? true : undefined,
    );
    await run(
      'PUT /api/v1/tenants/{tenant}/quota/override',
      await owner.call('PUT', `/api/v1/tenants/${tenantId}/quota/override`, { limits: { activeUsers: 9 } }),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'quota.override.put',
        tenantId,
        check: (e) => assert.deepEqual((e.data.after as { limits: object }).limits, { activeUsers: 9 }),
      },
    );
    await run(
      'DELETE /api/v1/tenants/{tenant}/quota/override',
      await owner.call('DELETE', `/api/v1/tenants/${tenantId}/quota/override`),
      { actor: ownerActor, outcome: 'success', action: 'quota.override.delete', tenantId },
    );
    // An end in the past: refused (400) and audited as failed.
    await run(
      'PUT /api/v1/tenants/{tenant}/trial',
      await owner.call('PUT', `/api/v1/tenants/${tenantId}/trial`, { endsAt: '2020-01-01T00:00:00Z' }),
      { actor: ownerActor, outcome: 'failed', action: 'quota.trial.put', tenantId },
    );
    // No such tenant: refused (404) before anything is measured.
    await run(
      'POST /api/v1/tenants/{tenant}/usage/measure',
      await owner.call('POST', `/api/v1/tenants/${nowhere}/usage/measure`),
      { actor: ownerActor, outcome: 'failed', action: 'quota.measure' },
    );
    for (const action of ['restore', 'drill'])
      await run(
        `POST /api/v1/backups/{backup}/${action}`,
        await owner.call(
          'POST',
          `/api/v1/backups/${nowhere}/${action}`,
          action === 'restore' ? { tenantId } : undefined,
        ),
        { actor: ownerActor, outcome: 'failed', action: `backup.${action}` },
      );
    await run(
      'POST /api/v1/tenants/import',
      await owner.call('POST', '/api/v1/tenants/import?slug=audited-import', 'PK not a zip', {
        'content-type': 'application/zip',
      }),
      { actor: ownerActor, outcome: 'failed', action: 'tenant.import' },
    );
    await run('DELETE /api/v1/tenants/{tenant}', await owner.call('DELETE', `/api/v1/tenants/${tenantId}`), {
      actor: ownerActor,
      outcome: 'success',
      action: 'tenant.delete',
      tenantId,
    });

    const invited = await run(
      'POST /api/v1/operators',
      await owner.call('POST', '/api/v1/operators', { email: 'audited@example.com', role: 'viewer' }),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'operator.create',
        check: (e) => assert.equal((e.data.after as { email: string }).email, 'audited@example.com'),
      },
    );
    const invitedId: string = invited.body.operator.id;
    secrets.add(invited.body.initialPassword);
    (cases.get('POST /api/v1/operators')![1] as Expect).target = `operator:${invitedId}`;
    await run(
      'PATCH /api/v1/operators/{id}',
      await owner.call('PATCH', `/api/v1/operators/${invitedId}`, { role: 'operator' }),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'operator.update',
        target: `operator:${invitedId}`,
        check: (e) => {
          assert.equal((e.data.before as { role: string }).role, 'viewer');
          assert.equal((e.data.after as { role: string }).role, 'operator');
        },
      },
    );
    const invitee = remember(await login(p.gateway.url, 'audited@example.com', invited.body.initialPassword));
    secrets.add('the new password of audited');
    await run(
      'POST /api/v1/me/password',
      await invitee.call('POST', '/api/v1/me/password', {
        currentPassword: invited.body.initialPassword,
        newPassword: 'the new password of audited',
      }),
      { actor: `operator:${invitedId}`, outcome: 'success', action: 'operator.password-change' },
    );
    const made = await run(
      'POST /api/v1/tokens',
      await owner.call('POST', '/api/v1/tokens', { name: 'audited', scopes: ['tenants:read'] }),
      { actor: ownerActor, outcome: 'success', action: 'token.create' },
    );
    secrets.add(made.body.token);
    (cases.get('POST /api/v1/tokens')![1] as Expect).target = `token:${made.body.apiToken.id}`;
    await run(
      'DELETE /api/v1/tokens/{id}',
      await owner.call('DELETE', `/api/v1/tokens/${made.body.apiToken.id}`),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'token.revoke',
        target: `token:${made.body.apiToken.id}`,
        check: (e) => assert.ok((e.data.after as { revokedAt: string }).revokedAt),
      },
    );
    await run(
      'DELETE /api/v1/operators/{id}/login-lock',
      await owner.call('DELETE', `/api/v1/operators/${invitedId}/login-lock`),
      {
        actor: ownerActor,
        outcome: 'success',
        action: 'operator.login-unlock',
        target: `operator:${invitedId}`,
        check: (e) => assert.equal((e.data.before as { email: string }).email, 'audited@example.com'),
      },
    );
    await run('DELETE /api/v1/operators/{id}', await owner.call('DELETE', `/api/v1/operators/${invitedId}`), {
      actor: ownerActor,
      outcome: 'success',
      action: 'operator.delete',
      check: (e) => assert.equal((e.data.before as { email: string }).email, 'audited@example.com'),
    });
    const verify = await owner.call('POST', '/api/v1/audit/verify', {});
    await run('POST /api/v1/audit/verify', verify, {
      actor: ownerActor,
      outcome: verify.status === 200 ? 'success' : 'failed',
      action: 'audit.verify',
    });
    const list = await owner.call('GET', '/api/v1/tenants');
    assert.equal(list.status, 200);
    await run('POST /api/v1/auth/logout', await fresh.call('POST', '/api/v1/auth/logout'), {
      actor: ownerActor,
      outcome: 'success',
      action: 'auth.logout',
    });

    assert.deepEqual(
      mutating.filter((r) => !cases.has(r)),
      [],
      'every mutating route of the app has a case here',
    );
    await expectEvents([...cases.values()]);
    // And the audit log holds exactly one entry for each of those events.
    const ids = [...cases.values()].flatMap(([res]) =>
      audit.forRequest(res.requestId).map((e) => e.event.id),
    );
    // The audit log as the gateway reads it: over the bus, signed in as the gateway.
    const gateway = await p.busAs('gateway');
    const stored = await waitFor('the audit log to record every request', async () => {
      const seen = new Map<string, number>();
      let cursor: string | null | undefined;
      while (cursor !== null) {
        const page: AuditQueryReplyV1 = await gateway.request('audit.query.v1', {
          limit: 5000,
          ...(cursor ? { cursor } : {}),
        });
        for (const e of page.items) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
        cursor = page.nextCursor;
      }
      return ids.every((id) => seen.has(id)) ? seen : undefined;
    });
    for (const id of ids) assert.equal(stored.get(id), 1, `one audit entry for event ${id}`);
    // The relay publishes in order: the reads came before the last write, so theirs would be here.
    for (const r of [read, list])
      assert.deepEqual(audit.forRequest(r.requestId), [], 'a read records nothing');
  });

  test('each refusal records one denied event, reads included: 401, 403 and 429', async () => {
    const viewer = remember(await invite(owner, 'refused@example.com', 'viewer'));
    const anonymous = await call(p.gateway.url, undefined, 'GET', '/api/v1/tenants');
    // From another address: refusals of anonymous callers after the first of an address and
    // window are summed up in one entry (see the abuse tests), not one each.
    const anonymousWrite = await callFrom('127.0.0.8', `${p.gateway.url}/api/v1/tenants`, 'POST', {});
    const forbiddenRead = await viewer.call('GET', '/api/v1/operators');
    const forbiddenWrite = await viewer.call('POST', '/api/v1/tenants', { slug: 'nope', displayName: 'No' });
    const csrf = await cookieCall(viewer, 'POST', '/api/v1/auth/logout');
    const token = await owner.call('POST', '/api/v1/tokens', {
      name: 'short-lived',
      scopes: ['tenants:read'],
    });
    secrets.add(token.body.token);
    await adminQuery(
      "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
      [token.body.apiToken.id],
      p.gatewayEnv.DATABASE_URL,
    );
    const expired = await call(p.gateway.url, token.body.token, 'GET', '/api/v1/tenants');
    const url = `${p.gateway.url}/api/v1/auth/login`;
    const wrong = await callFrom('127.0.0.7', url, 'POST', { email: viewer.email, password: 'guess 0' });
    for (let i = 1; i < 5; i++)
      await callFrom('127.0.0.7', url, 'POST', { email: viewer.email, password: `guess ${i}` });
    const locked = await callFrom('127.0.0.7', url, 'POST', {
      email: viewer.email,
      password: viewer.password,
    });
    assert.deepEqual(
      [anonymous, anonymousWrite, forbiddenRead, forbiddenWrite, csrf, expired, wrong, locked].map(
        (r) => r.status,
      ),
      [401, 401, 403, 403, 403, 401, 401, 429],
    );
    const v = `operator:${viewer.id}`;
    await expectEvents([
      [anonymous, { actor: 'anonymous', outcome: 'denied', action: 'tenant.list' }],
      [anonymousWrite, { actor: 'anonymous', outcome: 'denied', action: 'tenant.create' }],
      [
        forbiddenRead,
        {
          actor: v,
          outcome: 'denied',
          action: 'operator.list',
          check: (e) => assert.match(e.data.reason ?? '', /operators:read/),
        },
      ],
      [forbiddenWrite, { actor: v, outcome: 'denied', action: 'tenant.create' }],
      [csrf, { actor: v, outcome: 'denied', action: 'auth.logout' }],
      [
        expired,
        {
          actor: `token:${token.body.apiToken.id}`,
          outcome: 'denied',
          action: 'tenant.list',
          check: (e) => assert.match(e.data.reason ?? '', /expired/),
        },
      ],
      [
        wrong,
        {
          actor: 'anonymous',
          outcome: 'denied',
          action: 'auth.login',
          target: v,
          check: (e) => {
            assert.equal(e.data.actorEmail, viewer.email);
            assert.equal(e.data.sourceIp, '127.0.0.7');
          },
        },
      ],
      [locked, { actor: 'anonymous', outcome: 'denied', action: 'auth.login' }],
    ]);
  });

  test('no password, token, CSRF token or cookie appears in an audit event or an error answer', async () => {
    const leaky = 'leaky-password-in-broken-json';
    secrets.add(leaky);
    const broken = await call(
      p.gateway.url,
      undefined,
      'POST',
      '/api/v1/auth/login',
      `{"email":"owner@example.com","password":"${leaky}"`,
    );
    assert.equal(broken.status, 400);
    assert.ok(!broken.text.includes(leaky), `the parse error does not echo the body: ${broken.text}`);
    const long = await owner.call('POST', '/api/v1/me/password', {
      currentPassword: p.ownerPassword,
      newPassword: 'short-leak',
    });
    assert.equal(long.status, 400);
    assert.ok(!long.text.includes('short-leak') && !long.text.includes(p.ownerPassword));
    secrets.add('short-leak');
    await audit.waitFor([broken.requestId, long.requestId]);
    assert.ok(audit.seen.length > 20, `the events of the tests before are here too (${audit.seen.length})`);
    for (const s of audit.seen)
      for (const secret of secrets)
        assert.ok(!s.raw.includes(secret), `event ${s.data.action} (${s.data.requestId}) holds a secret`);
    const ids = audit.seen.map((s) => s.data.requestId);
    assert.equal(new Set(ids).size, ids.length, 'one event per request, never two');
  });

  test('an entry made while NATS is down reaches the AUDIT stream when it is back', async () => {
    await p.nats.stop();
    let res: Answer;
    try {
      // The token lives in the gateway's database: the change and its entry need no NATS.
      res = await owner.call('POST', '/api/v1/tokens', { name: 'offline', scopes: ['tenants:read'] });
      assert.equal(res.status, 201, res.text);
      secrets.add(res.body.token);
    } finally {
      await p.nats.start();
    }
    const later = await subscribeAudit(p.natsAs('admin'));
    try {
      const [e] = await later.waitFor([res.requestId], 30_000);
      assert.equal(e!.data.action, 'token.create');
      assert.equal(e!.data.outcome, 'success');
      assert.ok(!e!.raw.includes(res.body.token));
    } finally {
      await later.close();
    }
  });
});
