import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Dispatcher } from '../dispatcher.ts';
import { type AlertmanagerPayload, alertFailure } from '../domain/alerts.ts';
import { sendProblem } from './problems.ts';

const labelMap = {
  type: 'object',
  maxProperties: 100,
  additionalProperties: { type: 'string', maxLength: 4096 },
} as const;

/** Alertmanager's webhook body, version 4; members the notifier does not read are let through. */
export const alertmanagerBodySchema = {
  type: 'object',
  required: ['version', 'status', 'alerts'],
  properties: {
    version: { type: 'string', const: '4' },
    status: { type: 'string', enum: ['firing', 'resolved'] },
    receiver: { type: 'string' },
    externalURL: { type: 'string' },
    groupLabels: labelMap,
    commonLabels: labelMap,
    commonAnnotations: labelMap,
    alerts: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['status', 'labels', 'annotations', 'startsAt'],
        properties: {
          status: { type: 'string', enum: ['firing', 'resolved'] },
          labels: labelMap,
          annotations: labelMap,
          startsAt: { type: 'string', minLength: 1, maxLength: 64 },
          endsAt: { type: 'string', maxLength: 64 },
          generatorURL: { type: 'string', maxLength: 4096 },
          fingerprint: { type: 'string', maxLength: 64 },
        },
      },
    },
  },
} as const;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The bearer token of a request equals `token`, compared in constant time (hashes of equal length). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

/**
 * `POST /alertmanager`: Prometheus Alertmanager's webhook. Each firing alert is told to Slack (rate
 * limited as every failure is); a resolved one is not, since the channel is for what needs doing.
 * The answer counts what became of them; Alertmanager needs only its 2xx.
 */
export const alertmanagerRoute: FastifyPluginAsync<{
  token: string;
  dispatcher: Dispatcher;
  stopping: AbortSignal;
}> = async (app, opts) => {
  app.post<{ Body: AlertmanagerPayload }>(
    '/alertmanager',
    {
      schema: { body: alertmanagerBodySchema },
      onRequest: async (req, reply) => {
        if (!bearerMatches(req.headers.authorization, opts.token))
          return sendProblem(
            reply.header('www-authenticate', 'Bearer'),
            401,
            'UNAUTHENTICATED',
            'Authentication required',
            "send Authorization: Bearer with the notifier's NOTIFY_ALERTMANAGER_TOKEN",
          );
      },
    },
    async (req) => {
      const counts = { sent: 0, suppressed: 0, failed: 0, off: 0, resolved: 0 };
      for (const alert of req.body.alerts) {
        if (alert.status !== 'firing') {
          counts.resolved += 1;
          continue;
        }
        counts[await opts.dispatcher.deliver(alertFailure(alert), { signal: opts.stopping })] += 1;
      }
      return counts;
    },
  );
};
