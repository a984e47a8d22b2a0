import {
  type AuditRequestV1,
  type CloudEvent,
  durables,
  type MessageType,
  messages,
  type OperationUpdatedV1,
  type StreamDef,
} from '@ocp/contracts';
import { canonicalData, type EntryContent, type Outcome, storable } from './chain.ts';

/** Every message type the catalog names the audit service a consumer of. */
export type AuditedType = {
  [T in MessageType]: (typeof messages)[T]['consumers'] extends readonly (infer C)[]
    ? 'audit' extends C
      ? T
      : never
    : never;
}[MessageType];

/** The audited types carried on `stream`. */
export function auditedTypes(stream: StreamDef): AuditedType[] {
  return (Object.keys(messages) as MessageType[]).filter(
    (t): t is AuditedType =>
      (messages[t].consumers as readonly string[]).includes('audit') &&
      messages[t].stream.name === stream.name,
  );
}

/** The streams the audit log is made from, each read by a durable consumer of its own. */
export const AUDITED_STREAMS = [
  durables.auditTenantEvents,
  durables.auditOperationEvents,
  durables.auditRequests,
  durables.auditBillingEvents,
  durables.auditBackupEvents,
  durables.auditQuotaEvents,
] as const;

const optional = (s: string | null | undefined) => (s == null ? null : storable(s));

/** `ocp.tenant.suspended.v1` -> `tenant.suspended`. */
export const actionOf = (type: string) => type.replace(/^ocp\./, '').replace(/\.v\d+$/, '');

/** `ocp/tenant` -> `system:tenant`: an event a service emitted on its own. */
export const systemActor = (source: string) => `system:${source.split('/').pop() || source}`;

/**
 * What an event becomes in the audit log. A request the gateway saw carries its own actor, action,
 * target, tenant and outcome; a service's event is recorded as done by that service, its action is
 * the type without prefix and version, and it is about the tenant in its CloudEvents subject.
 */
export function toEntryContent(event: CloudEvent): EntryContent {
  const base = {
    id: storable(event.id),
    // Normalised (UTC, milliseconds), so that what is stored as a timestamp reads back as hashed.
    time: new Date(event.time).toISOString(),
    source: storable(event.source),
    type: event.type,
    data: canonicalData(event.data),
  };
  if (event.type === 'ocp.audit.request.v1') {
    const d = event.data as AuditRequestV1;
    return {
      ...base,
      actor: storable(d.actor),
      action: storable(d.action),
      target: optional(d.target),
      tenantId: optional(d.tenantId),
      outcome: d.outcome,
    };
  }
  const actor = systemActor(base.source);
  const action = actionOf(event.type);
  if (event.type === 'ocp.operation.updated.v1' || event.type === 'ocp.backup.operation_updated.v1') {
    const op = (event.data as OperationUpdatedV1).operation;
    return {
      ...base,
      actor,
      action,
      target: `operation:${op.id}`,
      tenantId: optional(event.subject ?? op.tenantId),
      outcome: op.state === 'failed' ? 'failed' : 'success',
    };
  }
  const tenantId = optional(event.subject ?? (event.data as { tenant?: { id?: string } }).tenant?.id);
  const failed =
    event.type === 'ocp.tenant.provisioning_failed.v1' ||
    event.type === 'ocp.backup.failed.v1' ||
    (event.type === 'ocp.tenant.restored.v1' && (event.data as { outcome?: string }).outcome === 'failed') ||
    (event.type === 'ocp.backup.drilled.v1' &&
      (event.data as { backup?: { drill?: { state?: string } } }).backup?.drill?.state === 'failed');
  const outcome: Outcome = failed ? 'failed' : 'success';
  return {
    ...base,
    actor,
    action,
    target: tenantId === null ? null : `tenant:${tenantId}`,
    tenantId,
    outcome,
  };
}
