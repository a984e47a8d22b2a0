import type { Pool } from '@ocp/db';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Viewer } from '../../domain/event-frames.ts';
import { apiError } from '../../errors.ts';
import { credentialOf, type Principal, principalNow } from '../../plugins/auth.ts';
import { eventStreamReply, eventsDescription, lastEventIdHeaders } from '../../schemas/events.ts';
import { type EndReason, EventStream } from './connection.ts';

export interface EventRoutesOptions {
  pool: Pool;
  registry: Registry;
  heartbeatMs: number;
  retryMs: number;
  maxPerPrincipal: number;
  maxBufferBytes: number;
  replayMax: number;
}

/** How long a resume may take to read what it replays before it resets instead. */
const REPLAY_TIMEOUT_MS = 30_000;
/** How long a stream told to close at shutdown has to take its last frame before its socket is cut. */
const SHUTDOWN_GRACE_MS = 1_000;

const viewerOf = (p: Principal): Viewer => ({
  permissions: p.permissions,
  tenantIds: p.operator.tenantIds ?? undefined,
});

/**
 * `GET /api/v1/events`: the platform's events as Server-Sent Events, filtered to what the caller
 * may see, resumable by `Last-Event-ID` (see `schemas/events.ts` for the frames). Every stream
 * shares the process's one live reading of the event streams (`plugins/event-feed.ts`); a resume
 * reads what it missed with a consumer of its own. The open streams are counted per account (per
 * API token) and closed, each with a `close` frame, before the server stops.
 */
export default async function eventRoutes(app: FastifyInstance, opts: EventRoutesOptions) {
  const open = new Map<EventStream, FastifyReply>();
  const perPrincipal = new Map<string, number>();
  const gauge = new Gauge({
    name: 'ocp_gateway_event_streams_open',
    help: 'Server-Sent Events streams (GET /api/v1/events) open now.',
    registers: [opts.registry],
  });
  const ended = new Counter({
    name: 'ocp_gateway_event_streams_closed_total',
    help: 'Event streams ended, by reason: client, slow (did not read), unauthenticated, forbidden, shutdown.',
    labelNames: ['reason'],
    registers: [opts.registry],
  });

  const release = (key: string) => {
    const n = (perPrincipal.get(key) ?? 1) - 1;
    if (n > 0) perPrincipal.set(key, n);
    else perPrincipal.delete(key);
  };

  // Open streams would keep the server from closing: each is told and ended first, and a client
  // that does not take its last frame in time is cut off.
  app.addHook('preClose', async () => {
    const closing = [...open].map(
      ([stream, reply]) =>
        new Promise<void>((resolve) => {
          const cut = setTimeout(() => {
            reply.raw.destroy();
            resolve();
          }, SHUTDOWN_GRACE_MS);
          reply.raw.once('close', () => {
            clearTimeout(cut);
            resolve();
          });
          stream.end('shutdown');
        }),
    );
    await Promise.all(closing);
  });

  app.get<{ Headers: { 'last-event-id'?: string } }>(
    '/api/v1/events',
    {
      config: { permission: 'tenants:read', action: 'events.stream' },
      // A HEAD would open a stream that sends nothing.
      exposeHeadRoute: false,
      schema: {
        tags: ['events'],
        summary: 'Follow tenants, operations and backups live (Server-Sent Events)',
        description: eventsDescription,
        headers: lastEventIdHeaders,
        response: { 200: eventStreamReply },
      },
    },
    async (req, reply) => {
      const principal = req.principal as Principal;
      const cred = credentialOf(req);
      if (!cred) throw apiError('UNAUTHENTICATED', 'log in first');
      const key = principal.actor;
      const count = perPrincipal.get(key) ?? 0;
      if (count >= opts.maxPerPrincipal)
        throw apiError(
          'TOO_MANY_ATTEMPTS',
          `${key.startsWith('token:') ? 'this API token' : 'this account'} has ${count} event streams open already, the most it may hold (EVENTS_MAX_STREAMS_PER_PRINCIPAL); close one (another tab or client) and connect again`,
          undefined,
          { extra: { limit: opts.maxPerPrincipal }, headers: { 'retry-after': '5' } },
        );
      perPrincipal.set(key, count + 1);

      const stream = new EventStream({
        feed: app.eventFeed,
        log: req.log,
        res: reply.raw,
        viewer: viewerOf(principal),
        lastEventId: req.headers['last-event-id'],
        heartbeatMs: opts.heartbeatMs,
        retryMs: opts.retryMs,
        maxBufferBytes: opts.maxBufferBytes,
        replayMax: opts.replayMax,
        replayTimeoutMs: REPLAY_TIMEOUT_MS,
        recheck: async () => {
          const now = await principalNow(opts.pool, cred);
          return now ? viewerOf(now) : null;
        },
        onEnd: (reason: EndReason) => {
          open.delete(stream);
          gauge.set(open.size);
          ended.inc({ reason });
          release(key);
        },
      });
      let subscription: Awaited<ReturnType<typeof app.eventFeed.subscribe>>;
      try {
        subscription = await app.eventFeed.subscribe(stream.receive);
      } catch (err) {
        release(key);
        req.log.warn({ err }, 'event feed could not start');
        throw apiError('SERVICE_UNAVAILABLE', 'the platform events cannot be read now; try again shortly');
      }
      stream.begin(subscription.live, subscription.unsubscribe);
      if (!stream.isOver) {
        open.set(stream, reply);
        gauge.set(open.size);
      }
      return (
        reply
          .type('text/event-stream; charset=utf-8')
          .header('cache-control', 'no-store')
          // nginx and some other proxies buffer answers unless told not to.
          .header('x-accel-buffering', 'no')
          // The connection serves this stream alone. Without a keep-alive hint a client's pool keeps
          // no spare socket against it for long (undici opens one when a stream is aborted, and a
          // socket that never sends a request holds up a server's close for its keep-alive time).
          .header('connection', 'close')
          .send(stream.body)
      );
    },
  );
}
