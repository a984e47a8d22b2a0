import type { Route } from '@ocp/contracts';
import { databaseName, hostName, hostPort } from './names.ts';

/** What NGINX does with a host: serve it from a runtime, or answer 503 itself. */
export type HostState = Route['state'];

/** One host as the configuration names it, every value checked. */
export interface HostEntry {
  host: string;
  tenantId: string;
  state: HostState;
  database: string;
  /** Absent when the tenant is on no runtime: the host is answered 503. */
  upstream?: { http: string; websocket: string };
}

/** A value the router left out of the configuration, and why. */
export interface Rejection {
  tenantId: string;
  reason: string;
}

/** The hosts to render, in a stable order, and what was left out. */
export interface RoutePlan {
  hosts: HostEntry[];
  rejected: Rejection[];
}

/**
 * Turns the tenants' routes into the hosts NGINX will serve. A route whose database is not a safe
 * name, or whose upstream is not `host:port`, is left out whole; a host that is not a host name,
 * that is the control plane's own host, or that an earlier tenant (by id) already claims is left
 * out alone. The order is by host, so the same routes always give the same text.
 */
export function planRoutes(routes: Iterable<Route>, opts: { reservedHosts: readonly string[] }): RoutePlan {
  const reserved = new Set(opts.reservedHosts);
  const claimed = new Map<string, HostEntry>();
  const rejected: Rejection[] = [];
  const sorted = [...routes].sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  for (const route of sorted) {
    const database = databaseName(route.database);
    if (!database) {
      rejected.push({ tenantId: route.tenantId, reason: 'database name is not a safe name' });
      continue;
    }
    let upstream: HostEntry['upstream'];
    if (route.upstream) {
      const http = hostPort(route.upstream.http);
      const websocket = hostPort(route.upstream.websocket);
      if (!http || !websocket) {
        rejected.push({ tenantId: route.tenantId, reason: 'upstream is not host:port' });
        continue;
      }
      upstream = { http, websocket };
    }
    for (const raw of route.hosts) {
      const host = hostName(raw);
      if (!host) {
        rejected.push({ tenantId: route.tenantId, reason: 'a host is not a host name' });
        continue;
      }
      if (reserved.has(host)) {
        rejected.push({ tenantId: route.tenantId, reason: `host ${host} is the control plane's` });
        continue;
      }
      const holder = claimed.get(host);
      if (holder) {
        if (holder.tenantId !== route.tenantId)
          rejected.push({ tenantId: route.tenantId, reason: `host ${host} is tenant ${holder.tenantId}'s` });
        continue;
      }
      claimed.set(host, {
        host,
        tenantId: route.tenantId,
        state: route.state,
        database,
        ...(upstream ? { upstream } : {}),
      });
    }
  }
  const hosts = [...claimed.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return { hosts, rejected };
}
