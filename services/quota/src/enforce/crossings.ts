import {
  type Figures,
  type Level,
  type Levels,
  type Limits,
  levelOf,
  METRICS,
  type Metric,
  percentOf,
} from './levels.ts';

/** A threshold crossed by one figure, as the event that announces it. */
export type Crossing =
  | { kind: 'warning'; metric: Metric; usage: number; limit: number; percent: number }
  | { kind: 'exceeded'; metric: Metric; usage: number; limit: number }
  | { kind: 'back_under'; metric: Metric; usage: number; limit: number | null };

const rank: Record<Level, number> = { unlimited: 0, ok: 0, warning: 1, exceeded: 2 };

/**
 * The levels after a sample, and the crossings to announce. A crossing is announced once, when
 * the level changes, never because a scan finds the same level again:
 * - upward into `warning` (80 % by default): `warning`;
 * - upward into `exceeded` (100 %): `exceeded` only, also when one sample jumps over the warning
 *   band (the exceeded event says more than the warning would, and a customer is told once);
 * - from `exceeded` down to anything else (usage fell, or the limit was raised or lifted):
 *   `back_under`. Falling from `warning` to `ok` announces nothing.
 * A figure that was not measured (null) keeps its level and announces nothing.
 */
export function compareLevels(
  previous: Levels,
  figures: Figures,
  limits: Limits,
  warningPercent: number,
): { levels: Levels; crossings: Crossing[] } {
  const levels = { ...previous };
  const crossings: Crossing[] = [];
  for (const metric of METRICS) {
    const usage = figures[metric];
    const limit = limits[metric];
    const next = levelOf(usage, limit, warningPercent);
    if (next === undefined) continue;
    const before = previous[metric];
    levels[metric] = next;
    if (next === before) continue;
    if (rank[next] > rank[before] && usage !== null && limit !== null) {
      if (next === 'exceeded') crossings.push({ kind: 'exceeded', metric, usage, limit });
      else crossings.push({ kind: 'warning', metric, usage, limit, percent: roundPercent(usage, limit) });
    } else if (before === 'exceeded' && usage !== null) {
      crossings.push({ kind: 'back_under', metric, usage, limit });
    }
  }
  return { levels, crossings };
}

/** Whether any figure is at or over its limit. */
export const anyExceeded = (levels: Levels) => METRICS.some((m) => levels[m] === 'exceeded');

const roundPercent = (usage: number, limit: number) => Math.round(percentOf(usage, limit) * 100) / 100;
