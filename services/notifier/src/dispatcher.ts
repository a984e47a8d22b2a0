import type { Logger } from '@ocp/service-kit';
import type { Notice, NoticeSource } from './domain/notice.ts';
import { type AdminLinks, slackMessage, summaryMessage } from './domain/slack-message.ts';
import type { TokenBucket } from './domain/token-bucket.ts';
import type { NotificationOutcome, NotifierMetrics } from './metrics.ts';
import { SlackDeliveryError } from './slack/errors.ts';
import type { PostOptions, SlackClient } from './slack/webhook-client.ts';
import type { TenantNames } from './tenant-names.ts';

/** Tells Slack of failures, within the rate limit; what goes past it is counted and summarised. */
export interface Dispatcher {
  /** False without a webhook URL: nothing is posted. */
  readonly enabled: boolean;
  /**
   * Posts the notice, or counts it for the next summary when the rate limit is reached. Resolves
   * with what became of it (`off` when disabled); throws only the signal's reason once it aborts.
   */
  deliver(notice: Notice, opts: PostOptions): Promise<NotificationOutcome | 'off'>;
  /** Posts the summary of what was held back, if any, without waiting for its time. */
  close(): Promise<void>;
}

export interface DispatcherDeps {
  client: SlackClient | undefined;
  bucket: TokenBucket;
  links: AdminLinks;
  names: TenantNames;
  metrics: NotifierMetrics;
  logger: Logger;
  ratePerMinute: number;
  summaryIntervalMs: number;
  /** How long the last summary may take to post while the service stops. */
  closeTimeoutMs: number;
}

export function createDispatcher(d: DispatcherDeps): Dispatcher {
  const held = new Map<NoticeSource, number>();
  let timer: NodeJS.Timeout | undefined;
  let posting: Promise<void> = Promise.resolve();

  async function postSummary(signal: AbortSignal): Promise<void> {
    const total = [...held.values()].reduce((a, b) => a + b, 0);
    if (total === 0 || !d.client) return;
    const counted = new Map(held);
    held.clear();
    try {
      // Not rate-limited itself: one per interval at most, and it is what keeps the count honest.
      await d.client.post(summaryMessage(counted, d.summaryIntervalMs, d.ratePerMinute), { signal });
      d.metrics.notification('summary', 'sent');
    } catch (err) {
      d.metrics.notification('summary', 'failed');
      d.logger.error(
        {
          err: err instanceof SlackDeliveryError ? err.message : err,
          suppressed: Object.fromEntries(counted),
        },
        `the summary of ${total} failures held back by the rate limit could not be posted`,
      );
    }
  }

  function summaryLater() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      posting = posting.then(() => postSummary(AbortSignal.timeout(d.summaryIntervalMs * 5)));
    }, d.summaryIntervalMs);
    timer.unref();
  }

  return {
    enabled: d.client !== undefined,
    async deliver(notice, opts) {
      const client = d.client;
      if (!client) return 'off';
      if (!d.bucket.take()) {
        held.set(notice.source, (held.get(notice.source) ?? 0) + 1);
        d.metrics.notification(notice.source, 'suppressed');
        summaryLater();
        return 'suppressed';
      }
      const slug = notice.tenantId ? await d.names.slugOf(notice.tenantId) : undefined;
      try {
        await client.post(slackMessage(notice, d.links, slug), opts);
      } catch (err) {
        if (!(err instanceof SlackDeliveryError)) throw err;
        d.metrics.notification(notice.source, 'failed');
        d.logger.error(
          {
            source: notice.source,
            tenantId: notice.tenantId,
            operationId: notice.operationId,
            attempts: err.attempts,
            status: err.status,
            reason: err.message,
          },
          'a failure could not be told to Slack; it is given up',
        );
        return 'failed';
      }
      d.metrics.notification(notice.source, 'sent');
      return 'sent';
    },
    async close() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await posting;
      await postSummary(AbortSignal.timeout(d.closeTimeoutMs));
    },
  };
}
