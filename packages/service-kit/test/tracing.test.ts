import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  type Bus,
  childTraceparent,
  createBus,
  extractMessageContext,
  injectMessageContext,
  traceIdOf,
} from '@ocp/bus';
import { makeEvent, streams, type Tenant } from '@ocp/contracts';
import { createTestDatabase, startNats, uniqueName, waitFor } from '@ocp/testkit';
import { context, ROOT_CONTEXT, type SpanContext, SpanKind, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import {
  type ConfigSchema,
  commonConfig,
  createLogger,
  defineService,
  loadConfig,
  loadServiceConfig,
  redactConfig,
  resourceAttributesOf,
  runService,
  startTracing,
  type Tracing,
  TracingError,
  tracingEnabled,
  tracingStarted,
} from '../src/index.ts';

const limit = { timeout: 30_000 };
const logger = pino({ level: 'warn' });

/** The process's tracing into an in-memory exporter, shut down (globals released) after the test. */
function traceInMemory(t: test.TestContext): { tracing: Tracing; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({
    serviceName: 'tracing-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  t.after(() => tracing.shutdown());
  return { tracing, exporter };
}

const sameSpan = (a: SpanContext | undefined, b: SpanContext | undefined) =>
  a !== undefined && b !== undefined && a.traceId === b.traceId && a.spanId === b.spanId;

function tenant(slug: string): Tenant {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    slug,
    displayName: slug,
    plan: 'starter',
    state: 'pending',
    suspensionReasons: [],
    databaseName: `t_${slug}`,
    databaseServerId: null,
    createdAt: now,
    updatedAt: now,
  };
}

async function natsBus(t: test.TestContext, service: string): Promise<Bus> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  const bus = await createBus({ nc, logger, service });
  t.after(async () => {
    await bus.close();
    await nc.close();
    await nats.dispose();
  });
  await bus.ensureStreams([streams.tenantEvents]);
  return bus;
}

test('tracing is off unless an exporter or an OTLP endpoint is set, and OTEL_SDK_DISABLED or none turn it off', () => {
  assert.equal(tracingEnabled({}), false);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }), true);
  assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'console' }), true);
  assert.equal(
    tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
    false,
  );
  assert.equal(
    tracingEnabled({ OTEL_SDK_DISABLED: true, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
    false,
  );
});

test('the OTEL_* settings are part of the shared config: checked at start, the exporter headers redacted', () => {
  const schema = {
    type: 'object',
    properties: commonConfig,
    required: ['DATABASE_URL'],
  } as const satisfies ConfigSchema;
  const env = {
    DATABASE_URL: 'postgres://x@127.0.0.1/db',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    OTEL_EXPORTER_OTLP_HEADERS: 'api-key=very-secret',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25',
  };
  const config = loadConfig<Record<string, unknown>>(schema, env);
  assert.equal(config.OTEL_TRACES_SAMPLER_ARG, 0.25);
  assert.equal(config.OTEL_SDK_DISABLED, false);
  assert.equal(redactConfig(schema, config).OTEL_EXPORTER_OTLP_HEADERS, '[redacted]');
  assert.throws(
    () =>
      loadConfig(schema, {
        ...env,
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_TRACES_EXPORTER: 'jaeger',
      }),
    (e: Error) =>
      /OTEL_TRACES_SAMPLER /.test(e.message) &&
      /OTEL_TRACES_SAMPLER_ARG/.test(e.message) &&
      /OTEL_TRACES_EXPORTER/.test(e.message),
  );
});

test('resource attributes are read as key=value pairs, values percent-decoded', () => {
  assert.deepEqual(resourceAttributesOf('deployment.environment.name=prod, team=a%2Cb'), {
    'deployment.environment.name': 'prod',
    team: 'a,b',
  });
  assert.deepEqual(resourceAttributesOf(undefined), {});
  assert.throws(() => resourceAttributesOf('novalue'), TracingError);
});

test('an export the collector refuses is logged by the service, as JSON with the OpenTelemetry component', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger('tracing-test', 'warn', {
    write: (line: string) => void lines.push(JSON.parse(line)),
  });
  const tracing = startTracing({
    serviceName: 'tracing-test',
    logger: log,
    spanProcessors: [
      new SimpleSpanProcessor({
        exporter: {
          export: (_spans, done) =>
            done({ code: ExportResultCode.FAILED, error: new Error('collector refused') }),
          shutdown: async () => {},
        },
      }),
    ],
  });
  try {
    trace.getTracer('x').startSpan('refused').end();
    await waitFor('the logged export failure', async () =>
      lines.find((l) => l.component === 'opentelemetry' && JSON.stringify(l).includes('collector refused')),
    );
  } finally {
    await tracing.shutdown();
  }
});

test('tracing starts once per process and its shutdown releases the global providers', async (t) => {
  assert.equal(tracingStarted(), false);
  const { tracing } = traceInMemory(t);
  assert.equal(tracingStarted(), true);
  assert.throws(() => startTracing({ serviceName: 'again' }), TracingError);
  await tracing.shutdown();
  assert.equal(tracingStarted(), false);
});

test('without an SDK, NATS headers still get a traceparent in the parent trace, with a span id of its own', () => {
  assert.equal(tracingStarted(), false);
  const parent = childTraceparent();
  const h = natsHeaders();
  const written = injectMessageContext(ROOT_CONTEXT, h, () => childTraceparent(parent));
  assert.equal(h.get('traceparent'), written);
  assert.equal(traceIdOf(written), traceIdOf(parent));
  assert.notEqual(written, parent);
  assert.equal(trace.getSpan(extractMessageContext(h)), undefined, 'no propagator reads it');
});

test("with the SDK, a span's context goes into NATS headers and comes back out as its remote parent", (t) => {
  traceInMemory(t);
  const span = trace.getTracer('header-test').startSpan('send x', { kind: SpanKind.PRODUCER });
  const h = natsHeaders();
  const written = injectMessageContext(trace.setSpan(ROOT_CONTEXT, span), h, childTraceparent);
  span.end();
  const sc = span.spanContext();
  assert.equal(written, `00-${sc.traceId}-${sc.spanId}-01`);
  const extracted = trace.getSpanContext(extractMessageContext(h));
  assert.ok(sameSpan(extracted, sc));
  assert.equal(extracted?.isRemote, true);
});

test(
  'an event published inside a span is handled in a CONSUMER span, child of the PRODUCER span, child of the caller',
  limit,
  async (t) => {
    const { exporter } = traceInMemory(t);
    const bus = await natsBus(t, 'publisher-svc');
    const handled: Array<{ active: SpanContext | undefined; traceparent: string }> = [];
    await bus.consume(
      { durable: uniqueName('c'), stream: streams.tenantEvents, types: ['ocp.tenant.created.v1'] },
      async (_event, ctx) => {
        handled.push({ active: trace.getActiveSpan()?.spanContext(), traceparent: ctx.traceparent });
      },
    );
    const t1 = tenant('globex');
    const caller = trace.getTracer('caller').startSpan('caller');
    await context.with(trace.setSpan(context.active(), caller), () =>
      bus.publish(
        makeEvent(
          'ocp.tenant.created.v1',
          { tenant: t1, operationId: randomUUID() },
          { source: 'test', subject: t1.id },
        ),
      ),
    );
    caller.end();
    const consumer = await waitFor('the consumer span', async () =>
      exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER),
    );
    const spans = exporter.getFinishedSpans();
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER);
    assert.ok(producer);
    assert.equal(producer.name, `send ${consumer.attributes['messaging.destination.name']}`);
    assert.equal(producer.attributes['messaging.system'], 'nats');
    assert.equal(producer.instrumentationScope.name, 'publisher-svc');
    assert.ok(
      sameSpan(producer.parentSpanContext, caller.spanContext()),
      'the producer is the caller’s child',
    );
    assert.ok(
      sameSpan(consumer.parentSpanContext, producer.spanContext()),
      'the consumer is the producer’s child',
    );
    assert.equal(consumer.attributes['cloudevents.event_type'], 'ocp.tenant.created.v1');
    assert.equal(handled.length, 1);
    assert.ok(sameSpan(handled[0]?.active, consumer.spanContext()), 'the handler runs in the consumer span');
    const sc = consumer.spanContext();
    assert.equal(handled[0]?.traceparent, `00-${sc.traceId}-${sc.spanId}-01`);
  },
);

test(
  'a request is answered in a SERVER span, child of the caller’s PRODUCER span, whose traceparent it hands on',
  limit,
  async (t) => {
    const { exporter } = traceInMemory(t);
    const bus = await natsBus(t, 'rpc-svc');
    const t1 = tenant('initech');
    let seen: { active: SpanContext | undefined; traceparent: string } | undefined;
    bus.serve('tenant.get.v1', async (_req, ctx) => {
      seen = { active: trace.getActiveSpan()?.spanContext(), traceparent: ctx.traceparent };
      return { tenant: t1 };
    });
    // A stored traceparent (an operation's, an outbox row's) names the parent when there is no span.
    const stored = childTraceparent();
    await bus.request('tenant.get.v1', { slug: 'initech' }, { traceparent: stored });
    const spans: ReadableSpan[] = exporter.getFinishedSpans();
    const client = spans.find((s) => s.kind === SpanKind.PRODUCER);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    assert.ok(client && server);
    assert.equal(client.spanContext().traceId, traceIdOf(stored));
    assert.equal(client.parentSpanContext?.spanId, stored.split('-')[2]);
    assert.ok(sameSpan(server.parentSpanContext, client.spanContext()));
    assert.ok(sameSpan(seen?.active, server.spanContext()));
    assert.equal(seen?.traceparent.split('-')[2], server.spanContext().spanId);
  },
);

/** A service of the runtime, with its own database and NATS server; removed after the test. */
async function serviceRig(t: test.TestContext, env: Record<string, string> = {}) {
  const db = await createTestDatabase('ocp_tracing_');
  const nats = await startNats();
  const started: Array<{ close(): Promise<void> }> = [];
  // The services stop before their NATS server and database go.
  t.after(async () => {
    for (const s of started) await s.close();
    await nats.dispose();
    await db.drop();
  });
  const def = defineService({
    name: uniqueName('svc'),
    configSchema: {
      type: 'object',
      properties: { ...commonConfig, HTTP_PORT: { ...commonConfig.HTTP_PORT, default: 0 } },
      required: ['DATABASE_URL'],
    },
    async start(rt) {
      return { tracer: rt.tracer };
    },
  });
  const config = loadServiceConfig(def, { DATABASE_URL: db.url, NATS_URL: nats.url, ...env });
  return {
    def,
    config,
    async start(opts: Parameters<typeof runService>[2] = {}) {
      const service = await runService(def, config, { logger, ...opts });
      started.push(service);
      return service;
    },
  };
}

test(
  'a service given the process’s tracing traces into it with a tracer of its own name, and leaves it running when it stops',
  limit,
  async (t) => {
    const { exporter, tracing } = traceInMemory(t);
    const rig = await serviceRig(t);
    const service = await rig.start({ tracing });
    assert.equal(service.tracing, true);
    service.parts.tracer.startSpan('work').end();
    await service.close();
    assert.deepEqual(
      exporter.getFinishedSpans().map((s) => [s.name, s.instrumentationScope.name]),
      [['work', rig.def.name]],
    );
    assert.equal(tracingStarted(), true, 'the caller shuts it down, not the service');
  },
);

test(
  'a service whose config turns tracing on starts the SDK and shuts it down in the last phase of its stop',
  limit,
  async (t) => {
    // The config alone decides. (The SDK makes its exporter from the process's environment; no span
    // of this test ends, so nothing is sent.)
    const rig = await serviceRig(t, { OTEL_TRACES_EXPORTER: 'console', OTEL_SDK_DISABLED: 'false' });
    const service = await rig.start();
    assert.equal(service.tracing, true);
    assert.equal(tracingStarted(), true);
    assert.equal(service.parts.tracer.startSpan('probe').isRecording(), true);
    await service.close();
    assert.equal(tracingStarted(), false, 'the SDK is shut down and the globals released');
  },
);

test(
  'a service whose config leaves tracing off starts no SDK and its tracer makes no spans',
  limit,
  async (t) => {
    const service = await (await serviceRig(t)).start();
    assert.equal(service.tracing, false);
    assert.equal(tracingStarted(), false);
    assert.equal(service.parts.tracer.startSpan('probe').isRecording(), false);
  },
);
