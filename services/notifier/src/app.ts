import { durables, streams } from '@ocp/contracts';
import { defineService, type Logger, type RunningService, runService } from '@ocp/service-kit';
import { configSchema, type NotifierConfig } from './config.ts';
import { createDispatcher, type Dispatcher } from './dispatcher.ts';
import { adminLinks } from './domain/slack-message.ts';
import { tokenBucket } from './domain/token-bucket.ts';
import { BACKUP_EVENT_TYPES, backupEventsHandler } from './handlers/backup-events.ts';
import { OPERATION_EVENT_TYPES, operationEventsHandler } from './handlers/operation-events.ts';
import type { HandlerContext } from './handlers/tell.ts';
import { buildHttp } from './http/app.ts';
import { registerNotifierMetrics } from './metrics.ts';
import { slackClient } from './slack/webhook-client.ts';
import { tenantNames } from './tenant-names.ts';

/** Durable consumers of the notifier, shared by every replica. */
export const NOTIFIER_DURABLES = {
  operations: durables.notifierOperationEvents.durable,
  backups: durables.notifierBackupEvents.durable,
} as const;

/** What the notifier's parts are, for a test that looks. */
export interface NotifierParts {
  dispatcher: Dispatcher;
}

/**
 * The notifier: tells a Slack channel of failed operations, failed backups and drills, and firing
 * alerts, rate limited. It has no database: what it has not told yet stays unacked in JetStream.
 */
export const notifierService = defineService({
  name: 'notifier',
  configSchema,
  async start(rt): Promise<NotifierParts> {
    const { config, logger } = rt;
    const url = config.NOTIFY_SLACK_WEBHOOK_URL;
    if (!url)
      logger.warn(
        'notifications are off: NOTIFY_SLACK_WEBHOOK_URL is not set; failures are read and acked without a message',
      );
    const dispatcher = createDispatcher({
      client: url
        ? slackClient({
            url,
            timeoutMs: config.NOTIFY_SLACK_TIMEOUT_MS,
            attempts: config.NOTIFY_SLACK_ATTEMPTS,
          })
        : undefined,
      bucket: tokenBucket({ capacity: config.NOTIFY_RATE_PER_MINUTE, periodMs: 60_000 }),
      links: adminLinks(config.NOTIFY_PUBLIC_URL),
      names: tenantNames(rt.bus, logger, { timeoutMs: 2000, ttlMs: 5 * 60_000, max: 1000 }),
      metrics: registerNotifierMetrics(rt.registry),
      logger,
      ratePerMinute: config.NOTIFY_RATE_PER_MINUTE,
      summaryIntervalMs: config.NOTIFY_SUMMARY_INTERVAL_MS,
      closeTimeoutMs: Math.min(config.NOTIFY_SLACK_TIMEOUT_MS, Math.floor(config.SHUTDOWN_TIMEOUT_MS / 2)),
    });
    // After the consumers stop: what they held back is summarised before the process goes.
    rt.onClose('summary of held-back failures', 'work', () => dispatcher.close());
    const ctx: HandlerContext = { dispatcher, stopping: rt.stopping };
    // A wait for Slack (a 429's Retry-After, a backoff) keeps its message alive meanwhile; one POST
    // is never longer than the ack wait. Failures from before the first start are not told.
    const common = {
      deliverFrom: 'new',
      ackWaitMs: Math.max(30_000, 2 * config.NOTIFY_SLACK_TIMEOUT_MS),
      maxDeliver: -1,
      concurrency: 4,
    } as const;
    await rt.bus.consume(
      {
        ...common,
        durable: NOTIFIER_DURABLES.operations,
        stream: streams.operationEvents,
        types: OPERATION_EVENT_TYPES,
      },
      operationEventsHandler(ctx),
    );
    await rt.bus.consume(
      {
        ...common,
        durable: NOTIFIER_DURABLES.backups,
        stream: streams.backupEvents,
        types: BACKUP_EVENT_TYPES,
      },
      backupEventsHandler(ctx),
    );
    return { dispatcher };
  },
  http: (rt, parts) => buildHttp(rt, parts.dispatcher),
});

/** A started notifier. */
export type NotifierService = RunningService<NotifierConfig, NotifierParts>;

/** Starts the notifier with a parsed config (as `main` does, without the process wiring). */
export async function startNotifierService(
  config: NotifierConfig,
  logger?: Logger,
): Promise<NotifierService> {
  return await runService(notifierService, config, logger ? { logger } : {});
}
