import type { Operation, Tenant } from '@ocp/contracts';
import type { OperationKind } from '../domain/lifecycle.ts';

export interface TenantRow {
  id: string;
  slug: string;
  display_name: string;
  plan: string;
  state: Tenant['state'];
  suspension_reasons: Tenant['suspensionReasons'];
  database_name: string;
  database_server_id: string | null;
  db_password_sealed: string | null;
  runtime_id: string | null;
  db_owner: string | null;
  admin_login: string | null;
  admin_password_sealed: string | null;
  admin_password_hash: string | null;
  company_name: string | null;
  base_url: string | null;
  source_tenant_id: string | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  /** The restore holding the tenant in state `restoring`, and the state it goes back to. */
  restore_id: string | null;
  restore_previous_state: 'pending' | 'active' | 'suspended' | null;
  /** A deletion's grace period: when the database and files go, and the state it was deleted from. */
  purge_after: Date | null;
  deleting_from: 'pending' | 'provisioning' | 'failed' | 'active' | 'suspended' | null;
  final_backup_id: string | null;
  /** A move in progress: where the tenant goes. */
  move_target: { serverId: string; runtimeId: string | null; owner: string } | null;
  /** The customer at the billing provider, from billing's subscription events. */
  billing_customer_id: string | null;
  /** The verified custom domains, in name order (copied from tenant_domains). */
  custom_domains: string[];
}

export interface OperationRow {
  id: string;
  kind: OperationKind;
  tenant_id: string;
  state: Operation['state'];
  progress: number;
  step: string | null;
  error: string | null;
  attempts: number;
  params: {
    reason?: Tenant['suspensionReasons'][number];
    /** Module operations: the module's technical name. */
    module?: string;
    /** A duplicate: the tenant copied, and whether the copy is neutralised. */
    sourceTenantId?: string;
    neutralize?: boolean;
    /** A rename: the new slug. */
    slug?: string;
  };
  result: Record<string, unknown> | null;
  actor: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** The worker running it while its lease lives (`@ocp/operations`). */
  leased_by: string | null;
  lease_expires_at: Date | null;
  /** Not claimed before this: a retry's backoff. */
  run_after: Date;
  /** The trace of the request that queued it; its steps' events continue it. */
  traceparent: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The public shape of a tenant: never its sealed password. */
export function toTenant(r: TenantRow): Tenant {
  return {
    id: r.id,
    slug: r.slug,
    displayName: r.display_name,
    plan: r.plan,
    state: r.state,
    suspensionReasons: r.suspension_reasons,
    databaseName: r.database_name,
    databaseServerId: r.database_server_id,
    runtimeId: r.runtime_id,
    adminLogin: r.admin_login,
    companyName: r.company_name,
    baseUrl: r.base_url,
    sourceTenantId: r.source_tenant_id,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    deletedAt: iso(r.deleted_at),
    purgeAfter: iso(r.purge_after ?? null),
    finalBackupId: r.final_backup_id ?? null,
    billingCustomerId: r.billing_customer_id ?? null,
  };
}

export function toOperation(r: OperationRow): Operation {
  return {
    id: r.id,
    kind: r.kind,
    tenantId: r.tenant_id,
    state: r.state,
    progress: r.progress,
    step: r.step,
    error: r.error,
    attempts: r.attempts,
    result: r.result,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}
