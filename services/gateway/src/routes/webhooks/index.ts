import type { Bus } from '@ocp/bus';
import { makeEvent } from '@ocp/contracts';
import { enqueueEvent, type Pool } from '@ocp/db';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import {
  eventIdentity,
  type SignatureCheck,
  type WebhookOutcome,
  type WebhookProvider,
  webhookOutcomes,
  webhookProviders,
} from '../../domain/webhook-signatures.ts';
import { apiError } from '../../errors.ts';
import { requestTraceparent } from '../../plugins/otel.ts';

export interface WebhookRoutesOptions {
  bus: Bus;
  pool: Pool;
  registry: Registry;
  /** One check per provider with at least one secret; a provider without one answers 503. */
  checks: Partial<Record<WebhookProvider, SignatureCheck>>;
  bodyLimit: number;
}

const source = 'ocp/gateway';
const envName: Record<WebhookProvider, string> = {
  stripe: 'STRIPE_WEBHOOK_SECRETS',
  paddle: 'PADDLE_WEBHOOK_SECRETS',
};
/** `application/json`, optionally with `charset=utf-8`: what both providers send. */
const JSON_TYPE = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

/** A refusal with its metric label; the error handler of this plugin records it. */
class WebhookRefusal extends Error {
  override name = 'WebhookRefusal';
  constructor(
    readonly outcome: Exclude<WebhookOutcome, 'accepted' | 'unavailable' | 'not_configured'>,
    message: string,
  ) {
    super(message);
  }
}

const providerOf = (req: FastifyRequest): WebhookProvider =>
  req.url.startsWith('/webhooks/paddle') ? 'paddle' : 'stripe';

/**
 * `POST /webhooks/stripe` and `POST /webhooks/paddle`: the signature over the raw bytes is the
 * authentication (no login, no CSRF). A verified event is published to the WEBHOOKS stream with
 * `<provider>:<event id>` as message id, and 200 answers only after JetStream acknowledged it; a
 * redelivery is dropped by JetStream's duplicate window. A refusal is a 400 problem (413 for a
 * body over the limit), counted, audited and published as `ocp.billing.webhook_rejected.v1`
 * through the outbox; nothing of it reaches `webhooks.received.v1`. Encapsulated: its body parser
 * keeps the bytes for these routes only.
 */
export default async function webhookRoutes(app: FastifyInstance, opts: WebhookRoutesOptions) {
  const total = new Counter({
    name: 'ocp_webhooks_total',
    help: 'Provider webhooks by outcome: accepted, or why they were refused.',
    labelNames: ['provider', 'outcome'],
    registers: [opts.registry],
  });
  for (const provider of webhookProviders)
    for (const outcome of webhookOutcomes) total.labels({ provider, outcome }).inc(0);

  // Every content type is read as bytes here (the handler refuses all but JSON), so the admin
  // API's JSON parser never re-serialises a body before its signature is checked.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (_req, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', async (req) => {
    req.audit.actor = `provider:${providerOf(req)}`;
    req.audit.actorEmail = null;
  });

  /** Counts, audits and announces a refusal; the answer is the 400 problem that follows. */
  async function refused(req: FastifyRequest, outcome: WebhookOutcome, reason: string, bodyBytes: number) {
    const provider = providerOf(req);
    total.inc({ provider, outcome });
    req.audit.outcome = 'denied';
    req.audit.reason = reason;
    req.log.info({ provider, outcome, bodyBytes }, 'webhook refused');
    try {
      await enqueueEvent(opts.pool, 'ocp.billing.webhook_rejected.v1', {
        traceparent: requestTraceparent(req),
        data: {
          provider,
          reason: reason.slice(0, 500),
          receivedAt: new Date().toISOString(),
          bodyBytes,
          sourceIp: (req.ip ?? '').slice(0, 100),
        },
      });
    } catch (err) {
      // Best effort: the refusal is in the metric and the audit entry whatever happens here.
      req.log.warn({ err, provider, outcome }, 'could not record the refused webhook');
    }
    // A body over the limit is 413 like any other; the rest are refused webhooks (400).
    const code = outcome === 'too_large' ? 'PAYLOAD_TOO_LARGE' : 'WEBHOOK_REJECTED';
    return apiError(code, reason, undefined, { extra: { reason: outcome } });
  }

  app.setErrorHandler(async (err: FastifyError, req) => {
    const length = Number(req.headers['content-length'] ?? 0) || 0;
    if (err instanceof WebhookRefusal) throw await refused(req, err.outcome, err.message, length);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      throw await refused(
        req,
        'too_large',
        `the body is larger than ${opts.bodyLimit} bytes (WEBHOOK_BODY_LIMIT_BYTES)`,
        length,
      );
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      throw await refused(req, 'wrong_content_type', 'wrong content type: send application/json', length);
    // Anything else (e.g. a malformed content-length) is the app's problem handler's to answer.
    throw err;
  });

  for (const provider of webhookProviders) {
    const check = opts.checks[provider];
    app.post(
      `/webhooks/${provider}`,
      { bodyLimit: opts.bodyLimit, config: { action: 'webhook.receive' } },
      async (req) => {
        const receivedAt = new Date().toISOString();
        if (!check) {
          total.inc({ provider, outcome: 'not_configured' });
          req.audit.outcome = 'failed';
          throw apiError(
            'WEBHOOK_NOT_CONFIGURED',
            `no ${provider} webhook secret is configured (${envName[provider]}); nothing was stored, and ${provider} will deliver it again`,
          );
        }
        const contentType = req.headers['content-type'];
        if (!contentType || !JSON_TYPE.test(contentType))
          throw new WebhookRefusal(
            'wrong_content_type',
            `wrong content type ${contentType ? `"${contentType.slice(0, 100)}"` : '(none)'}: send application/json`,
          );
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const signature = req.headers[check.header];
        const verdict = await check.verify(raw, typeof signature === 'string' ? signature : undefined);
        if (!verdict.ok) throw new WebhookRefusal(verdict.outcome, verdict.reason);
        const identity = eventIdentity(provider, raw);
        if (!identity.ok) throw new WebhookRefusal('not_json', identity.reason);

        req.audit.target = `webhook:${provider}:${identity.id}`;
        const event = makeEvent(
          'ocp.billing.webhook_received.v1',
          {
            provider,
            providerEventId: identity.id,
            providerEventType: identity.type,
            receivedAt,
            body: raw.toString('utf8'),
          },
          { source, id: `${provider}:${identity.id}` },
        );
        try {
          await opts.bus.publish(event);
        } catch (err) {
          total.inc({ provider, outcome: 'unavailable' });
          req.audit.outcome = 'failed';
          req.log.warn({ err, provider, eventId: identity.id }, 'could not publish a verified webhook');
          throw apiError(
            'SERVICE_UNAVAILABLE',
            `the event could not be stored now (the message bus did not acknowledge it); ${provider} will deliver it again`,
          );
        }
        total.inc({ provider, outcome: 'accepted' });
        return { received: true };
      },
    );
  }
}
