import type {
  PartialLimits,
  PlanLimits,
  QuotaLevel,
  QuotaLevels,
  QuotaMetric,
  UsageSample,
} from '@ocp/contracts';

/** Every metric a plan limits, in the order screens show them. */
export const METRICS: readonly QuotaMetric[] = [
  'activeUsers',
  'databaseBytes',
  'filestoreBytes',
  'backupBytes',
  'backupGenerations',
];

/** No limit on anything: the limits of a tenant whose plan is not in the catalog. */
export const UNLIMITED: PlanLimits = {
  activeUsers: null,
  databaseBytes: null,
  filestoreBytes: null,
  backupBytes: null,
  backupGenerations: null,
};

/** A tenant's limits: its plan's, with each metric its override names taken from the override. */
export function effectiveLimits(plan: PlanLimits, override: PartialLimits | undefined): PlanLimits {
  const out: PlanLimits = { ...plan };
  if (!override) return out;
  for (const m of METRICS) if (Object.hasOwn(override, m)) out[m] = override[m] ?? null;
  return out;
}

/**
 * Where a figure stands against its limit. Exceeded means over the limit, not at it: a plan of two
 * users lets a tenant have two. The warning starts at `warningPercent` of the limit (inclusive),
 * so a tenant at its limit is warned, not refused; a limit of 0 is reached by any use at all.
 */
export function levelOf(
  usage: number | null | undefined,
  limit: number | null,
  warningPercent: number,
): QuotaLevel {
  if (limit === null) return 'unlimited';
  if (usage === null || usage === undefined) return 'unknown';
  if (usage > limit) return 'exceeded';
  if (limit > 0 && usage * 100 >= limit * warningPercent) return 'warning';
  if (limit === 0 && usage > 0) return 'exceeded';
  return 'ok';
}

/** The level of every metric of a sample against limits. */
export function levelsOf(
  limits: PlanLimits,
  sample: UsageSample | null,
  warningPercent: number,
): QuotaLevels {
  const out = {} as QuotaLevels;
  for (const m of METRICS) out[m] = levelOf(sample ? sample[m] : null, limits[m], warningPercent);
  return out;
}
