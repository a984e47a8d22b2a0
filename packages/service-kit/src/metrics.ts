import type { BusHooks } from '@ocp/bus';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

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
  const busHooks: BusHooks = {
    onHandled(consumer, type, outcome, ms) {
      handled.inc({ consumer, type, outcome });
      handleSeconds.observe({ consumer, type }, ms / 1000);
    },
    onPublished(subject) {
      published.inc({ subject });
    },
  };
  return { registry, busHooks };
}

export type Metrics = ReturnType<typeof createMetrics>;
