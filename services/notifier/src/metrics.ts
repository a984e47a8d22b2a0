import { Counter, type Registry } from 'prom-client';
import type { NoticeSource } from './domain/notice.ts';

/** What became of a failure the notifier heard of. */
export type NotificationOutcome = 'sent' | 'suppressed' | 'failed';

/** Domain metrics of the notifier. */
export interface NotifierMetrics {
  notification(source: NoticeSource | 'summary', outcome: NotificationOutcome): void;
}

export function registerNotifierMetrics(registry: Registry): NotifierMetrics {
  const notifications = new Counter({
    name: 'ocp_notifier_notifications_total',
    help: 'Failures told to Slack (sent), held back by the rate limit and counted in a summary (suppressed), or given up after Slack refused them or kept failing (failed), by source; source "summary" counts the summaries.',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  return {
    notification: (source, outcome) => notifications.inc({ source, outcome }),
  };
}
