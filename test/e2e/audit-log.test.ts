import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { type Bus, createBus, type RpcError } from '@ocp/bus';
import {
  type AuditEntry,
  type AuditQueryRequestV1,
  type AuditRequestV1,
  type CloudEvent,
  makeEvent,
  messages,
  streams,
} from '@ocp/contracts';
import { adminQuery, uniqueName, waitFor } from '@ocp/testkit';
import pg from 'pg';
import { pino } from 'pino';
import { type Platform, startPlatform } from '../support/platform.ts';

const limit = { timeout: 120_000 };
const enc = new TextEncoder();

/** A client of the audit service of its own, as the gateway is: the bus, over its own connection. */
interface Client {
  nc: NatsConnection;
  bus: Bus;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

async function client(p: Platform): Promise<Client> {
  // The admin: it calls the audit methods as the gateway does, and inspects and tampers with streams.
  const nc = await p.connectNats('admin', { maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const bus = await createBus({ nc, logger: pino({ level: 'warn' }), service: 'audit-test' });
  return {
    nc,
    bus,
    jsm: await jetstreamManager(nc),
    async close() {
      await bus.close();
      await nc.close();
    },
  };
}

const query = (c: Client, req: AuditQueryRequestV1) =>
  c.bus.request('audit.query.v1', req, { timeoutMs: 10_000 });
const verify = (c: Client, req: { fromSeq?: number; toSeq?: number } = {}) =>
  c.bus.request('audit.verify.v1', req, { timeoutMs: 30_000 });
/** What verify says of the chain alone, without its report on the last checkpoint. */
const chainOf = async (reply: ReturnType<typeof verify>) => {
  const { checkpoint: _, ...chain } = await reply;
  return chain;
};

/** Every entry that passes the filter, page after page. */
async function all(c: Client, filter: Omit<AuditQueryRequestV1, 'limit' | 'cursor'>, pageSize = 500) {
  const out: AuditEntry[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await query(c, { ...filter, limit: pageSize, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

/** Every event a stream holds, in stream order. */
async function streamEvents(c: Client, stream: string): Promise<CloudEvent[]> {
  const { state } = await c.jsm.streams.info(stream);
  const out: CloudEvent[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await c.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (m) out.push(m.json<CloudEvent>());
  }
  return out;
}

/** The distinct event ids of the audited streams, and the ids in the log, once the log has them all. */
async function logHasEveryEvent(c: Client) {
  return await waitFor(
    'every event of the audited streams in the log',
    async () => {
      const events = (
        await Promise.all(
          [streams.tenantEvents, streams.operationEvents, streams.audit].map((s) => streamEvents(c, s.name)),
        )
      ).flat();
      const ids = new Set(events.map((e) => e.id));
      const entries = await all(c, {}, 5000);
      const logged = entries.map((e) => e.id);
      return logged.length === ids.size && logged.every((id) => ids.has(id)) ? { ids, entries } : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

async function create(p: Platform, slug: string): Promise<{ id: string }> {
  const res = await p.api.call('POST', '/api/v1/tenants', { slug, displayName: `Tenant ${slug}` });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal((await p.api.waitOperation(res.body.operation.id)).state, 'succeeded');
  return res.body.tenant;
}

async function change(p: Platform, method: string, path: string, body?: unknown): Promise<void> {
  const res = await p.api.call(method, path, body);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.equal((await p.api.waitOperation(res.body.operation.id)).state, 'succeeded');
}

/** The lifecycle entries of a tenant (not its operations' progress), once there are `count`. */
async function lifecycleEntries(c: Client, tenantId: string, count: number): Promise<AuditEntry[]> {
  return await waitFor(`${count} lifecycle entries of tenant ${tenantId}`, async () => {
    const entries = (await all(c, { tenantId })).filter((e) => e.type.startsWith('ocp.tenant.'));
    return entries.length >= count ? entries : undefined;
  });
}

/** A request as the gateway reports it. */
function request(over: Partial<AuditRequestV1> & { time?: Date } = {}): CloudEvent<'ocp.audit.request.v1'> {
  const { time, ...data } = over;
  return makeEvent(
    'ocp.audit.request.v1',
    {
      actor: 'operator:someone',
      action: 'tenant.suspend',
      target: null,
      tenantId: null,
      outcome: 'success',
      status: 202,
      method: 'POST',
      path: '/api/v1/tenants/x/suspend',
      requestId: randomUUID(),
      sourceIp: '127.0.0.1',
      userAgent: 'audit-test',
      ...data,
    },
    { source: 'ocp/gateway', ...(time ? { time } : {}) },
  );
}

const auditSubject = messages['ocp.audit.request.v1'].subject;

describe('the audit log of the platform', () => {
  let p: Platform;
  let c: Client;
  before(async () => {
    // A short ack wait: the few events in flight to a stopped audit service come back sooner.
    p = await startPlatform({ auditEnv: { ACK_WAIT_MS: '3000' } });
    c = await client(p);
  });
  after(async () => {
    await c?.close();
    await p?.close();
  });

  test(
    'every lifecycle event of a tenant becomes exactly one entry, in order, by system:tenant about the tenant, and the chain verifies',
    limit,
    async () => {
      const t = await create(p, 'logged');
      await change(p, 'POST', `/api/v1/tenants/${t.id}/suspend`, { reason: 'manual' });
      await change(p, 'POST', `/api/v1/tenants/${t.id}/resume`, { reason: 'manual' });
      await change(p, 'DELETE', `/api/v1/tenants/${t.id}`);

      const entries = await lifecycleEntries(c, t.id, 7);
      const published = (await streamEvents(c, streams.tenantEvents.name)).filter((e) => e.subject === t.id);
      assert.deepEqual(
        entries.map((e) => e.id),
        published.map((e) => e.id),
        'one entry per event, in stream order',
      );
      assert.deepEqual(
        entries.map((e) => e.action),
        [
          'tenant.created',
          'tenant.provisioning',
          'tenant.activated',
          'tenant.suspended',
          'tenant.resumed',
          'tenant.deleting',
          'tenant.deleted',
        ],
      );
      for (const [i, e] of entries.entries()) {
        assert.equal(e.actor, 'system:tenant');
        assert.equal(e.tenantId, t.id);
        assert.equal(e.target, `tenant:${t.id}`);
        assert.equal(e.outcome, 'success');
        assert.equal(e.source, 'ocp/tenant');
        assert.deepEqual(e.data, published[i]?.data);
        if (i > 0) assert.ok(e.seq > entries[i - 1]!.seq, 'entries come in chain order');
      }
      // The operations' progress is there too, each update once, by the operation.
      const updates = await waitFor('every operation update of the tenant', async () => {
        const published = (await streamEvents(c, streams.operationEvents.name)).filter(
          (e) => e.subject === t.id,
        );
        const logged = await all(c, { tenantId: t.id, action: 'operation.updated' });
        const same = logged.map((e) => e.id).join() === published.map((e) => e.id).join();
        return same && published.length >= 4 ? logged : undefined;
      });
      for (const e of updates) {
        const op = (e.data as { operation: { id: string } }).operation;
        assert.equal(e.target, `operation:${op.id}`);
        assert.equal(e.actor, 'system:tenant');
      }

      const result = await verify(c);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(result.fromSeq, 1);
      assert.equal(result.checked, result.toSeq);
    },
  );

  test(
    'an event delivered twice, or replayed from the start of its stream, becomes one entry',
    limit,
    async () => {
      const event = request({ actor: `operator:${uniqueName('dup')}` });
      const payload = enc.encode(JSON.stringify(event));
      // Two message ids, so that JetStream keeps both and the audit service sees the event twice.
      await c.bus.publishRaw(auditSubject, payload, `${event.id}:first`);
      await c.bus.publishRaw(auditSubject, payload, `${event.id}:again`);
      const copies = (await streamEvents(c, streams.audit.name)).filter((e) => e.id === event.id);
      assert.equal(copies.length, 2, 'the stream holds the event twice');
      await waitFor('the entry', async () =>
        (await all(c, { actor: event.data.actor })).length ? true : undefined,
      );

      // Replay: with its consumers gone, the service starts again from the first event of every stream.
      const before = await logHasEveryEvent(c);
      await p.stopAudit();
      await c.jsm.consumers.delete(streams.tenantEvents.name, 'audit-tenant-events');
      await c.jsm.consumers.delete(streams.operationEvents.name, 'audit-operation-events');
      await c.jsm.consumers.delete(streams.audit.name, 'audit-requests');
      await p.startAudit();
      await waitFor('the replay to be acked', async () => {
        for (const [stream, durable] of [
          [streams.tenantEvents, 'audit-tenant-events'],
          [streams.operationEvents, 'audit-operation-events'],
          [streams.audit, 'audit-requests'],
        ] as const) {
          const info = await c.jsm.consumers.info(stream.name, durable).catch(() => undefined);
          if (!info || info.num_pending > 0 || info.num_ack_pending > 0) return undefined;
        }
        return true;
      });

      const { entries } = await logHasEveryEvent(c);
      assert.equal(entries.length, before.entries.length, 'the replay added nothing');
      assert.deepEqual(
        (await all(c, { actor: event.data.actor })).map((e) => e.id),
        [event.id],
      );
      assert.equal((await verify(c)).ok, true);
    },
  );

  test(
    'gateway requests become entries with their actor, action, outcome and tenant, and the filters and cursor return exactly the ones asked for',
    limit,
    async () => {
      const alice = `operator:${uniqueName('alice')}`;
      const bob = `operator:${uniqueName('bob')}`;
      const [t1, t2, t3] = [randomUUID(), randomUUID(), randomUUID()];
      const at = (minute: number) => new Date(Date.UTC(2021, 0, 1, 12, minute));
      const sent = [
        request({ actor: alice, action: 'tenant.create', tenantId: t1, target: `tenant:${t1}`, time: at(0) }),
        request({
          actor: alice,
          action: 'tenant.suspend',
          tenantId: t1,
          outcome: 'denied',
          status: 403,
          reason: 'the operator role may not suspend tenants',
          time: at(10),
        }),
        request({ actor: bob, action: 'tenant.suspend', tenantId: t2, time: at(20) }),
        request({
          actor: bob,
          action: 'tenant.delete',
          tenantId: t3,
          outcome: 'failed',
          status: 500,
          time: at(30),
        }),
        request({
          actor: alice,
          action: 'tenant.suspend',
          tenantId: t2,
          outcome: 'denied',
          status: 403,
          time: at(40),
        }),
        request({ actor: 'anonymous', action: 'auth.login', outcome: 'denied', status: 401, time: at(50) }),
      ];
      for (const e of sent) await c.bus.publish(e);
      const mine = (e: AuditEntry) => sent.some((s) => s.id === e.id);
      const entries = await waitFor('the requests in the log', async () => {
        const found = (await all(c, { from: at(0).toISOString(), to: at(60).toISOString() })).filter(mine);
        return found.length === sent.length ? found : undefined;
      });

      assert.deepEqual(
        entries.map((e) => e.id),
        sent.map((e) => e.id),
        'in the order they were published',
      );
      for (const [i, e] of entries.entries()) {
        const s = sent[i]!;
        assert.equal(e.type, 'ocp.audit.request.v1');
        assert.equal(e.source, 'ocp/gateway');
        assert.equal(e.actor, s.data.actor);
        assert.equal(e.action, s.data.action);
        assert.equal(e.outcome, s.data.outcome);
        assert.equal(e.tenantId, s.data.tenantId);
        assert.equal(e.target, s.data.target);
        assert.equal(e.time, s.time);
        assert.deepEqual(e.data, s.data);
      }
      const ids = async (filter: Omit<AuditQueryRequestV1, 'limit'>) =>
        (await all(c, filter)).filter(mine).map((e) => sent.findIndex((s) => s.id === e.id));

      assert.deepEqual(await ids({ actor: alice }), [0, 1, 4]);
      assert.deepEqual(await ids({ tenantId: t1 }), [0, 1]);
      assert.deepEqual(await ids({ tenantIds: [t2, t3] }), [2, 3, 4]);
      assert.deepEqual(await ids({ tenantId: t2, tenantIds: [t1, t2] }), [2, 4]);
      assert.deepEqual(await ids({ action: 'tenant.suspend', outcome: 'denied' }), [1, 4]);
      assert.deepEqual(await ids({ outcome: 'failed', from: at(0).toISOString() }), [3]);
      assert.deepEqual(
        await ids({ from: at(10).toISOString(), to: at(30).toISOString() }),
        [1, 2],
        'from is inclusive, to exclusive',
      );
      assert.deepEqual(await ids({ actor: 'anonymous', action: 'auth.login' }), [5]);

      // The cursor: pages of 2 through alice's requests, each page after the last one's.
      const pages: AuditEntry[][] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await query(c, { actor: alice, limit: 2, ...(cursor ? { cursor } : {}) });
        pages.push(page.items);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(
        pages.map((page) => page.map((e) => e.id)),
        [[sent[0]!.id, sent[1]!.id], [sent[4]!.id]],
      );
      // Newest first, pages of 2: the same entries, reversed; its cursor does not go on oldest first.
      const newest: AuditEntry[][] = [];
      cursor = undefined;
      for (;;) {
        const page = await query(c, { actor: alice, limit: 2, order: 'desc', ...(cursor ? { cursor } : {}) });
        newest.push(page.items);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(
        newest.map((page) => page.map((e) => e.id)),
        [[sent[4]!.id, sent[1]!.id], [sent[0]!.id]],
      );
      const first = await p.api.call(
        'GET',
        `/api/v1/audit?actor=${encodeURIComponent(alice)}&limit=2&order=desc`,
      );
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        first.body.items.map((e: AuditEntry) => e.id),
        [sent[4]!.id, sent[1]!.id],
      );
      const mixed = await p.api.call(
        'GET',
        `/api/v1/audit?actor=${encodeURIComponent(alice)}&limit=2&cursor=${first.body.nextCursor}`,
      );
      assert.equal(mixed.status, 400, JSON.stringify(mixed.body));
      assert.equal(mixed.body.field, 'querystring/cursor');
      assert.match(mixed.body.detail, /newest first/);
      await assert.rejects(
        query(c, { limit: 10, from: at(30).toISOString(), to: at(10).toISOString() }),
        /from. must be before/,
      );
      await assert.rejects(
        query(c, { limit: 10, cursor: Buffer.from('{"seq":"1; drop"}').toString('base64url') }),
        (e: RpcError) => e.code === 'VALIDATION_FAILED' && e.field === '/cursor',
      );
    },
  );

  test(
    'the audit service stopped while operators keep working loses nothing: started again, it catches up once and the chain verifies',
    limit,
    async () => {
      const head = (await verify(c)).toSeq ?? 0;
      await p.stopAudit();
      const t = await create(p, 'unwatched');
      await change(p, 'POST', `/api/v1/tenants/${t.id}/suspend`, { reason: 'billing' });
      const other = await create(p, 'unwatched-too');
      const offline = request({ actor: `operator:${uniqueName('night')}`, tenantId: t.id });
      await c.bus.publish(offline);
      await assert.rejects(
        c.bus.request('audit.query.v1', { limit: 1 }, { timeoutMs: 500 }),
        /did not answer/,
        'nobody answers meanwhile',
      );

      await p.startAudit();

      const { ids, entries } = await logHasEveryEvent(c);
      assert.equal(entries.length, ids.size, 'each event once');
      assert.ok(entries.length > head);
      assert.deepEqual(
        (await lifecycleEntries(c, t.id, 4)).map((e) => e.action),
        ['tenant.created', 'tenant.provisioning', 'tenant.activated', 'tenant.suspended'],
      );
      assert.equal((await lifecycleEntries(c, other.id, 3)).length, 3);
      assert.deepEqual(
        (await all(c, { actor: offline.data.actor })).map((e) => e.id),
        [offline.id],
      );
      const result = await verify(c);
      assert.deepEqual(await chainOf(Promise.resolve(result)), {
        ok: true,
        checked: entries.length,
        fromSeq: 1,
        toSeq: entries.length,
      });
      assert.ok(['matches', 'no_checkpoint'].includes(result.checkpoint.outcome), JSON.stringify(result));
    },
  );
});

describe('tampering with the audit log', () => {
  let p: Platform;
  let c: Client;
  let sql: (text: string, values?: unknown[]) => Promise<unknown>;
  /** The seq of the entry of each of the 20 requests this suite sends, by its number. */
  let seqOf: (i: number) => number;
  before(async () => {
    // Checkpoints only at the stop: one taken between two tamperings would make what verify says of
    // the later one depend on timing (test/e2e/audit-checkpoints.test.ts is about checkpoints).
    p = await startPlatform({ auditEnv: { AUDIT_CHECKPOINT_INTERVAL_MS: '86400000' } });
    c = await client(p);
    sql = (text, values = []) => adminQuery(text, values, p.databases.audit);
    // The platform's own login is audited through the gateway's outbox; let it land first, so
    // nothing comes between the 20 entries below.
    await waitFor('the login entry', async () =>
      (await all(c, {})).some((e) => e.action === 'auth.login') ? true : undefined,
    );
    const prefix = uniqueName('operator:t');
    for (let i = 0; i < 20; i++) await c.bus.publish(request({ actor: `${prefix}-${i}` }));
    const seqs = await waitFor('20 entries', async () => {
      const found = (await all(c, {})).filter((e) => e.actor.startsWith(prefix));
      return found.length === 20 ? new Map(found.map((e) => [e.actor, e.seq])) : undefined;
    });
    seqOf = (i) => seqs.get(`${prefix}-${i}`)!;
    // In order, one after another: other entries (the gateway's own requests) come before them only.
    assert.equal(seqOf(19) - seqOf(0), 19);
  });
  after(async () => {
    await c?.close();
    await p?.close();
  });

  test('the log refuses a plain UPDATE and DELETE, even from a superuser', async () => {
    await assert.rejects(
      sql("UPDATE audit_entries SET actor = 'operator:mallory' WHERE seq = $1", [seqOf(2)]),
      /append-only: UPDATE/,
    );
    await assert.rejects(sql('DELETE FROM audit_entries WHERE seq = $1', [seqOf(2)]), /append-only: DELETE/);
    assert.equal((await verify(c)).ok, true);
  });

  test('an entry changed by hand is reported changed at its seq, and a range before it still verifies', async () => {
    const client = new pg.Client({ connectionString: p.databases.audit });
    await client.connect();
    try {
      // As someone editing the table by hand: a superuser's session that skips ordinary triggers.
      await client.query('SET session_replication_role = replica');
      await client.query(
        `UPDATE audit_entries SET data = replace(data, actor, 'operator:someone-else') WHERE seq = $1`,
        [seqOf(7)],
      );
    } finally {
      await client.end();
    }

    const result = await verify(c);
    assert.equal(result.ok, false);
    assert.equal(result.firstBroken?.seq, seqOf(7));
    assert.equal(result.firstBroken?.problem, 'changed');
    assert.equal(result.checked, seqOf(7) - 1);
    const before = seqOf(6);
    assert.deepEqual(await chainOf(verify(c, { toSeq: before })), {
      ok: true,
      checked: before,
      fromSeq: 1,
      toSeq: before,
    });
  });

  test('an entry deleted by hand is reported missing at the seq after the gap', async () => {
    await sql('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only');
    try {
      await sql('DELETE FROM audit_entries WHERE seq = $1', [seqOf(14)]);
    } finally {
      await sql('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only');
    }

    // From the entry after the changed one: the deletion is the first break there.
    const fromSeq = seqOf(8);
    const after = await verify(c, { fromSeq });
    assert.equal(after.ok, false);
    assert.equal(after.firstBroken?.seq, seqOf(15));
    assert.equal(after.firstBroken?.problem, 'missing');
    assert.match(after.firstBroken?.detail ?? '', new RegExp(`position ${seqOf(14)} is absent`));
    assert.deepEqual(await chainOf(verify(c, { fromSeq, toSeq: seqOf(13) })), {
      ok: true,
      checked: 6,
      fromSeq,
      toSeq: seqOf(13),
    });
    assert.equal(
      (await verify(c)).firstBroken?.seq,
      seqOf(7),
      'the first broken link of the whole log is still the change',
    );
    await assert.rejects(
      sql('DELETE FROM audit_entries WHERE seq = $1', [seqOf(15)]),
      /append-only/,
      'the trigger is back',
    );
  });
});
