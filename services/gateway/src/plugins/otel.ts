import { FastifyOtelInstrumentation } from '@fastify/otel';
import { traceparentOf } from '@ocp/bus';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';

/** Probes and scrapes: many, alike, and of no interest in a trace. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

const pathOf = (url: string) => url.split('?')[0] ?? '';

/** Names the request's span as HTTP's semantic conventions do: method and route pattern. */
function nameRequestSpan(span: { updateName(name: string): unknown }, req: FastifyRequest): void {
  span.updateName(`${req.method} ${req.routeOptions.url ?? 'unmatched'}`);
}

/**
 * The gateway's HTTP spans, by fastify's own instrumentation (`@fastify/otel`): a SERVER span for
 * each request (its parent the caller's `traceparent`, when it sends one) and a child span for its
 * route handler, in whose context the handler runs. So the bus's requests and publishes made while
 * answering are spans of the request's trace, which goes on over NATS. Lifecycle hooks get no spans
 * of their own. Registered first, before any route or hook, and only when the service traces: the
 * instrumentation wraps the routes as they are declared.
 */
export function otelPlugin(): FastifyPluginCallback {
  const instrumentation = new FastifyOtelInstrumentation({
    ignorePaths: ({ url }) => UNTRACED.has(pathOf(url)),
    instrumentHooks: false,
    requestHook: nameRequestSpan,
  });
  return instrumentation.plugin();
}

/**
 * The traceparent of the request's span, for what the request writes to the outbox (its audit
 * entry), so the relay's later publish continues the request's trace; undefined when the gateway
 * does not trace or skips the route.
 */
export function requestTraceparent(req: FastifyRequest): string | undefined {
  if (typeof req.opentelemetry !== 'function') return undefined;
  const otel = req.opentelemetry();
  return otel.instrumented && otel.context ? traceparentOf(otel.context) : undefined;
}
