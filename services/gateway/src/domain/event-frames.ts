import type { Backup, CloudEvent, MessageType, Operation, Tenant } from '@ocp/contracts';
import type { Permission } from './permissions.ts';

/**
 * What the live event stream (GET /api/v1/events) sends of each platform event, and to whom. Pure:
 * the route writes these frames, the feed decides nothing about who sees what.
 */

/** `event: tenant`: a tenant lifecycle event, with the tenant as it is after it. */
export interface TenantFrame {
  /** The CloudEvents type, e.g. `ocp.tenant.activated.v1`. */
  type: string;
  /** When it happened (RFC 3339). */
  time: string;
  tenantId: string;
  tenant: Tenant;
  /** The operation that made it (a restore's operation of the backup service too), when there is one. */
  operationId?: string;
  /** The suspension reason of a suspension or resumption. */
  reason?: string;
  /** The module of a module install, upgrade or uninstall. */
  module?: string;
}

/** `event: operation`: an operation changed state or progress; as GET /api/v1/operations/{id} answers it. */
export interface OperationFrame {
  operation: Operation;
}

/** `event: backup`: a backup completed, failed or was drilled. */
export interface BackupFrame {
  type: string;
  time: string;
  tenantId: string;
  backup: Backup;
}

export type FeedFrame =
  | { event: 'tenant'; tenantId: string; permission: Permission; data: TenantFrame }
  | { event: 'operation'; tenantId: string; permission: Permission; data: OperationFrame }
  | { event: 'backup'; tenantId: string; permission: Permission; data: BackupFrame };

const backupTypes = new Set<MessageType>([
  'ocp.backup.completed.v1',
  'ocp.backup.failed.v1',
  'ocp.backup.drilled.v1',
]);

/**
 * The frame of a checked event, or undefined for events the stream does not carry (a pruned
 * backup; anything of another stream).
 */
export function frameOf(event: CloudEvent): FeedFrame | undefined {
  if (event.type === 'ocp.operation.updated.v1' || event.type === 'ocp.backup.operation_updated.v1') {
    const { operation } = event.data as { operation: Operation };
    return {
      event: 'operation',
      tenantId: operation.tenantId,
      permission: 'operations:read',
      data: { operation },
    };
  }
  if (backupTypes.has(event.type)) {
    const { backup } = event.data as { backup: Backup };
    return {
      event: 'backup',
      tenantId: backup.tenantId,
      permission: 'backups:read',
      data: { type: event.type, time: event.time, tenantId: backup.tenantId, backup },
    };
  }
  if (event.type.startsWith('ocp.tenant.')) {
    const d = event.data as {
      tenant?: Tenant;
      operationId?: string;
      restoreId?: string;
      reason?: string;
      module?: string;
    };
    if (!d.tenant) return undefined;
    const operationId = d.operationId ?? d.restoreId;
    return {
      event: 'tenant',
      tenantId: d.tenant.id,
      permission: 'tenants:read',
      data: {
        type: event.type,
        time: event.time,
        tenantId: d.tenant.id,
        tenant: d.tenant,
        ...(operationId ? { operationId } : {}),
        ...(typeof d.reason === 'string' ? { reason: d.reason } : {}),
        ...(typeof d.module === 'string' ? { module: d.module } : {}),
      },
    };
  }
  return undefined;
}

/** Who is watching: what they may read now, and the tenants they are limited to, if any. */
export interface Viewer {
  permissions: ReadonlySet<Permission>;
  tenantIds: readonly string[] | undefined;
}

/** A frame reaches a viewer who holds its permission, for a tenant within the viewer's scope. */
export function visibleTo(frame: FeedFrame, viewer: Viewer): boolean {
  if (!viewer.permissions.has('tenants:read') || !viewer.permissions.has(frame.permission)) return false;
  return viewer.tenantIds === undefined || viewer.tenantIds.includes(frame.tenantId);
}
