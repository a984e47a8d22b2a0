import type { OutboxRelay } from '@ocp/db';
import { Gauge, type Registry } from 'prom-client';

/**
 * The outbox's backlog, read from the service's database at each scrape (each replica reads the
 * same table, so dashboards take the `max` across replicas, never the sum).
 */
export function registerOutboxMetrics(registry: Registry, relay: OutboxRelay): void {
  new Gauge({
    name: 'ocp_outbox_pending',
    help: 'Events written but not yet published to JetStream.',
    registers: [registry],
    async collect() {
      this.set(await relay.pending());
    },
  });
  new Gauge({
    name: 'ocp_outbox_oldest_pending_age_seconds',
    help: 'Seconds since the oldest event not yet published was written (0 when none waits): a relay falling behind or stuck.',
    registers: [registry],
    async collect() {
      this.set(await relay.oldestPendingAgeSeconds());
    },
  });
  new Gauge({
    name: 'ocp_outbox_dead_letters',
    help: 'Events the outbox relay gave up on (ocp_outbox_dead); alert above 0.',
    registers: [registry],
    async collect() {
      this.set(await relay.deadLettered());
    },
  });
}
