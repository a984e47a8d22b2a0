/** Date and time as operators read them: local, to the second, with the zone. */
const stamp = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : stamp.format(d);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 hours ago", "in 29 days": the distance from now, for expiries and last uses. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  for (const [unit, ms] of steps)
    if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  return relative.format(Math.round(diff / 1000), 'second');
}

/** A uuid shortened for a table cell; the whole id stays in the title and the detail views. */
export const shortId = (id: string): string => id.slice(0, 8);
