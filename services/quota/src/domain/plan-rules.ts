import type { PlanInput } from '@ocp/contracts';

/** A plan that does not hold together: the JSON pointer of the value and why. */
export interface PlanProblem {
  field: string;
  message: string;
}

/**
 * What the schema cannot say about a plan: each default module must be one the plan allows, and a
 * usage-priced plan needs a user limit of its own to price (null is fine: unlimited users metered).
 * Returns the first problem, or undefined.
 */
export function planProblem(plan: PlanInput): PlanProblem | undefined {
  const allowed = plan.allowedModules ?? null;
  const defaults = plan.defaultModules ?? [];
  if (allowed !== null) {
    const outside = defaults.filter((m) => !allowed.includes(m));
    if (outside.length > 0)
      return {
        field: '/plan/defaultModules',
        message: `default modules must be among allowedModules; ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not (add ${outside.length === 1 ? 'it' : 'them'} to allowedModules, or set allowedModules to null for any module)`,
      };
  }
  return undefined;
}

/** Every module a plan names (allowed and default), each once, sorted. */
export function modulesNamed(plan: PlanInput): string[] {
  return [...new Set([...(plan.allowedModules ?? []), ...(plan.defaultModules ?? [])])].sort();
}
