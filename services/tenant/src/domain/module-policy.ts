/** What the tenant service knows of a tenant's plan and enforcement (its own copy). */
export interface QuotaCopy {
  plan: string;
  /** The plan as last announced by the quota service; undefined when the copy has no such plan. */
  known?: { allowedModules: readonly string[] | null };
  installsBlocked: boolean;
}

export type ModuleAction = 'install' | 'upgrade' | 'uninstall';

/** A refusal: the error code and what the operator is told. */
export interface ModuleRefusal {
  code: 'QUOTA_MODULE_NOT_ALLOWED' | 'QUOTA_EXCEEDED';
  message: string;
}

/**
 * Whether a module operation is refused by the tenant's plan, decided from the last known copy
 * so that the quota service being down never holds module operations up.
 * - The allowed list applies to install and upgrade: an upgrade runs the module's new code and
 *   data migrations, which is using it. Uninstall is always allowed: it is how a tenant gets back
 *   inside its plan (after a plan change removed a module from the list, say).
 * - Blocked installs (a limit reached) refuse install only: an upgrade or an uninstall adds no
 *   users or data of note, and an upgrade may be a security fix.
 * - A plan the copy does not know (its event not received yet) refuses nothing: the caller logs it.
 */
export function refuseModuleOperation(
  action: ModuleAction,
  module: string,
  copy: QuotaCopy,
): ModuleRefusal | undefined {
  if (action === 'uninstall') return undefined;
  const allowed = copy.known?.allowedModules;
  if (allowed && !allowed.includes(module)) {
    return {
      code: 'QUOTA_MODULE_NOT_ALLOWED',
      message: `the module "${module}" is not in plan "${copy.plan}"'s allowed modules (${allowed.join(', ') || 'none'}); choose another plan or ask for an override of its allowed modules`,
    };
  }
  if (action === 'install' && copy.installsBlocked) {
    return {
      code: 'QUOTA_EXCEEDED',
      message: `module installs are blocked: the tenant has reached a limit of plan "${copy.plan}"; bring its usage back under the limit (see GET /api/v1/tenants/{tenant}/quota) or raise the limit`,
    };
  }
  return undefined;
}
