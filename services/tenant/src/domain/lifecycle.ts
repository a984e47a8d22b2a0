import type { Operation, Tenant } from '@ocp/contracts';

export type TenantState = Tenant['state'];
export type SuspensionReason = Tenant['suspensionReasons'][number];
/** The kinds of the tenant service's own operations (the backup service runs the `backup.*` ones). */
export type OperationKind = Extract<Operation['kind'], `tenant.${string}`>;

/** The states an operation of each kind may start from. */
const startStates: Record<OperationKind, readonly TenantState[]> = {
  'tenant.provision': ['pending', 'provisioning', 'failed'],
  'tenant.suspend': ['active', 'suspended'],
  'tenant.resume': ['suspended'],
  'tenant.delete': ['pending', 'failed', 'active', 'suspended', 'deleting'],
  // Odoo changes a running database only: a suspended one refuses connections.
  'tenant.module_install': ['active'],
  'tenant.module_upgrade': ['active'],
  'tenant.module_uninstall': ['active'],
  // Runs on the new tenant (the copy), like its provisioning; the source must be active.
  'tenant.duplicate': ['pending', 'provisioning', 'failed'],
  'tenant.rename': ['active'],
  // The end of a deletion's grace period.
  'tenant.purge': ['deleting'],
};

/** Why an operation cannot start from a state, or undefined when it can. */
export function refuseOperation(kind: OperationKind, state: TenantState): string | undefined {
  if (startStates[kind].includes(state)) return undefined;
  const verb = kind.slice('tenant.'.length);
  return `a tenant in state ${state} cannot be asked to ${verb}; allowed from: ${startStates[kind].join(', ')}`;
}

/** Adding a suspension reason: the reasons after it, and whether the database must be locked now. */
export function addReason(reasons: readonly SuspensionReason[], reason: SuspensionReason) {
  const next = reasons.includes(reason) ? [...reasons] : [...reasons, reason].sort();
  return { reasons: next, changed: next.length !== reasons.length, lock: reasons.length === 0 };
}

/**
 * Clearing one suspension reason never clears another: the tenant resumes only when none is left.
 */
export function clearReason(reasons: readonly SuspensionReason[], reason: SuspensionReason) {
  const next = reasons.filter((r) => r !== reason);
  return {
    reasons: next,
    changed: next.length !== reasons.length,
    unlock: next.length === 0 && reasons.length > 0,
  };
}

/** Database and role name of a tenant: the prefix and the slug, hyphens as underscores. */
export function databaseNameFor(prefix: string, slug: string): string {
  return `${prefix}${slug.replaceAll('-', '_')}`;
}
