import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { durables, messages, rpcs, schemaBase } from '@ocp/contracts';
import type { NotifierService } from '@ocp/notifier';
import fc from 'fast-check';
import type { NatsIdentity, Platform } from '../support/platform.ts';
import { startNotifier, startPlatform } from '../support/platform.ts';
import { type NatsWatch, natsWatch } from './nats-watch.ts';
import { fcParams, jsonFragment, TIMEOUT_MS } from './support.ts';

const enc = new TextEncoder();

/** A payload of bytes that no handler can take as it is, with what it is for the failure message. */
interface Malformed {
  what: string;
  bytes: Uint8Array;
  [key: symbol]: () => string;
}

const malformed = (what: string, bytes: Uint8Array | string): Malformed => ({
  what,
  bytes: typeof bytes === 'string' ? enc.encode(bytes) : bytes,
  // A counterexample is printed by what it is, not by its (maybe 900 KB of) bytes.
  [fc.toStringMethod]: () => what,
});

/** An envelope of a type the subject carries, with `data` (JSON text) that fails its schema. */
function envelope(type: string, data: string, id: string = randomUUID()): string {
  const def = messages[type as keyof typeof messages];
  return JSON.stringify({
    specversion: '1.0',
    id,
    type,
    source: 'hostile',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `${schemaBase}${def.schema}.json`,
    data: '@data',
  }).replace('"@data"', data);
}

/** Messages that are not valid events of `type`: not JSON, the wrong envelope, the wrong data, huge, NUL. */
const malformedFor = (type: string): fc.Arbitrary<Malformed> =>
  fc.oneof(
    fc
      .string({ maxLength: 200 })
      .map((s) => malformed(`text ${JSON.stringify(s.slice(0, 40))}`, `not json ${s}`)),
    fc.constantFrom(
      malformed('NUL bytes', new Uint8Array([0, 0, 0])),
      malformed('invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x7d])),
      malformed('empty', ''),
      malformed('{}', '{}'),
      malformed('[]', '[]'),
      malformed('null', 'null'),
      malformed('prototype pollution', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
      malformed('envelope with a NUL id', envelope(type, '{}', 'a\u0000b')),
      malformed(
        'envelope of an unknown type',
        envelope(type, '{}').replace(`"type":"${type}"`, '"type":"ocp.x.v1"'),
      ),
    ),
    jsonFragment.map((data) => malformed(`data ${data.slice(0, 60)}`, envelope(type, data))),
    fc
      .constantFrom(
        '{"tenant":{"id":"\\u0000"}}',
        '{"tenant":"\\ud800","operationId":1e309}',
        '{"x":"\'; DROP TABLE audit_entries; --"}',
      )
      .map((data) => malformed(`data ${data}`, envelope(type, data))),
    // Rarely: near the server's largest payload, made of characters JSON text escapes.
    fc
      .integer({ min: 0, max: 30 })
      .map((n) => (n === 0 ? malformed('900 KB of quotes', '"'.repeat(900_000)) : malformed('a brace', '{'))),
  );

interface Target {
  durable: string;
  stream: string;
  subject: string;
  type: string;
  publisher: NatsIdentity;
}

/** One subject of each durable consumer of the catalog, with the identity that may publish there. */
function consumerTargets(): Target[] {
  const out: Target[] = [];
  for (const d of Object.values(durables)) {
    const entry = Object.entries(messages).find(
      ([, m]) => m.stream.name === d.stream.name && (m.consumers as readonly string[]).includes(d.service),
    );
    assert.ok(entry, `no message of the catalog reaches durable ${d.durable}`);
    const [type, m] = entry;
    out.push({
      durable: d.durable,
      stream: d.stream.name,
      subject: m.subject,
      type,
      publisher: m.publisher as NatsIdentity,
    });
  }
  return out;
}

describe('every NATS handler, fed malformed messages by its legitimate publisher', () => {
  let p: Platform;
  let watch: NatsWatch;
  let notifier: NotifierService | undefined;
  const conns = new Map<NatsIdentity, NatsConnection>();
  const as = async (who: NatsIdentity) => {
    const known = conns.get(who);
    if (known) return known;
    const nc = await p.connectNats(who);
    conns.set(who, nc);
    return nc;
  };

  before(async () => {
    // With the backup service: its consumers and methods are fed too.
    p = await startPlatform({ gatewayEnv: { RATE_LIMIT_MAX: '1000000' }, backup: true });
    // And the notifier (no webhook: it reads and acks): its consumers are fed too.
    notifier = await startNotifier(p);
    watch = await natsWatch(await as('admin'));
  });
  after(async () => {
    for (const nc of conns.values()) await nc.close();
    await notifier?.close();
    await p?.close();
  });

  test('each consumer dead-letters every malformed message on its subjects, and the platform keeps working', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const published: Array<{ target: Target; seq: number; what: string }> = [];
    for (const target of consumerTargets()) {
      const js: JetStreamClient = jetstream(await as(target.publisher));
      await fc.assert(
        fc.asyncProperty(malformedFor(target.type), async (m) => {
          const ack = await js.publish(target.subject, m.bytes, { msgID: randomUUID() });
          published.push({ target, seq: ack.seq, what: m.what });
        }),
        // The largest always: its dead letter must still fit in one message.
        { ...fcParams(), examples: [[malformed('900 KB of quotes', '"'.repeat(900_000))]] },
      );
    }
    await watch.settled();
    const letters = await watch.deadLetters();
    for (const { target, seq, what } of published) {
      // Several durables read some subjects: this one's own letter.
      const letter = letters.find(
        (l) => l.consumer === target.durable && l.subject === target.subject && l.streamSequence === seq,
      );
      assert.ok(letter, `${target.subject} #${seq} (${what}, for ${target.durable}) was not dead-lettered`);
      assert.ok(letter.reason.length > 0);
    }

    // Still working: a tenant is made (tenant worker), followed (billing, audit), and the log verifies.
    const made = await p.api.call('POST', '/api/v1/tenants', { slug: 'after-hostile', displayName: 'After' });
    assert.equal(made.status, 202, JSON.stringify(made.body));
    assert.equal((await p.api.waitOperation(made.body.operation.id, 60_000)).state, 'succeeded');
    await watch.settled();
    const verify = await p.api.call('POST', '/api/v1/audit/verify', {});
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    const audit = await p.api.call('GET', `/api/v1/audit?tenantId=${made.body.tenant.id}&limit=50`);
    assert.ok(audit.body.items.length > 0, 'the audit service recorded the new tenant');
    assert.equal((await watch.deadLetters()).length, letters.length, 'no valid event was dead-lettered');
  });

  test('each request/reply method answers a malformed request with an error, and answers a valid one after', {
    timeout: TIMEOUT_MS,
  }, async () => {
    const requests: fc.Arbitrary<Malformed> = fc.oneof(
      fc
        .string({ maxLength: 200 })
        .map((s) => malformed(`text ${JSON.stringify(s.slice(0, 40))}`, `not json ${s}`)),
      jsonFragment.filter((f) => !f.startsWith('{')).map((f) => malformed(f.slice(0, 60), f)),
      fc
        .tuple(
          fc.constantFrom('tenant', 'limit', 'cursor', 'fromSeq', '__proto__', 'id', 'operationId'),
          jsonFragment,
        )
        .map(([k, v]) => malformed(`{${k}: ${v.slice(0, 40)}}`, `{"${k}":${v},"unknown\\u0000":1}`)),
      fc.constant(malformed('NUL bytes', new Uint8Array([0, 0]))),
      fc.constant(malformed('900 KB of quotes', '"'.repeat(900_000))),
    );
    for (const [name, def] of Object.entries(rpcs)) {
      const nc = await as(def.clients[0] as NatsIdentity);
      await fc.assert(
        fc.asyncProperty(requests, async (m) => {
          const reply = await nc.request(def.subject, m.bytes, { timeout: 10_000 });
          const body = reply.json<{ error?: { code: string; message: string } }>();
          assert.ok(
            body.error,
            `${name} answered ${m.what} without an error: ${reply.string().slice(0, 300)}`,
          );
          assert.match(body.error.code, /^[A-Z_]+$/);
          assert.notEqual(body.error.code, 'INTERNAL', `${name}: ${m.what}: ${body.error.message}`);
        }),
        fcParams(),
      );
    }
    assert.equal((await p.api.call('GET', '/api/v1/tenants')).status, 200);
    assert.equal((await p.api.call('GET', '/api/v1/audit?limit=1')).status, 200);
    assert.equal((await p.api.call('GET', '/api/v1/billing/webhooks?limit=1')).status, 200);
  });
});
