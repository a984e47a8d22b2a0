/**
 * Retention by generations, as restic's and borg's `--keep-daily/weekly/monthly` count them: of a
 * tenant's succeeded backups, newest first, the newest of each of the last `daily` days that have
 * one is kept, the newest of each of the last `weekly` ISO weeks that have one, and of the last
 * `monthly` months; a backup may be kept by several rules. The newest backup is always kept, and
 * so is the newest one a drill has proven (a tenant never loses its only proven restore point).
 * Days, weeks and months are UTC.
 */

export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface RetentionCandidate {
  id: string;
  createdAt: Date;
  drillPassed: boolean;
}

export type Generation = 'daily' | 'weekly' | 'monthly' | 'newest' | 'proven';

export interface RetentionDecision {
  /** Kept backups and the first rule that keeps each. */
  keep: Map<string, Generation>;
  prune: RetentionCandidate[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const month = (d: Date) => d.toISOString().slice(0, 7);

/** ISO 8601 week, e.g. 2026-W49 (weeks start on Monday; the year is the week's Thursday's). */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function decideRetention(
  backups: readonly RetentionCandidate[],
  policy: RetentionPolicy,
): RetentionDecision {
  const sorted = [...backups].sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
  );
  const keep = new Map<string, Generation>();
  const rule = (name: Generation, count: number, bucket: (d: Date) => string) => {
    const seen = new Set<string>();
    for (const b of sorted) {
      if (seen.size >= count) break;
      const k = bucket(b.createdAt);
      if (seen.has(k)) continue;
      seen.add(k);
      if (!keep.has(b.id)) keep.set(b.id, name);
    }
  };
  if (sorted[0]) keep.set(sorted[0].id, 'newest');
  rule('daily', policy.daily, day);
  rule('weekly', policy.weekly, isoWeek);
  rule('monthly', policy.monthly, month);
  const proven = sorted.find((b) => b.drillPassed);
  if (proven && !keep.has(proven.id)) keep.set(proven.id, 'proven');
  return { keep, prune: sorted.filter((b) => !keep.has(b.id)) };
}

/** `BACKUP_RETENTION` as a map from plan to policy (`default` for plans not named), or its problems. */
export function parseRetention(raw: string): {
  byPlan: ReadonlyMap<string, RetentionPolicy>;
  problems: string[];
} {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {
      byPlan: new Map(),
      problems: ['BACKUP_RETENTION is not JSON; give e.g. {"default":{"daily":7,"weekly":4,"monthly":6}}'],
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return {
      byPlan: new Map(),
      problems: ['BACKUP_RETENTION must be a JSON object from plan to generations'],
    };
  const byPlan = new Map<string, RetentionPolicy>();
  const problems: string[] = [];
  for (const [plan, v] of Object.entries(parsed)) {
    const p = v as Record<string, unknown>;
    const counts = ['daily', 'weekly', 'monthly'].map((k) => p?.[k] ?? 0);
    if (counts.some((n) => !Number.isInteger(n) || (n as number) < 0 || (n as number) > 1000)) {
      problems.push(
        `BACKUP_RETENTION of plan "${plan}": daily, weekly and monthly must be whole numbers from 0 to 1000`,
      );
      continue;
    }
    byPlan.set(plan, {
      daily: counts[0] as number,
      weekly: counts[1] as number,
      monthly: counts[2] as number,
    });
  }
  if (!byPlan.has('default') && problems.length === 0)
    problems.push('BACKUP_RETENTION needs a "default" entry for the plans it does not name');
  return { byPlan, problems };
}

export function policyFor(
  byPlan: ReadonlyMap<string, RetentionPolicy>,
  plan: string | null,
): RetentionPolicy {
  return byPlan.get(plan ?? 'default') ?? byPlan.get('default') ?? { daily: 7, weekly: 4, monthly: 6 };
}
