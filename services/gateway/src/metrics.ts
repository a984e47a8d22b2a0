import type { OutboxRelay } from '@ocp/db';
import { Gauge, type Registry } from 'prom-client';

/** The gateway's own metrics: audit entries not yet on the AUDIT stream. */
export function registerGatewayMetrics(registry: Registry, relay: OutboxRelay): void {
  new Gauge({
    name: 'ocp_outbox_pending',
    help: 'Events written but not yet published to JetStream.',
    registers: [registry],
    async collect() {
      this.set(await relay.pending());
    },
  });
}
