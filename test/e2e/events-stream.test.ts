import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { waitFor } from '@ocp/testkit';
import { type Platform, startPlatform } from '../support/platform.ts';
import { cookieCall, invite, login, type Session } from '../support/rbac.ts';
import { isStream, openSse, type SseFrame, type SseRefusal, type SseStream } from '../support/sse.ts';

/**
 * GET /api/v1/events against the real platform: the frames of what the services publish, filtered
 * to what the viewer may see, resumed after Last-Event-ID, ended when the credential ends.
 */

const CAP = 3;

describe('the live event stream (Server-Sent Events)', () => {
  let p: Platform;
  let owner: Session;
  const opened: SseStream[] = [];

  /** Opens a stream that the test expects to be answered 200, waiting for its `ready`. */
  async function stream(auth: { token?: string; cookie?: string; lastEventId?: string }): Promise<SseStream> {
    const s = await openSse(p.gateway.url, '/api/v1/events', auth);
    assert.ok(isStream(s), `refused: ${s.status} ${JSON.stringify((s as SseRefusal).body)}`);
    opened.push(s);
    await s.next('ready frame', (f) => f.event === 'ready');
    return s;
  }

  async function createTenant(slug: string): Promise<{ tenantId: string; operationId: string }> {
    const res = await p.api.call('POST', '/api/v1/tenants', { slug, displayName: slug });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return { tenantId: res.body.tenant.id, operationId: res.body.operation.id };
  }

  async function change(tenantId: string, what: 'suspend' | 'resume'): Promise<string> {
    const res = await p.api.call('POST', `/api/v1/tenants/${tenantId}/${what}`, { reason: 'manual' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const op = await p.api.waitOperation(res.body.operation.id);
    assert.equal(op.state, 'succeeded', JSON.stringify(op));
    return res.body.operation.id;
  }

  const tenantFrame = (tenantId: string, type: string) => (f: SseFrame) =>
    f.event === 'tenant' && f.json.tenantId === tenantId && f.json.type === type;
  const operationFrame = (operationId: string, state: string) => (f: SseFrame) =>
    f.event === 'operation' && f.json.operation.id === operationId && f.json.operation.state === state;

  let a: { tenantId: string; operationId: string };
  let b: { tenantId: string; operationId: string };

  before(async () => {
    p = await startPlatform({
      backup: true,
      gatewayEnv: { EVENTS_HEARTBEAT_MS: '250', EVENTS_MAX_STREAMS_PER_PRINCIPAL: String(CAP) },
    });
    owner = await login(p.gateway.url, 'owner@example.com', p.ownerPassword);
  });
  after(async () => {
    for (const s of opened) s.close();
    await p?.close();
  });

  test('creating a tenant streams its operation through to succeeded, and its activated frame with the tenant', async () => {
    const s = await stream({ token: owner.token });
    assert.match(s.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(s.retry, 3000, 'the stream tells the browser when to reconnect');
    const ready = s.frames.find((f) => f.event === 'ready');
    assert.match(ready?.id ?? '', /^e1\.\d+\.\d+\.\d+$/);
    assert.deepEqual(ready?.json, { replayed: 0 });

    a = await createTenant('sse-alpha');
    const done = await s.next('the provisioning succeeded', operationFrame(a.operationId, 'succeeded'));
    assert.equal(done.json.operation.kind, 'tenant.provision');
    assert.equal(done.json.operation.progress, 100);
    // The same object as GET /api/v1/operations/{id} answers.
    const got = await p.api.call('GET', `/api/v1/operations/${a.operationId}`);
    assert.deepEqual(done.json.operation, got.body);
    const queued = s.frames.findIndex(
      (f) => f.event === 'operation' && f.json.operation.id === a.operationId,
    );
    assert.ok(queued >= 0 && queued < s.frames.indexOf(done), 'earlier states came first');

    const activated = await s.next('the activated frame', tenantFrame(a.tenantId, 'ocp.tenant.activated.v1'));
    assert.equal(activated.json.tenant.state, 'active');
    assert.equal(activated.json.tenant.slug, 'sse-alpha');
    assert.equal(activated.json.operationId, a.operationId);
    assert.match(activated.json.time, /^\d{4}-\d\d-\d\dT/);
    for (const type of ['ocp.tenant.created.v1', 'ocp.tenant.provisioning.v1'])
      assert.ok(s.frames.some(tenantFrame(a.tenantId, type)), type);
    // Every frame carries a resumable id, and they never go back in any stream.
    let last = [0, 0, 0];
    for (const f of s.frames) {
      const seqs = f.id.split('.').slice(1).map(Number);
      assert.equal(seqs.length, 3, f.id);
      assert.ok(
        seqs.every((n, i) => n >= (last[i] ?? 0)),
        `${f.id} goes back from ${last.join('.')}`,
      );
      last = seqs;
    }

    b = await createTenant('sse-beta');
    assert.equal((await p.api.waitOperation(b.operationId)).state, 'succeeded');
    s.close();
  });

  test('a suspension and a resumption stream their frames, with the reason and the state', async () => {
    const s = await stream({ cookie: owner.cookie });
    const suspendOp = await change(a.tenantId, 'suspend');
    const suspended = await s.next('suspended', tenantFrame(a.tenantId, 'ocp.tenant.suspended.v1'));
    assert.equal(suspended.json.tenant.state, 'suspended');
    assert.deepEqual(suspended.json.tenant.suspensionReasons, ['manual']);
    assert.equal(suspended.json.reason, 'manual');
    assert.equal(suspended.json.operationId, suspendOp);
    await s.next('the suspension succeeded', operationFrame(suspendOp, 'succeeded'));

    const resumeOp = await change(a.tenantId, 'resume');
    const resumed = await s.next('resumed', tenantFrame(a.tenantId, 'ocp.tenant.resumed.v1'));
    assert.equal(resumed.json.tenant.state, 'active');
    await s.next('the resumption succeeded', operationFrame(resumeOp, 'succeeded'));
    s.close();
  });

  test('an account limited to tenant A receives nothing about tenant B', async () => {
    const limited = await invite(owner, 'sse-limited@example.com', 'operator', [a.tenantId]);
    // The browser's way: the session cookie, no CSRF for a GET.
    const s = await stream({ cookie: limited.cookie });
    // B's changes first, then A's: once A's frames are in, B's events have passed this stream.
    await change(b.tenantId, 'suspend');
    await change(b.tenantId, 'resume');
    const suspendA = await change(a.tenantId, 'suspend');
    await s.next('A suspended', tenantFrame(a.tenantId, 'ocp.tenant.suspended.v1'));
    await s.next("A's suspension succeeded", operationFrame(suspendA, 'succeeded'));
    await change(a.tenantId, 'resume');
    await s.next('A resumed', tenantFrame(a.tenantId, 'ocp.tenant.resumed.v1'));

    const aboutB = s.frames.filter(
      (f) => f.json?.tenantId === b.tenantId || f.json?.operation?.tenantId === b.tenantId,
    );
    assert.deepEqual(aboutB, []);
    // The owner's stream over the same time would have carried B: the filter, not quiet, kept them out.
    assert.ok(s.frames.every((f) => ['ready', 'tenant', 'operation'].includes(f.event)));
    s.close();
  });

  test('an account without operations:read receives tenant frames but no operation frames', async () => {
    const billing = await invite(owner, 'sse-billing@example.com', 'billing');
    const s = await stream({ token: billing.token });
    const op = await change(a.tenantId, 'suspend');
    await s.next('A suspended', tenantFrame(a.tenantId, 'ocp.tenant.suspended.v1'));
    await change(a.tenantId, 'resume');
    await s.next('A resumed', tenantFrame(a.tenantId, 'ocp.tenant.resumed.v1'));
    assert.ok(!s.frames.some((f) => f.event === 'operation'), `operation ${op} reached a billing account`);
    s.close();
  });

  test('a caller without tenants:read is refused with 403, and one without credentials with 401', async () => {
    const made = await owner.call('POST', '/api/v1/tokens', {
      name: 'sse-ops-only',
      scopes: ['operations:read'],
      expiresInDays: 1,
    });
    assert.equal(made.status, 201, made.text);
    const refused = await openSse(p.gateway.url, '/api/v1/events', { token: made.body.token });
    assert.equal(refused.status, 403);
    assert.equal((refused as SseRefusal).body.permission, 'tenants:read');
    const anonymous = await openSse(p.gateway.url, '/api/v1/events', {});
    assert.equal(anonymous.status, 401);
  });

  test('a reconnect with the last id received replays exactly the frames missed, final states included', async () => {
    const witness = await stream({ token: owner.token });
    const away = await stream({ token: owner.token });
    const lastId = away.lastEventId;
    assert.match(lastId, /^e1\./);
    away.close();
    await away.ended;

    const suspendOp = await change(a.tenantId, 'suspend');
    const resumeOp = await change(a.tenantId, 'resume');
    await witness.next('the resumption succeeded', operationFrame(resumeOp, 'succeeded'));
    await witness.next('A resumed', tenantFrame(a.tenantId, 'ocp.tenant.resumed.v1'));

    const back = await stream({ token: owner.token, lastEventId: lastId });
    const readyAt = back.frames.findIndex((f) => f.event === 'ready');
    const replayed = back.frames.slice(0, readyAt);
    const ready = back.frames[readyAt] as SseFrame;
    assert.equal(ready.json.replayed, replayed.length);
    const upTo = ready.id.split('.').slice(1).map(Number);
    const from = lastId.split('.').slice(1).map(Number);
    // The witness, live all along, has passed where the replay ended in every stream.
    const position = (id: string) => id.split('.').slice(1).map(Number);
    await witness.until('the witness to pass the resumed position', () =>
      position(witness.lastEventId).every((n, i) => n >= (upTo[i] ?? 0)),
    );
    const index = { tenant: 0, operation: 1, backup: 2 } as const;
    const within = (f: SseFrame) => {
      const i = index[f.event as keyof typeof index];
      if (i === undefined) return false;
      const seq = position(f.id)[i] ?? 0;
      return seq > (from[i] ?? 0) && seq <= (upTo[i] ?? 0);
    };
    const byKind = (frames: SseFrame[]) =>
      Object.fromEntries(
        Object.keys(index).map((k) => [
          k,
          frames.filter((f) => f.event === k && within(f)).map((f) => f.data),
        ]),
      );
    assert.ok(replayed.length >= 4, `replayed only ${replayed.length}`);
    assert.deepEqual(
      byKind(replayed),
      byKind(witness.frames),
      'the replay is what the live stream sent meanwhile',
    );
    assert.ok(replayed.every(within), 'nothing from before the last id, nothing twice');
    assert.ok(replayed.some(operationFrame(suspendOp, 'succeeded')));
    assert.ok(replayed.some(operationFrame(resumeOp, 'succeeded')), 'the final state is replayed');
    assert.ok(replayed.some(tenantFrame(a.tenantId, 'ocp.tenant.resumed.v1')));

    // After the replay the stream is live again.
    const again = await change(a.tenantId, 'suspend');
    await back.next('live after the replay', operationFrame(again, 'succeeded'), { from: readyAt });
    await change(a.tenantId, 'resume');
    witness.close();
    back.close();
  });

  test('a Last-Event-ID that is malformed, unknown or no longer kept gets a reset frame, then the live stream', async () => {
    for (const [lastEventId, reason] of [
      ['garbage', 'malformed'],
      ['e1.1.2', 'malformed'],
      ['e1.999999999.0.0', 'unknown'],
    ] as const) {
      const s = await stream({ token: owner.token, lastEventId });
      const reset = s.frames.find((f) => f.event === 'reset');
      assert.ok(reset, `${lastEventId}: no reset frame`);
      assert.equal(reset.json.reason, reason, lastEventId);
      assert.equal(typeof reset.json.detail, 'string');
      assert.ok(s.frames.indexOf(reset) < s.frames.findIndex((f) => f.event === 'ready'));
      s.close();
    }
    // A gateway that replays nothing resets every resume that has something to replay.
    const strict = await startGateway(
      gatewayConfig({ ...p.gatewayEnv, EVENTS_REPLAY_MAX: '0' }),
      createLogger('gateway-strict', 'warn'),
    );
    try {
      const s = await openSse(strict.url, '/api/v1/events', { token: owner.token, lastEventId: 'e1.0.0.0' });
      assert.ok(isStream(s));
      opened.push(s);
      const reset = await s.next('a reset frame', (f) => f.event === 'reset');
      assert.equal(reset.json.reason, 'too_far');
      assert.match(reset.json.detail, /more than the 0 a reconnect replays/);
      s.close();
    } finally {
      await strict.close();
    }
    // The first tenant event gone from its stream: a cursor before it cannot be resumed.
    const admin = await p.connectNats('admin');
    try {
      const jsm = await jetstreamManager(admin);
      const { state } = await jsm.streams.info('EVENTS_TENANT');
      await jsm.streams.deleteMessage('EVENTS_TENANT', state.first_seq);
      const s = await stream({ token: owner.token, lastEventId: `e1.${state.first_seq - 1}.0.0` });
      const reset = s.frames.find((f) => f.event === 'reset');
      assert.equal(reset?.json.reason, 'expired', JSON.stringify(s.frames));
      // It goes on live.
      const op = await change(a.tenantId, 'suspend');
      await s.next('live after the reset', operationFrame(op, 'succeeded'));
      await change(a.tenantId, 'resume');
      s.close();
    } finally {
      await admin.close();
    }
  });

  test('ending the session closes its stream with a close frame; so does revoking a token', async () => {
    const viewer = await invite(owner, 'sse-viewer@example.com', 'viewer');
    const s = await stream({ cookie: viewer.cookie });
    const out = await cookieCall(viewer, 'POST', '/api/v1/auth/logout', undefined, {
      csrf: viewer.csrfToken,
    });
    assert.equal(out.status, 204);
    const closing = await s.next('a close frame', (f) => f.event === 'close');
    assert.deepEqual(closing.json, { reason: 'unauthenticated' });
    await s.ended;

    const made = await owner.call('POST', '/api/v1/tokens', {
      name: 'sse-revoked',
      scopes: ['tenants:read'],
      expiresInDays: 1,
    });
    assert.equal(made.status, 201, made.text);
    const t = await stream({ token: made.body.token });
    assert.equal((await owner.call('DELETE', `/api/v1/tokens/${made.body.apiToken.id}`)).status, 204);
    assert.deepEqual((await t.next('a close frame', (f) => f.event === 'close')).json, {
      reason: 'unauthenticated',
    });
    await t.ended;
  });

  test(`an account holds at most ${CAP} streams at once: one more is a 429 problem, and a closed one frees its place`, async () => {
    const op = await invite(owner, 'sse-tabs@example.com', 'operator');
    const tabs: SseStream[] = [];
    for (let i = 0; i < CAP; i++) tabs.push(await stream({ token: op.token }));
    const refused = (await openSse(p.gateway.url, '/api/v1/events', { token: op.token })) as SseRefusal;
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(refused.body.code, 'TOO_MANY_ATTEMPTS');
    assert.equal(refused.body.limit, CAP);
    assert.match(refused.body.detail, /event streams open/);
    // Another account is not held back by it.
    const other = await stream({ token: owner.token });

    const metric = async () => {
      const text = await (await fetch(`${p.gateway.url}/metrics`)).text();
      return Number(/^ocp_gateway_event_streams_open(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1]);
    };
    await waitFor('the gauge to count the open streams', async () =>
      (await metric()) === CAP + 1 ? true : undefined,
    );

    tabs[0]?.close();
    const fourth = await waitFor('a place to free up', async () => {
      const s = await openSse(p.gateway.url, '/api/v1/events', { token: op.token });
      return isStream(s) ? s : undefined;
    });
    opened.push(fourth);
    await fourth.next('ready', (f) => f.event === 'ready');
    for (const s of [...tabs, fourth, other]) s.close();
    await waitFor('the gauge to fall back', async () => ((await metric()) === 0 ? true : undefined));
  });

  test('a backup streams its operation and its completed frame', async () => {
    const s = await stream({ token: owner.token });
    const res = await p.api.call('POST', `/api/v1/tenants/${a.tenantId}/backups`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const done = await s.next(
      'the backup operation succeeded',
      operationFrame(res.body.operation.id, 'succeeded'),
      { timeoutMs: 60_000 },
    );
    assert.equal(done.json.operation.kind, 'backup.run');
    const completed = await s.next(
      'the backup completed',
      (f) => f.event === 'backup' && f.json.type === 'ocp.backup.completed.v1',
      { timeoutMs: 60_000 },
    );
    assert.equal(completed.json.tenantId, a.tenantId);
    assert.equal(completed.json.backup.state, 'succeeded');
    assert.equal(completed.json.backup.operationId, res.body.operation.id);
    s.close();
  });

  test('a message on an event stream that is no valid event is passed over, live and in a replay, and the stream goes on', async () => {
    const s = await stream({ token: owner.token });
    const before = s.lastEventId;
    const tenant = await p.connectNats('tenant');
    try {
      const js = jetstream(tenant);
      await js.publish('events.tenant.suspended.v1', new TextEncoder().encode('not json'));
      await js.publish(
        'events.tenant.suspended.v1',
        new TextEncoder().encode(
          JSON.stringify({ specversion: '1.0', type: 'ocp.tenant.suspended.v1', data: {} }),
        ),
      );
    } finally {
      await tenant.close();
    }
    const op = await change(a.tenantId, 'suspend');
    await s.next('A suspended after them', tenantFrame(a.tenantId, 'ocp.tenant.suspended.v1'));
    await s.next('its operation', operationFrame(op, 'succeeded'));
    await change(a.tenantId, 'resume');
    await s.next('A resumed', tenantFrame(a.tenantId, 'ocp.tenant.resumed.v1'));
    assert.ok(s.frames.every((f) => f.json !== undefined && f.event !== 'message'));
    s.close();
    // The same messages, read again by a resume.
    const back = await stream({ token: owner.token, lastEventId: before });
    assert.ok(!back.frames.some((f) => f.event === 'reset'), JSON.stringify(back.frames));
    assert.ok(back.frames.some(tenantFrame(a.tenantId, 'ocp.tenant.resumed.v1')));
    back.close();
  });

  test('the live readings and the replays use nothing NATS refuses the gateway', async () => {
    assert.doesNotMatch(await p.nats.log(), /Violation/i);
  });

  // With a stop deadline far beyond the test's time limit, a stop that waits on an open stream (or
  // on the feed's readings) fails the test instead of being cut short by the deadline.
  test('a gateway that stops ends its open streams with a close frame instead of waiting on them', {
    timeout: 60_000,
  }, async () => {
    const second = await startGateway(
      gatewayConfig({ ...p.gatewayEnv, SHUTDOWN_TIMEOUT_MS: '600000' }),
      createLogger('gateway-2', 'warn'),
    );
    let closed = false;
    try {
      const s = await openSse(second.url, '/api/v1/events', { token: owner.token });
      assert.ok(isStream(s));
      await s.next('ready', (f) => f.event === 'ready');
      await second.close();
      closed = true;
      assert.deepEqual((await s.next('a close frame', (f) => f.event === 'close')).json, {
        reason: 'shutdown',
      });
      await s.ended;
    } finally {
      if (!closed) await second.close();
    }
  });
});
