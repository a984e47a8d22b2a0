import { randomUUID } from 'node:crypto';
import { type CloudEvent, makeEvent } from '@ocp/contracts';
import { canonicalData, type EntryContent } from '../../../services/audit/src/domain/chain.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A deterministic PRNG (mulberry32), so that two runs seed the same log. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The tenants, operators and days the seeded log is about. */
export interface World {
  tenants: string[];
  operators: string[];
  /** Midnight UTC of the first day. */
  start: number;
  days: number;
  random: () => number;
}

export function makeWorld(opts: { tenants: number; days: number }): World {
  const random = prng(20_240_501);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return {
    tenants: Array.from({ length: opts.tenants }, uuid),
    operators: Array.from({ length: 50 }, (_, i) => `operator:${uuid()}-${i}`),
    start: today - opts.days * DAY_MS,
    days: opts.days,
    random,
  };
}

const pick = <T>(w: World, xs: readonly T[]): T => xs[Math.floor(w.random() * xs.length)]!;

const TENANT_ACTIONS = ['created', 'provisioning', 'activated', 'suspended', 'resumed', 'deleting'] as const;
const REQUEST_ACTIONS = ['tenant.create', 'tenant.suspend', 'tenant.resume', 'tenant.delete', 'auth.login'];

/**
 * The i-th of n seeded entries, in time order over the world's days: half operation progress, a
 * third lifecycle events, the rest operators' requests (a few denied or failed), with data of the
 * sizes the real events have.
 */
export function seededEntry(w: World, i: number, n: number): EntryContent {
  const time = new Date(w.start + Math.floor((i * w.days * DAY_MS) / n)).toISOString();
  const tenantId = pick(w, w.tenants);
  const id = randomUUID();
  const r = w.random();
  if (r < 0.5) {
    const state = pick(w, ['queued', 'running', 'succeeded'] as const);
    const opId = randomUUID();
    return {
      id,
      time,
      source: 'ocp/tenant',
      type: 'ocp.operation.updated.v1',
      actor: 'system:tenant',
      action: 'operation.updated',
      target: `operation:${opId}`,
      tenantId,
      outcome: 'success',
      data: canonicalData({
        operation: {
          id: opId,
          kind: 'tenant.provision',
          tenantId,
          state,
          progress: state === 'succeeded' ? 100 : 30,
          step: 'creating the role and the database',
          error: null,
          attempts: 1,
          createdAt: time,
          updatedAt: time,
          startedAt: time,
          finishedAt: null,
        },
      }),
    };
  }
  if (r < 0.83) {
    const action = pick(w, TENANT_ACTIONS);
    return {
      id,
      time,
      source: 'ocp/tenant',
      type: `ocp.tenant.${action}.v1`,
      actor: 'system:tenant',
      action: `tenant.${action}`,
      target: `tenant:${tenantId}`,
      tenantId,
      outcome: 'success',
      data: canonicalData({
        tenant: {
          id: tenantId,
          slug: `t-${tenantId.slice(0, 8)}`,
          displayName: `Tenant ${tenantId.slice(0, 8)}`,
          plan: 'starter',
          state: 'active',
          suspensionReasons: [],
          databaseName: `t_${tenantId.slice(0, 8)}`,
          databaseServerId: null,
          createdAt: time,
          updatedAt: time,
        },
        operationId: randomUUID(),
      }),
    };
  }
  const o = w.random();
  const outcome = o < 0.9 ? 'success' : o < 0.97 ? 'denied' : 'failed';
  const data = requestData(w, tenantId, outcome);
  return {
    id,
    time,
    source: 'ocp/gateway',
    type: 'ocp.audit.request.v1',
    actor: data.actor,
    action: data.action,
    target: data.target,
    tenantId,
    outcome,
    data: canonicalData(data),
  };
}

function requestData(w: World, tenantId: string, outcome: 'success' | 'denied' | 'failed') {
  const action = pick(w, REQUEST_ACTIONS);
  return {
    actor: pick(w, w.operators),
    action,
    target: `tenant:${tenantId}`,
    tenantId,
    outcome,
    status: outcome === 'success' ? 202 : outcome === 'denied' ? 403 : 500,
    reason: outcome === 'success' ? null : 'refused',
    method: 'POST',
    path: `/api/v1/tenants/${tenantId}/${action.split('.')[1]}`,
    requestId: randomUUID(),
    sourceIp: '10.1.2.3',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) ocp-admin/1.0',
  };
}

/** An operator's request as the gateway would publish it now, about one of the world's tenants. */
export function requestEvent(w: World): CloudEvent<'ocp.audit.request.v1'> {
  const o = w.random();
  const data = requestData(w, pick(w, w.tenants), o < 0.9 ? 'success' : o < 0.97 ? 'denied' : 'failed');
  return makeEvent('ocp.audit.request.v1', data, { source: 'ocp/gateway' });
}

/** A random "one tenant, one day" of the seeded window: the filter the issue measures. */
export function tenantDay(w: World): { tenantId: string; from: string; to: string } {
  const day = Math.floor(w.random() * w.days);
  return {
    tenantId: pick(w, w.tenants),
    from: new Date(w.start + day * DAY_MS).toISOString(),
    to: new Date(w.start + (day + 1) * DAY_MS).toISOString(),
  };
}
