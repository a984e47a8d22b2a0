import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { type Bus, createBus } from '@ocp/bus';
import type { AuditEntry, AuditQueryRequestV1, AuditVerifyRequestV1 } from '@ocp/contracts';
import { type Gateway, startGateway } from '@ocp/gateway';
import { parseConfig as gatewayConfig } from '@ocp/gateway/config';
import { createLogger } from '@ocp/service-kit';
import { waitFor } from '@ocp/testkit';
import { type PlatformEnv, preparePlatform } from '../support/platform.ts';
import { invite, login, type Session, subscribeAudit } from '../support/rbac.ts';

const TENANT_A = '0b5e7a52-7c43-4c1e-9a4f-3c1a3e0f5a01';
const TENANT_B = '0b5e7a52-7c43-4c1e-9a4f-3c1a3e0f5a02';
const TOTAL = 2500;
/** What the audit service says of the log against its last signed checkpoint. */
const checkpoint = {
  outcome: 'matches',
  detail: `entry ${TOTAL} has the hash that checkpoint #3, signed at 2026-01-01T00:00:00.000Z, gives it`,
  checkpointSeq: 3,
  seq: TOTAL,
  hash: 'a'.repeat(64),
  signedAt: '2026-01-01T00:00:00.000Z',
  missing: null,
} as const;

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** A log of entries whose texts need CSV quoting, and one a spreadsheet would run as a formula. */
function entries(): AuditEntry[] {
  return Array.from({ length: TOTAL }, (_, i) => {
    const seq = i + 1;
    return {
      seq,
      id: `event-${seq}`,
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      source: 'ocp/gateway',
      type: 'ocp.audit.request.v1',
      actor: 'operator:someone',
      action: seq === 7 ? '=HYPERLINK("http://evil")' : 'tenant.suspend',
      target: seq % 3 === 0 ? 'tenant:"quoted", with comma\nand a line break' : `tenant:${seq}`,
      tenantId: seq % 2 === 0 ? TENANT_A : TENANT_B,
      outcome: 'success',
      data: { note: `entry, "${seq}"` },
      prevHash: hex(String(seq - 1)),
      hash: hex(String(seq)),
    };
  });
}

/**
 * The audit service's side of `rpc.audit.query.v1` and `rpc.audit.verify.v1`, as the contract in
 * proto-schemas/ states it, over the real bus: the audit service is built alongside, and this test
 * is about the gateway's side of the contract.
 */
async function serveAuditContract(nats: ConnectionOptions) {
  const nc = await connect(nats);
  const bus: Bus = await createBus({ nc, logger: createLogger('audit-contract', 'warn'), service: 'audit' });
  const log = entries();
  const queries: AuditQueryRequestV1[] = [];
  const verifies: AuditVerifyRequestV1[] = [];
  let hold: Promise<void> | undefined;
  let release = () => {};
  bus.serve('audit.query.v1', async (req) => {
    queries.push(req);
    if (hold && req.cursor !== undefined) await hold;
    // This side's cursor is the position of the page's last entry; to the gateway it is opaque.
    const matching = log.filter(
      (e) =>
        e.seq > Number(req.cursor ?? 0) &&
        (!req.tenantIds || req.tenantIds.includes(e.tenantId ?? '')) &&
        (!req.tenantId || e.tenantId === req.tenantId),
    );
    const items = matching.slice(0, req.limit);
    return {
      items,
      nextCursor: matching.length > req.limit ? String(items[items.length - 1]!.seq) : null,
    };
  });
  bus.serve('audit.verify.v1', async (req) => {
    verifies.push(req);
    return { ok: true, checked: TOTAL, fromSeq: req.fromSeq ?? 1, toSeq: req.toSeq ?? TOTAL, checkpoint };
  });
  return {
    log,
    queries,
    verifies,
    /** Holds every page after the first until `release()`. */
    holdLaterPages() {
      hold = new Promise((r) => {
        release = () => {
          hold = undefined;
          r();
        };
      });
    },
    release: () => release(),
    async close() {
      await bus.close();
      await nc.close();
    },
  };
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field + row.join(''), '', 'the CSV ends with a line break');
  return rows;
}

describe('the audit routes of the gateway', () => {
  let env: PlatformEnv;
  let gateway: Gateway;
  let audit: Awaited<ReturnType<typeof serveAuditContract>>;
  let owner: Session;
  let scoped: Session;

  before(async () => {
    env = await preparePlatform();
    const cfg = gatewayConfig(env.gatewayEnv);
    gateway = await startGateway(cfg, createLogger('gateway', cfg.LOG_LEVEL));
    owner = await login(gateway.url, 'owner@example.com', env.ownerPassword);
    scoped = await invite(owner, 'scoped-viewer@example.com', 'viewer', [TENANT_A]);
    audit = await serveAuditContract(env.natsAs('audit'));
  });
  after(async () => {
    await audit?.close();
    await gateway?.close();
    await env?.dispose();
  });

  test('the export streams NDJSON page by page as the audit service answers, never the whole log at once', async () => {
    audit.queries.length = 0;
    audit.holdLaterPages();
    const res = await fetch(`${gateway.url}/api/v1/audit/export?format=ndjson`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="audit-[\w-]+\.ndjson"$/,
    );
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    // The first page arrives while the second is still held back by the audit service.
    while (text.split('\n').length <= 1000) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the first page arrives before the audit service answers the second');
      text += dec.decode(value, { stream: true });
    }
    // The gateway asks for the next page once it has written this one: give the request a moment.
    await waitFor('the second page to be asked for', async () =>
      audit.queries.length >= 2 ? true : undefined,
    );
    assert.equal(audit.queries.length, 2, 'the second page is asked for, and not answered yet');
    audit.release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, TOTAL);
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as AuditEntry).seq),
      audit.log.map((e) => e.seq),
    );
    assert.deepEqual(JSON.parse(lines[2]!), audit.log[2], 'each entry whole, data included');
    assert.deepEqual(
      audit.queries.map((q) => [q.limit, q.cursor]),
      [
        [1000, undefined],
        [1000, '1000'],
        [1000, '2000'],
      ],
    );
  });

  test('the CSV export quotes as RFC 4180 says, keeps formulas inert, and round-trips every field', async () => {
    const res = await fetch(`${gateway.url}/api/v1/audit/export?format=csv`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /filename="audit-[\w-]+\.csv"/);
    const rows = parseCsv(await res.text());
    const header = rows[0]!;
    assert.deepEqual(header, [
      'seq',
      'id',
      'time',
      'source',
      'type',
      'actor',
      'action',
      'target',
      'tenantId',
      'outcome',
      'data',
      'prevHash',
      'hash',
    ]);
    assert.equal(rows.length, TOTAL + 1);
    for (const [i, e] of audit.log.entries()) {
      const r = Object.fromEntries(header.map((h, j) => [h, rows[i + 1]![j]]));
      assert.equal(r.seq, String(e.seq));
      assert.equal(r.target, e.target);
      assert.deepEqual(JSON.parse(r.data!), e.data);
      assert.equal(r.action, e.seq === 7 ? `'${e.action}` : e.action);
      assert.equal(r.hash, e.hash);
    }
  });

  test('queries pass their filters and cursor; a limited caller sees only its tenants', async () => {
    audit.queries.length = 0;
    const page = await owner.call(
      'GET',
      `/api/v1/audit?limit=20&cursor=40&action=tenant.suspend&outcome=success&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`,
    );
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.items.length, 20);
    assert.equal(page.body.items[0].seq, 41);
    assert.equal(page.body.nextCursor, '60');
    assert.deepEqual(page.body.items[0].data, audit.log[40]!.data, 'data passes whole');
    assert.deepEqual(audit.queries[0], {
      limit: 20,
      order: 'asc',
      cursor: '40',
      action: 'tenant.suspend',
      outcome: 'success',
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    });
    assert.equal((await owner.call('GET', '/api/v1/audit?limit=5&order=desc')).status, 200);
    assert.equal(audit.queries.at(-1)!.order, 'desc', 'the order passes');
    assert.equal((await owner.call('GET', '/api/v1/audit?order=newest')).status, 400);
    assert.equal((await owner.call('GET', '/api/v1/audit?limit=501')).status, 400);
    assert.equal((await owner.call('GET', '/api/v1/audit?cursor=not%20a%20cursor')).status, 400);
    assert.equal((await owner.call('GET', '/api/v1/audit?outcome=maybe')).status, 400);

    const mine = await scoped.call('GET', '/api/v1/audit?limit=50');
    assert.equal(mine.status, 200);
    assert.ok(mine.body.items.every((e: AuditEntry) => e.tenantId === TENANT_A));
    assert.deepEqual(audit.queries.at(-1)!.tenantIds, [TENANT_A]);
    const other = await scoped.call('GET', `/api/v1/audit?tenantId=${TENANT_B}`);
    assert.equal(other.status, 403);
    assert.equal(other.body.permission, 'audit:read');
    const exported = await scoped.call('GET', '/api/v1/audit/export');
    assert.equal(exported.status, 403, 'a viewer does not export');
  });

  test('verify passes its range and answers what the audit service found', async () => {
    const res = await owner.call('POST', '/api/v1/audit/verify', { fromSeq: 5, toSeq: 10 });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { ok: true, checked: TOTAL, fromSeq: 5, toSeq: 10, checkpoint });
    assert.deepEqual(audit.verifies.at(-1), { fromSeq: 5, toSeq: 10 });
    assert.equal((await owner.call('POST', '/api/v1/audit/verify')).status, 200, 'the whole log by default');
    assert.equal((await owner.call('POST', '/api/v1/audit/verify', { fromSeq: 9, toSeq: 2 })).status, 400);
    assert.equal((await owner.call('POST', '/api/v1/audit/verify', { from: 1 })).status, 400);
  });

  test('an export is itself audited', async () => {
    const sub = await subscribeAudit(env.natsAs('admin'));
    try {
      const res = await fetch(`${gateway.url}/api/v1/audit/export?format=csv&tenantId=${TENANT_A}`, {
        headers: { authorization: `Bearer ${owner.token}` },
      });
      await res.text();
      const [e] = await sub.waitFor([res.headers.get('x-request-id')!]);
      assert.equal(e!.data.action, 'audit.export');
      assert.equal(e!.data.method, 'GET');
      assert.equal(e!.data.actor, `operator:${owner.id}`);
    } finally {
      await sub.close();
    }
  });

  test('when the audit service does not answer, each audit route is a 503 problem', async () => {
    await audit.close();
    for (const [method, path] of [
      ['GET', '/api/v1/audit'],
      ['GET', '/api/v1/audit/export?format=csv'],
      ['POST', '/api/v1/audit/verify'],
    ] as const) {
      const res = await owner.call(method, path);
      assert.equal(res.status, 503, `${method} ${path}: ${res.text}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(res.body.code, 'SERVICE_UNAVAILABLE');
      assert.match(res.body.detail, /audit service did not answer/);
    }
  });
});
