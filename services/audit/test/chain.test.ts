import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { makeEvent, messages, streams, type Tenant } from '@ocp/contracts';
import canonicalize from 'canonicalize';
import {
  type ChainedEntry,
  ChainVerifier,
  canonicalData,
  canonicalEntry,
  type EntryContent,
  extendChain,
  GENESIS,
  GENESIS_HASH,
  hashEntry,
} from '../src/domain/chain.ts';
import { AUDITED_STREAMS, type AuditedType, auditedTypes, toEntryContent } from '../src/domain/entry.ts';

function content(n: number, over: Partial<EntryContent> = {}): EntryContent {
  return {
    id: `event-${n}`,
    time: new Date(Date.UTC(2024, 4, 1, 10, 0, n)).toISOString(),
    source: 'ocp/tenant',
    type: 'ocp.tenant.suspended.v1',
    actor: 'system:tenant',
    action: 'tenant.suspended',
    target: `tenant:t${n}`,
    tenantId: `t${n}`,
    outcome: 'success',
    data: canonicalData({ n, reason: 'manual' }),
    ...over,
  };
}

const chainOf = (count: number) =>
  extendChain(
    GENESIS,
    Array.from({ length: count }, (_, i) => content(i + 1)),
  );

/** Runs a verifier over entries; the first broken link, or undefined and the count checked. */
function verify(entries: ChainedEntry[], before = GENESIS, lastSeq = entries.at(-1)?.seq ?? before.seq) {
  const v = new ChainVerifier(before);
  for (const e of entries) {
    const broken = v.next(e);
    if (broken) return { broken, checked: v.checked };
  }
  return { broken: v.end(lastSeq), checked: v.checked };
}

test('canonical data has its keys sorted at every depth and numbers as JSON.stringify writes them', () => {
  assert.equal(
    canonicalData({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 1.0 }, e: 1e21, f: 0.1, g: 'é' }),
    '{"a":{"c":1,"d":[3,{"y":2,"z":1}]},"b":1,"e":1e+21,"f":0.1,"g":"é"}',
  );
  assert.equal(canonicalData({ x: 1, y: 2 }), canonicalData(JSON.parse('{"y":2,"x":1}')));
});

test('canonical data keeps a NUL escaped and replaces an unpaired surrogate instead of failing', () => {
  assert.equal(canonicalData({ s: 'a\u0000b' }), '{"s":"a\\u0000b"}');
  assert.equal(canonicalData({ s: 'x\uD800y', ok: '\uD83D\uDE00' }), '{"ok":"😀","s":"x\uFFFDy"}');
});

test("an entry's canonical form is RFC 8785 of the whole entry, with data spliced in unparsed", () => {
  const [e] = extendChain(GENESIS, [
    content(1, { data: canonicalData({ tenant: { id: 'x', n: [1, 2] }, '10': 'ten', '9': 'nine' }) }),
  ]);
  const { hash: _hash, ...rest } = e!;
  assert.equal(canonicalEntry(e!), canonicalize({ ...rest, data: JSON.parse(rest.data) }));
  assert.equal(e!.hash, createHash('sha256').update(canonicalEntry(e!)).digest('hex'));
});

test('the hash of a given entry never changes, or every stored chain would stop verifying', () => {
  // Also what any other RFC 8785 serialiser and SHA-256 give for it (checked with Python's json.dumps,
  // sort_keys and compact separators), so the log can be verified without this code.
  const e = { ...content(1), seq: 1, prevHash: GENESIS_HASH };
  assert.equal(hashEntry(e), '7dfb934628bb813c1aa3a3cb0d0143416eefd72d36052904096abdea96f934dc');
});

test('a chain starts after the genesis and links each entry to the hash of the one before', () => {
  const entries = chainOf(4);
  assert.deepEqual(
    entries.map((e) => e.seq),
    [1, 2, 3, 4],
  );
  assert.equal(entries[0]?.prevHash, GENESIS_HASH);
  for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.prevHash, entries[i - 1]?.hash);
  const more = extendChain(entries[3]!, [content(5)]);
  assert.equal(more[0]?.seq, 5);
  assert.equal(more[0]?.prevHash, entries[3]?.hash);
});

test('an untouched chain verifies, over the whole of it and over a range after its first entry', () => {
  const entries = chainOf(6);
  assert.deepEqual(verify(entries), { broken: undefined, checked: 6 });
  assert.deepEqual(verify(entries.slice(2), entries[1]!), { broken: undefined, checked: 4 });
});

test('an entry whose content was changed is reported as changed at its seq, whatever field it was', () => {
  for (const change of [
    { data: canonicalData({ n: 3, reason: 'billing' }) },
    { actor: 'operator:someone-else' },
    { time: '2024-05-01T10:00:03.000001Z' },
    { tenantId: null },
    { prevHash: GENESIS_HASH },
  ]) {
    const entries = chainOf(5);
    entries[2] = { ...entries[2]!, ...change };
    const { broken } = verify(entries);
    assert.equal(broken?.seq, 3, JSON.stringify(change));
    assert.equal(broken?.problem, 'changed');
  }
});

test('a removed entry is reported as missing at the seq after the gap', () => {
  const entries = chainOf(6);
  const { broken, checked } = verify([...entries.slice(0, 2), ...entries.slice(4)], GENESIS, 6);
  assert.equal(broken?.seq, 5);
  assert.equal(broken?.problem, 'missing');
  assert.match(broken?.detail ?? '', /positions 3 to 4 are absent/);
  assert.equal(checked, 2);
});

test('entries removed from the end of the log are reported as missing past the last one', () => {
  const entries = chainOf(5);
  const { broken } = verify(entries.slice(0, 3), GENESIS, 5);
  assert.equal(broken?.seq, 6);
  assert.equal(broken?.problem, 'missing');
  assert.match(broken?.detail ?? '', /positions 4 to 5 are absent/);
});

test('an entry rewritten with a new hash of its own breaks the link of the next one: relinked', () => {
  const entries = chainOf(5);
  const forged = { ...entries[1]!, actor: 'operator:forger' };
  entries[1] = { ...forged, hash: hashEntry(forged) };
  const { broken } = verify(entries);
  assert.equal(broken?.seq, 3);
  assert.equal(broken?.problem, 'relinked');
});

const tenant = (id: string): Tenant => ({
  id,
  slug: 'acme',
  displayName: 'Acme',
  plan: 'starter',
  state: 'suspended',
  suspensionReasons: ['manual'],
  databaseName: 't_acme',
  databaseServerId: null,
  createdAt: '2024-05-01T10:00:00.000Z',
  updatedAt: '2024-05-01T10:00:00.000Z',
});

test('a tenant event is recorded as done by its service, about its tenant, with the type as action', () => {
  const id = randomUUID();
  const event = makeEvent(
    'ocp.tenant.suspended.v1',
    { tenant: tenant(id), operationId: randomUUID(), reason: 'manual' },
    { source: 'ocp/tenant', subject: id, time: new Date('2024-05-01T12:00:00+02:00') },
  );
  const e = toEntryContent(event);
  assert.equal(e.id, event.id);
  assert.equal(e.actor, 'system:tenant');
  assert.equal(e.action, 'tenant.suspended');
  assert.equal(e.target, `tenant:${id}`);
  assert.equal(e.tenantId, id);
  assert.equal(e.outcome, 'success');
  assert.equal(e.time, '2024-05-01T10:00:00.000Z');
  assert.deepEqual(JSON.parse(e.data), event.data);

  const failed = toEntryContent(
    makeEvent(
      'ocp.tenant.provisioning_failed.v1',
      { tenant: tenant(id), operationId: randomUUID(), error: 'disk full' },
      { source: 'ocp/tenant', subject: id },
    ),
  );
  assert.equal(failed.outcome, 'failed');
  assert.equal(failed.action, 'tenant.provisioning_failed');
});

test('an operation update is about the operation and its tenant, and failed when the operation failed', () => {
  const tenantId = randomUUID();
  const operation = {
    id: randomUUID(),
    kind: 'tenant.provision' as const,
    tenantId,
    state: 'failed' as const,
    progress: 10,
    error: 'template missing',
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:01.000Z',
  };
  const e = toEntryContent(
    makeEvent('ocp.operation.updated.v1', { operation }, { source: 'ocp/tenant', subject: tenantId }),
  );
  assert.equal(e.action, 'operation.updated');
  assert.equal(e.target, `operation:${operation.id}`);
  assert.equal(e.tenantId, tenantId);
  assert.equal(e.outcome, 'failed');
  const running = toEntryContent(
    makeEvent(
      'ocp.operation.updated.v1',
      { operation: { ...operation, state: 'running' } },
      { source: 'ocp/tenant', subject: tenantId },
    ),
  );
  assert.equal(running.outcome, 'success');
});

test('a request the gateway saw keeps its own actor, action, target, tenant and outcome, made storable', () => {
  const e = toEntryContent(
    makeEvent(
      'ocp.audit.request.v1',
      {
        actor: 'operator:42',
        action: 'tenant.suspend',
        target: 'tenant:t1',
        tenantId: 't1',
        outcome: 'denied',
        status: 403,
        method: 'POST',
        path: '/api/v1/tenants/t1/suspend',
        requestId: 'r1',
        sourceIp: '127.0.0.1',
        userAgent: 'curl\u0000/8',
      },
      { source: 'ocp/gateway' },
    ),
  );
  assert.deepEqual(
    { actor: e.actor, action: e.action, target: e.target, tenantId: e.tenantId, outcome: e.outcome },
    {
      actor: 'operator:42',
      action: 'tenant.suspend',
      target: 'tenant:t1',
      tenantId: 't1',
      outcome: 'denied',
    },
  );
  assert.equal(JSON.parse(e.data).userAgent, 'curl\u0000/8', 'data keeps the NUL, escaped');
});

test('a billing decision is recorded as done by billing, about the tenant it names', () => {
  const tenantId = randomUUID();
  const e = toEntryContent(
    makeEvent(
      'ocp.billing.tenant_access_changed.v1',
      {
        tenantId,
        access: 'revoked',
        provider: 'stripe',
        subscriptionId: randomUUID(),
        status: 'canceled',
        reason: 'subscription sub_1 is canceled',
      },
      { source: 'ocp/billing', subject: tenantId },
    ),
  );
  assert.deepEqual(
    { actor: e.actor, action: e.action, target: e.target, tenantId: e.tenantId, outcome: e.outcome },
    {
      actor: 'system:billing',
      action: 'billing.tenant_access_changed',
      target: `tenant:${tenantId}`,
      tenantId,
      outcome: 'success',
    },
  );
});

test('the audit service consumes every tenant event, operation updates, backup events and gateway requests, and no work', () => {
  // @ts-expect-error: the work queue is the tenant workers' alone.
  const work: AuditedType = 'ocp.tenant.operation.run.v1';
  assert.ok(work);
  // @ts-expect-error: and the backup workers' queue theirs.
  const backupWork: AuditedType = 'ocp.backup.operation.run.v1';
  assert.ok(backupWork);
  const tenantEvents = Object.keys(messages).filter(
    (t) => messages[t as keyof typeof messages].stream.name === streams.tenantEvents.name,
  );
  assert.ok(tenantEvents.includes('ocp.tenant.renamed.v1'));
  assert.deepEqual(auditedTypes(streams.tenantEvents).sort(), tenantEvents.sort());
  assert.deepEqual(auditedTypes(streams.operationEvents).sort(), [
    'ocp.backup.operation_updated.v1',
    'ocp.operation.updated.v1',
  ]);
  assert.deepEqual(auditedTypes(streams.backupEvents).sort(), [
    'ocp.backup.completed.v1',
    'ocp.backup.drilled.v1',
    'ocp.backup.failed.v1',
    'ocp.backup.pruned.v1',
  ]);
  assert.deepEqual(auditedTypes(streams.backupWork), []);
  assert.deepEqual(auditedTypes(streams.audit), ['ocp.audit.request.v1']);
  assert.deepEqual(auditedTypes(streams.tenantWork), []);
  assert.deepEqual(auditedTypes(streams.billingEvents).sort(), [
    'ocp.billing.subscription_changed.v1',
    'ocp.billing.tenant_access_changed.v1',
    'ocp.billing.tenant_plan_changed.v1',
  ]);
  // Every stream that carries an audited type has a durable consumer of the audit service.
  const consumed = new Set<string>(AUDITED_STREAMS.map((s) => s.stream.name));
  for (const stream of Object.values(streams)) {
    if (auditedTypes(stream).length > 0)
      assert.ok(consumed.has(stream.name), `${stream.name} is not audited`);
  }
});
