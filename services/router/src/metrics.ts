import type { Route } from '@ocp/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RenderOutcome } from './nginx-output.ts';

const STATES: readonly Route['state'][] = ['active', 'suspended', 'restoring', 'migrating'];

export interface RouterMetrics {
  rendered(outcome: RenderOutcome, rejected: number, hosts: number): void;
}

/** The router's own series, beside the runtime's. */
export function registerRouterMetrics(registry: Registry, routes: () => Iterable<Route>): RouterMetrics {
  new Gauge({
    name: 'ocp_router_routes',
    help: 'Tenants the router has a route for, by tenant state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(STATES.map((s) => [s, 0]));
      for (const r of routes()) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  const hosts = new Gauge({
    name: 'ocp_router_hosts',
    help: 'Host names in the last configuration written.',
    registers: [registry],
  });
  const rejected = new Gauge({
    name: 'ocp_router_rejected_values',
    help: 'Hosts or routes left out of the last render (not a host name, an unsafe database name or upstream, a host claimed twice or the control host); above 0 deserves a look.',
    registers: [registry],
  });
  const renders = new Counter({
    name: 'ocp_router_renders_total',
    help: 'Renders of the NGINX configuration, by outcome: unchanged (the file already held it), written (no NGINX to reload), reloaded, reload_failed (written, NGINX not signalled), failed (not written).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of ['unchanged', 'written', 'reloaded', 'reload_failed', 'failed'])
    renders.inc({ outcome }, 0);
  const last = new Gauge({
    name: 'ocp_router_last_render_timestamp_seconds',
    help: 'When the configuration on disk last matched the routes (a render that did not fail), Unix time.',
    registers: [registry],
  });
  return {
    rendered(outcome, rejectedCount, hostCount) {
      renders.inc({ outcome });
      if (outcome === 'failed') return;
      last.set(Date.now() / 1000);
      rejected.set(rejectedCount);
      hosts.set(hostCount);
    },
  };
}
