import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/nats-core';
import { traceIdOf } from '@ocp/bus';
import { messages, rpcs, streams } from '@ocp/contracts';
import { startTracing, tracingStarted } from '@ocp/service-kit';
import { waitFor } from '@ocp/testkit';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { type Platform, startPlatform } from '../support/platform.ts';

/**
 * OpenTelemetry traces across the platform, in one process as the other end-to-end tests run it:
 * one API call is one trace from the gateway's HTTP span over NATS to the tenant service's handling
 * and on through its outbox; with tracing off no SDK starts and the W3C traceparent still travels.
 */

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const createSubject = rpcs['tenant.create.v1'].subject;
const createdSubject = messages['ocp.tenant.created.v1'].subject;
const runSubject = messages['ocp.tenant.operation.run.v1'].subject;
const auditSubject = messages['ocp.audit.request.v1'].subject;

const spanIdOf = (traceparent: string | undefined) => traceparent?.split('-')[2];

async function createTenant(p: Platform, slug: string): Promise<{ tenantId: string; operationId: string }> {
  const res = await p.api.call('POST', '/api/v1/tenants', { slug, displayName: `Tenant ${slug}` });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return { tenantId: res.body.tenant.id, operationId: res.body.operation.id };
}

/** The headers of the first tenant event about `tenantId`, read from the stream as any subscriber would. */
async function tenantEventHeaders(p: Platform, tenantId: string, type: string) {
  const nc = await p.connectNats('observer');
  try {
    const consumer = await jetstream(nc).consumers.get(streams.tenantEvents.name, {
      deliver_policy: DeliverPolicy.All,
    });
    return await waitFor(`the ${type} event of ${tenantId}`, async () => {
      const batch = await consumer.fetch({ max_messages: 100, expires: 1000 });
      for await (const m of batch) {
        const event = m.json<{ type: string; subject?: string }>();
        if (event.type === type && event.subject === tenantId) return m.headers;
      }
      return undefined;
    });
  } finally {
    await nc.close();
  }
}

describe('traces across HTTP and NATS', () => {
  test('with tracing off, no SDK starts and the traceparent still carries the request’s trace id over NATS and the outbox', async (t) => {
    const p = await startPlatform();
    t.after(() => p.close());
    assert.equal(tracingStarted(), false, 'no tracer provider in the process');
    assert.equal(p.tenant.tracing, false);

    // A plain subscriber beside the tenant service's queue group sees the request as it was sent.
    const admin = await p.connectNats('admin');
    t.after(() => admin.close());
    const requests: Msg[] = [];
    const sub = admin.subscribe(createSubject, { callback: (_err, m) => void requests.push(m) });
    await admin.flush();

    const { tenantId } = await createTenant(p, 'offtrace');
    sub.unsubscribe();
    const request = requests.find((m) => m.json<{ slug?: string }>().slug === 'offtrace');
    assert.ok(request, 'the create request was seen');
    const sent = request.headers?.get('traceparent');
    assert.match(sent ?? '', TRACEPARENT);

    const headers = await tenantEventHeaders(p, tenantId, 'ocp.tenant.created.v1');
    const published = headers?.get('traceparent');
    assert.match(published ?? '', TRACEPARENT);
    assert.equal(traceIdOf(published), traceIdOf(sent), 'the event continues the request’s trace');
    assert.notEqual(spanIdOf(published), spanIdOf(sent), 'each hop has a span id of its own');
  });

  test('one API call is one trace: the gateway’s HTTP span, its NATS request, the tenant service’s handling and what it publishes through its outbox', async (t) => {
    const exporter = new InMemorySpanExporter();
    // The process's provider, given before the services start; they join it, each with a tracer of
    // its own name. Audit and billing keep tracing off, so they make no spans.
    const tracing = startTracing({
      serviceName: 'platform-test',
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const on = { OTEL_TRACES_EXPORTER: 'otlp' };
    let p: Platform | undefined;
    t.after(async () => {
      await p?.close();
      await tracing.shutdown();
    });
    p = await startPlatform({ tenantEnv: on, gatewayEnv: on });
    assert.equal(p.tenant.tracing, true);

    const { tenantId } = await createTenant(p, 'ontrace');
    // Probes and scrapes make no spans.
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${p.gateway.url}${path}`);
      assert.ok(res.status < 500, path);
      await res.arrayBuffer();
    }

    const spans = () => exporter.getFinishedSpans();
    const http = spans().find(
      (s) => s.instrumentationScope.name === '@fastify/otel' && s.name === 'POST /api/v1/tenants',
    );
    assert.ok(http, `the HTTP span; spans: ${spans().map((s) => s.name)}`);
    assert.equal(http.kind, SpanKind.SERVER);
    assert.equal(http.attributes['http.route'], '/api/v1/tenants');
    assert.equal(http.attributes['http.response.status_code'], 202);
    const traceId = http.spanContext().traceId;
    // The relay publishes the outbox after the request was answered: its spans come later.
    const inTrace = (name: string) => (s: ReadableSpan) =>
      s.spanContext().traceId === traceId && s.name === name;
    await waitFor('the outbox’s publishes and the provisioning command’s handling in the trace', async () =>
      [
        `send ${createdSubject}`,
        `process ${runSubject}`,
        'operation tenant.provision',
        `send ${auditSubject}`,
      ].every((name) => spans().some(inTrace(name)))
        ? true
        : undefined,
    );
    const trace = spans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '');
    const one = (what: string, match: (s: ReadableSpan) => boolean): ReadableSpan => {
      const found = trace.filter(match);
      assert.equal(
        found.length,
        1,
        `one ${what}: ${trace.map((s) => `${s.instrumentationScope.name} ${s.name}`)}`,
      );
      return found[0]!;
    };

    assert.equal(http.parentSpanContext, undefined, 'the HTTP span is the root');
    const send = one(
      'gateway request span',
      (s) => s.instrumentationScope.name === 'gateway' && s.name === `send ${createSubject}`,
    );
    assert.equal(send.kind, SpanKind.PRODUCER);
    assert.equal(send.attributes['messaging.system'], 'nats');
    assert.equal(send.attributes['messaging.destination.name'], createSubject);
    // Under the HTTP span, through its route handler's span.
    let up = parentOf(send);
    while (up && up !== http) up = parentOf(up);
    assert.equal(up, http, 'the NATS request is within the HTTP request’s span');

    const handled = one(
      'tenant handling span',
      (s) => s.instrumentationScope.name === 'tenant' && s.name === `process ${createSubject}`,
    );
    assert.equal(handled.kind, SpanKind.SERVER);
    assert.equal(parentOf(handled), send, 'the handling is the request’s child');

    // Written to the outbox in the handler's transaction, published later by the relay: still children.
    const created = one(
      'tenant.created publish',
      (s) => s.instrumentationScope.name === 'tenant' && s.name === `send ${createdSubject}`,
    );
    assert.equal(created.kind, SpanKind.PRODUCER);
    assert.equal(parentOf(created), handled);
    // The command goes out twice, at once from the handler and from the outbox (JetStream drops the
    // copy): both are the handling's children, and its consumer is the child of the one it got.
    const commands = trace.filter((s) => s.name === `send ${runSubject}`);
    assert.ok(commands.length >= 1);
    for (const c of commands) assert.equal(parentOf(c), handled, 'the command is the handling’s child');
    const run = one(
      'provisioning command handling',
      (s) => s.kind === SpanKind.CONSUMER && s.name === `process ${runSubject}`,
    );
    assert.equal(run.instrumentationScope.name, 'tenant');
    assert.ok(commands.includes(parentOf(run)!), 'the command’s handling is its publish’s child');
    // The worker runs the operation from its table, later: in a span of the trace that queued it.
    const operation = one('provisioning run', (s) => s.name === 'operation tenant.provision');
    assert.equal(operation.instrumentationScope.name, 'tenant');
    assert.equal(parentOf(operation), handled);

    // The request's audit entry, written to the gateway's outbox as it answered, is of its trace too.
    const audited = one('audit entry publish', (s) => s.name === `send ${auditSubject}`);
    assert.equal(audited.instrumentationScope.name, 'gateway');
    assert.equal(parentOf(audited), http);

    // The event as subscribers get it carries the context of its publish's span.
    const headers = await tenantEventHeaders(p, tenantId, 'ocp.tenant.created.v1');
    const sc = created.spanContext();
    assert.equal(headers?.get('traceparent'), `00-${sc.traceId}-${sc.spanId}-01`);

    assert.ok(
      !spans().some((s) => ['audit', 'billing'].includes(s.instrumentationScope.name)),
      'services whose config leaves tracing off make no spans',
    );
    const probes = spans().filter((s) =>
      ['/healthz', '/readyz', '/metrics'].some((path) => String(s.attributes['url.path']).startsWith(path)),
    );
    assert.deepEqual(
      probes.map((s) => s.name),
      [],
    );
  });
});
