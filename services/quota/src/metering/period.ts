/**
 * The metering period `at` falls in: periods of `intervalMs` counted from the Unix epoch, named by
 * their UTC start (`2026-12-01` for a whole-day period, the full timestamp otherwise). Every
 * replica names a period the same way, so the key makes a report unique per tenant and period.
 */
export function meteringPeriodOf(at: Date, intervalMs: number): string {
  const start = new Date(Math.floor(at.getTime() / intervalMs) * intervalMs);
  const iso = start.toISOString();
  return intervalMs % 86_400_000 === 0 ? iso.slice(0, 10) : iso;
}
