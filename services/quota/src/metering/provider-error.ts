/**
 * A provider refused or did not answer a usage report: the period stays unreported and the next
 * run tries again. `permanent` marks a refusal that will not change by itself (a 4xx), so it is
 * logged as a configuration problem rather than an outage.
 */
export class UsageReportError extends Error {
  override readonly name = 'UsageReportError';
  constructor(
    readonly provider: 'stripe' | 'paddle',
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
