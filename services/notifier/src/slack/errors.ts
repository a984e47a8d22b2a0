/**
 * Slack did not take a message: it refused it (`permanent`), or kept failing or throttling past the
 * attempts allowed. The message never holds the webhook URL, which is a secret.
 */
export class SlackDeliveryError extends Error {
  override name = 'SlackDeliveryError';
  constructor(
    message: string,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
  }
}
