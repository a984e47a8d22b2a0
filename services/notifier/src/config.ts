import { baseConfig, type ConfigOf, type ConfigSchema, loadConfig } from '@ocp/service-kit';

/**
 * The notifier has no database of its own: what it has not acked stays in JetStream, and its rate
 * limit and the count of what it held back live in the process.
 */
export const configSchema = {
  type: 'object',
  properties: {
    ...baseConfig,
    HTTP_PORT: { ...baseConfig.HTTP_PORT, default: 8087 },
    NOTIFY_SLACK_WEBHOOK_URL: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      secret: true,
      description:
        'The Slack incoming-webhook URL failures are posted to; unset, the service runs, acks what it reads and posts nothing.',
    },
    NOTIFY_PUBLIC_URL: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      default: 'http://127.0.0.1:8080',
      description:
        'Where operators reach the admin web app: links go to <url>/admin/tenants/<id> and <url>/admin/operations/<id>.',
    },
    NOTIFY_ALERTMANAGER_TOKEN: {
      type: 'string',
      minLength: 16,
      maxLength: 512,
      secret: true,
      description:
        "The bearer token Prometheus Alertmanager sends to POST /alertmanager (its webhook_config's http_config.authorization); unset, the route is off.",
    },
    NOTIFY_RATE_PER_MINUTE: {
      type: 'integer',
      minimum: 1,
      maximum: 600,
      default: 20,
      description:
        'Messages posted per minute by this process (a token bucket that holds as many); failures beyond it are counted and said in one summary message.',
    },
    NOTIFY_SUMMARY_INTERVAL_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 3600000,
      default: 60000,
      description:
        'How long failures held back by the rate limit are gathered before the one message that counts them.',
    },
    NOTIFY_SLACK_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 60000,
      default: 10000,
      description: 'How long one POST to Slack may take.',
    },
    NOTIFY_SLACK_ATTEMPTS: {
      type: 'integer',
      minimum: 1,
      maximum: 20,
      default: 5,
      description:
        'POSTs of one message that Slack answers with a 5xx or never answers, before the message is given up (logged and counted).',
    },
  },
} as const satisfies ConfigSchema;

export type NotifierConfig = ConfigOf<typeof configSchema>;

/** The notifier's configuration, from the environment, parsed once. */
export function parseConfig(env: Record<string, string | undefined> = process.env): NotifierConfig {
  return loadConfig<NotifierConfig>(configSchema, env);
}
