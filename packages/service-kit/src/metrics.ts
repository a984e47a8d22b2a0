import type { BusHooks } from '@ocp/bus';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Answers that mean the service failed, not the request: what an error rate counts. */
const RPC_FAILURES = new Set(['INTERNAL', 'DATABASE_UNAVAILABLE']);
const rpcOutcome = (code: string) => (code === 'ok' ? 'ok' : RPC_FAILURES.has(code) ? 'failed' : 'refused');

/** A service's metric registry, with default process metrics and the bus and HTTP metrics. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const handled = new Counter({
    name: 'ocp_bus_messages_handled_total',
    help: 'Messages handled by a JetStream consumer, by outcome (ack, retry, dead_letter, ignored).',
    labelNames: ['consumer', 'type', 'outcome'],
    registers: [registry],
  });
  const handleSeconds = new Histogram({
    name: 'ocp_bus_handle_duration_seconds',
    help: 'Time a consumer spent on a message.',
    labelNames: ['consumer', 'type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const published = new Counter({
    name: 'ocp_bus_messages_published_total',
    help: 'Messages published to JetStream, by subject.',
    labelNames: ['subject'],
    registers: [registry],
  });
  const served = new Counter({
    name: 'ocp_rpc_requests_total',
    help: 'Request/reply methods answered, by method, outcome (ok; refused: the request was wrong or the domain said no; failed: the service could not answer) and error code (`ok` when none).',
    labelNames: ['method', 'outcome', 'code'],
    registers: [registry],
  });
  const servedSeconds = new Histogram({
    name: 'ocp_rpc_request_duration_seconds',
    help: 'Time from a request/reply request arriving to its answer (a wait for a free handler included), by method.',
    labelNames: ['method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const busHooks: BusHooks = {
    onHandled(consumer, type, outcome, ms) {
      handled.inc({ consumer, type, outcome });
      handleSeconds.observe({ consumer, type }, ms / 1000);
    },
    onPublished(subject) {
      published.inc({ subject });
    },
    onServed(method, code, ms) {
      served.inc({ method, outcome: rpcOutcome(code), code });
      servedSeconds.observe({ method }, ms / 1000);
    },
  };
  const requests = new Counter({
    name: 'ocp_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern (`unmatched` when no route took it) and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'ocp_http_request_duration_seconds',
    help: 'Time from a request to its answer, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  /**
   * Counts and times every answer of `app` (rate, errors, duration). Labelled by the route's pattern
   * (`/api/v1/tenants/:tenant`), never the path, so the series stay bounded; call it before the app
   * listens. A hook on the root applies to every route, those of encapsulated plugins included.
   */
  const observeHttp = (app: FastifyInstance) => {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      requests.inc({ method: req.method, route, status: String(reply.statusCode) });
      requestSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    });
  };
  return { registry, busHooks, observeHttp };
}

export type Metrics = ReturnType<typeof createMetrics>;
