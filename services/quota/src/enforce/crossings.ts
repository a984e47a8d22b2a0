import type { PlanLimits, QuotaLevel, QuotaLevels, QuotaMetric } from '@ocp/contracts';
import { levelOf, METRICS } from '../domain/limits.ts';

/** A usage sample's figures; null where a figure could not be measured. */
export type Figures = Record<QuotaMetric, number | null>;

/** A threshold crossed by one figure, as the event that announces it. */
export type Crossing =
  | { kind: 'warning'; metric: QuotaMetric; usage: number; limit: number; percent: number }
  | { kind: 'exceeded'; metric: QuotaMetric; usage: number; limit: number }
  | { kind: 'back_under'; metric: QuotaMetric; usage: number; limit: number | null };

/** The levels of a tenant nothing has been judged for yet. */
export const unknownLevels = (): QuotaLevels => ({
  activeUsers: 'unknown',
  databaseBytes: 'unknown',
  filestoreBytes: 'unknown',
  backupBytes: 'unknown',
  backupGenerations: 'unknown',
});

const rank: Record<QuotaLevel, number> = { unknown: 0, unlimited: 0, ok: 0, warning: 1, exceeded: 2 };

/**
 * The levels after a sample, and the crossings to announce (levels as `levelOf` decides them:
 * warning from 80 % of the limit, exceeded over it). A crossing is announced once, when the level
 * changes, never because a scan finds the same level again:
 * - upward into `warning`: `warning`;
 * - upward into `exceeded`: `exceeded` only, also when one sample jumps over the warning band (the
 *   exceeded event says more than the warning would, and a customer is told once);
 * - from `exceeded` down to anything else (usage fell, or the limit was raised or lifted):
 *   `back_under`. Falling from `warning` to `ok` announces nothing.
 * A figure that was not measured (null) keeps its level and announces nothing.
 */
export function compareLevels(
  previous: QuotaLevels,
  figures: Figures,
  limits: PlanLimits,
  warningPercent: number,
): { levels: QuotaLevels; crossings: Crossing[] } {
  const levels = { ...previous };
  const crossings: Crossing[] = [];
  for (const metric of METRICS) {
    const usage = figures[metric];
    const limit = limits[metric];
    const next = levelOf(usage, limit, warningPercent);
    if (next === 'unknown') continue;
    const before = previous[metric];
    levels[metric] = next;
    if (next === before) continue;
    if (rank[next] > rank[before] && usage !== null && limit !== null) {
      if (next === 'exceeded') crossings.push({ kind: 'exceeded', metric, usage, limit });
      else
        crossings.push({ kind: 'warning', metric, usage, limit, percent: Math.floor((usage * 100) / limit) });
    } else if (before === 'exceeded' && usage !== null) {
      crossings.push({ kind: 'back_under', metric, usage, limit });
    }
  }
  return { levels, crossings };
}

/** Whether any figure is over its limit. */
export const anyExceeded = (levels: QuotaLevels) => METRICS.some((m) => levels[m] === 'exceeded');
