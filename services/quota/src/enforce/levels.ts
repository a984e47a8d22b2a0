/** The figures of a usage sample that a plan limits. */
export const METRICS = [
  'activeUsers',
  'databaseBytes',
  'filestoreBytes',
  'backupBytes',
  'backupGenerations',
] as const;
export type Metric = (typeof METRICS)[number];

/** Where a figure stands against its limit. */
export type Level = 'ok' | 'warning' | 'exceeded' | 'unlimited';
export type Levels = Record<Metric, Level>;

/** Each limit a non-negative integer, or null: unlimited. */
export type Limits = Record<Metric, number | null>;
/** A sample's figures; null where a figure could not be measured. */
export type Figures = Record<Metric, number | null>;

/** The levels of a tenant nothing has been measured for yet. */
export const initialLevels = (): Levels => ({
  activeUsers: 'ok',
  databaseBytes: 'ok',
  filestoreBytes: 'ok',
  backupBytes: 'ok',
  backupGenerations: 'ok',
});

/**
 * The limits that apply to a tenant: the plan's, each replaced by the override's where the
 * override names it (an override of null makes that figure unlimited).
 */
export function effectiveLimits(plan: Limits, override: Partial<Limits> | null | undefined): Limits {
  const out = { ...plan };
  if (!override) return out;
  for (const m of METRICS) if (m in override && override[m] !== undefined) out[m] = override[m] ?? null;
  return out;
}

/** Usage as a percentage of the limit (a zero limit: any usage is 100 % or more). */
export function percentOf(usage: number, limit: number): number {
  if (limit === 0) return usage === 0 ? 0 : 100;
  return (usage / limit) * 100;
}

/**
 * The level of one figure. Undefined when the figure was not measured: an unmeasured figure
 * keeps the level it had, so a tenant whose database is unreachable for a scan is neither
 * warned nor let off.
 */
export function levelOf(
  usage: number | null,
  limit: number | null,
  warningPercent: number,
): Level | undefined {
  if (limit === null) return 'unlimited';
  if (usage === null) return undefined;
  // A zero limit allows nothing, and nothing is within it.
  if (limit === 0) return usage > 0 ? 'exceeded' : 'ok';
  // At the limit exactly counts as reached (100 %): two users of two is the whole allowance.
  if (usage >= limit) return 'exceeded';
  const percent = percentOf(usage, limit);
  if (percent >= warningPercent) return 'warning';
  return 'ok';
}
