import { readdir } from 'node:fs/promises';
import type { Bus } from '@ocp/bus';
import { type CloudEvent, streams, UUID_PATTERN } from '@ocp/contracts';
import {
  defineService,
  type Logger,
  pauseUnlessAborted,
  type RunningService,
  runService,
} from '@ocp/service-kit';
import { checkConfig, configSchema, type RouterConfig } from './config.ts';
import { hostName, hostPort } from './domain/names.ts';
import { renderNginxConfig, type SiteSettings } from './domain/nginx-config.ts';
import { planRoutes } from './domain/route-plan.ts';
import { type RouteTable, routeTable } from './domain/route-table.ts';
import { registerRouterMetrics } from './metrics.ts';
import { nginxOutput } from './nginx-output.ts';

/** How long a failed read waits before it is tried again, and a lost event reading before it follows again. */
const RETRY_MS = 1000;
/** Tenants read back at once after events. */
const READ_CONCURRENCY = 8;

/** The tenant an event is about: its CloudEvents subject, else a `tenantId` in its data. */
export function tenantOf(event: CloudEvent): string | undefined {
  if (event.subject && UUID_PATTERN.test(event.subject)) return event.subject;
  const data = event.data as { tenantId?: unknown } | null | undefined;
  const id = data?.tenantId;
  return typeof id === 'string' && UUID_PATTERN.test(id) ? id : undefined;
}

/** The router's server settings, from its config (each checked by `checkConfig`). */
function siteSettings(c: RouterConfig, certificateHosts: readonly string[]): SiteSettings {
  const control = c.ROUTER_CONTROL_HOST === undefined ? undefined : hostName(c.ROUTER_CONTROL_HOST);
  return {
    httpListen: c.ROUTER_LISTEN_HTTP,
    ...(c.ROUTER_TLS_CERTIFICATE && c.ROUTER_TLS_CERTIFICATE_KEY
      ? {
          tls: {
            listen: c.ROUTER_LISTEN_HTTPS,
            certificate: c.ROUTER_TLS_CERTIFICATE,
            certificateKey: c.ROUTER_TLS_CERTIFICATE_KEY,
            ...(c.ROUTER_TLS_CERTIFICATES_DIR
              ? { perHost: { dir: c.ROUTER_TLS_CERTIFICATES_DIR, hosts: certificateHosts } }
              : {}),
          },
        }
      : {}),
    ...(control ? { controlHost: control } : {}),
    gatewayUpstream: hostPort(c.ROUTER_GATEWAY_UPSTREAM) ?? c.ROUTER_GATEWAY_UPSTREAM,
    pagesDir: c.ROUTER_PAGES_DIR,
    ...(c.ROUTER_RESOLVER ? { resolver: c.ROUTER_RESOLVER } : {}),
  };
}

/**
 * The hosts among `hosts` with both a certificate and a key of their own in `dir` (one listing of the
 * directory per render, however many hosts). A directory that cannot be read gives none: every
 * host then gets the default certificate, and the next render looks again.
 */
async function hostsWithCertificates(dir: string | undefined, hosts: readonly string[]): Promise<string[]> {
  if (!dir) return [];
  const files = new Set(await readdir(dir).catch(() => []));
  return hosts.filter((h) => files.has(`${h}.crt`) && files.has(`${h}.key`));
}

/** Reads `EVENTS_TENANT` from `afterSeq` for as long as the service runs; a failed reading follows again. */
async function followTenantEvents(
  bus: Bus,
  table: RouteTable,
  afterSeq: number,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  let position = afterSeq;
  while (!signal.aborted) {
    try {
      await bus.follow(streams.tenantEvents, { afterSeq: position, signal, name: 'router' }, (m) => {
        position = m.seq;
        const tenantId = m.event ? tenantOf(m.event) : undefined;
        if (tenantId) table.markTenant(tenantId);
        // An event this build cannot read (a newer type, say) may still change a route.
        else if (!m.event) table.requestFullRead();
        return undefined;
      });
    } catch (err) {
      logger.warn({ err }, 'the reading of tenant events failed; following again and reading every route');
      table.requestFullRead();
    }
    await pauseUnlessAborted(RETRY_MS, signal);
  }
}

/** What the router's `start` gives back: its table of routes. */
export interface RouterParts {
  table: RouteTable;
}

/**
 * The router: keeps every tenant's route in memory (a full read through `tenant.routes.list`, then
 * `tenant.routes.get` for each tenant an event of `EVENTS_TENANT` names, and a full read again every
 * `ROUTER_RESYNC_INTERVAL_MS`) and renders them as NGINX configuration into `ROUTER_OUTPUT_DIR`,
 * reloading NGINX when the text changed. No database: everything it knows is read back at start.
 */
export const routerService = defineService({
  name: 'router',
  configSchema,
  checkConfig,
  async start(rt) {
    const c = rt.config;
    const stopping = new AbortController();
    const signal = AbortSignal.any([stopping.signal, rt.stopping]);
    const output = nginxOutput({ dir: c.ROUTER_OUTPUT_DIR, pidFile: c.ROUTER_NGINX_PID_FILE });
    const reserved = c.ROUTER_CONTROL_HOST ? [c.ROUTER_CONTROL_HOST.toLowerCase()] : [];
    let rendered = false;
    let renderTimer: NodeJS.Timeout | undefined;
    let rendering: Promise<void> = Promise.resolve();

    const table = routeTable({
      source: {
        list: async (after, limit) =>
          await rt.bus.request(
            'tenant.routes.list.v1',
            { ...(after !== undefined ? { after } : {}), limit },
            { timeoutMs: c.ROUTER_RPC_TIMEOUT_MS },
          ),
        get: async (tenantId) =>
          (await rt.bus.request('tenant.routes.get.v1', { tenantId }, { timeoutMs: c.ROUTER_RPC_TIMEOUT_MS }))
            .route ?? null,
      },
      pageSize: c.ROUTER_PAGE_SIZE,
      concurrency: READ_CONCURRENCY,
      retryMs: RETRY_MS,
      signal,
      onChange: () => scheduleRender(),
      onError: (err, what) =>
        rt.logger.warn(
          { err },
          what === 'snapshot'
            ? 'reading every route failed; trying again'
            : "reading a tenant's route failed; trying again",
        ),
    });
    const metrics = registerRouterMetrics(rt.registry, () => table.routes.values());

    async function render(): Promise<void> {
      if (!table.loaded) return;
      const plan = planRoutes(table.routes.values(), { reservedHosts: reserved });
      const certificateHosts = await hostsWithCertificates(
        c.ROUTER_TLS_CERTIFICATES_DIR,
        plan.hosts.map((h) => h.host),
      );
      const text = renderNginxConfig(plan.hosts, siteSettings(c, certificateHosts));
      const { outcome, error } = await output.apply(text);
      metrics.rendered(outcome, plan.rejected.length, plan.hosts.length);
      // Said once per change: an unchanged file holds the same values left out.
      if (outcome !== 'unchanged')
        for (const r of plan.rejected)
          rt.logger.warn(
            { tenantId: r.tenantId, reason: r.reason },
            'a route value was left out of the NGINX configuration',
          );
      if (outcome === 'failed') {
        rt.logger.error({ err: error }, 'the NGINX configuration could not be written');
        return;
      }
      if (outcome === 'reload_failed' && (error as { code?: string }).code === 'ENOENT')
        rt.logger.info('the NGINX configuration was written; NGINX is not running yet (no pid file)');
      else if (outcome === 'reload_failed')
        rt.logger.warn(
          { err: error },
          'the NGINX configuration was written, but NGINX could not be told to reload',
        );
      else if (outcome !== 'unchanged')
        rt.logger.info({ hosts: plan.hosts.length, outcome }, 'NGINX configuration rendered');
      rendered = true;
    }

    /** One render at a time; a change during one is rendered after it. */
    function renderSoon(): Promise<void> {
      rendering = rendering.then(render).catch((err: unknown) => rt.logger.error({ err }, 'render failed'));
      return rendering;
    }
    function scheduleRender(): void {
      if (renderTimer) return;
      renderTimer = setTimeout(() => {
        renderTimer = undefined;
        void renderSoon();
      }, c.ROUTER_RENDER_DEBOUNCE_MS);
    }

    // The position first, then the full read: an event after the position is read again after it.
    const { last } = await rt.bus.streamBounds(streams.tenantEvents);
    const worker = table.run();
    const following = followTenantEvents(rt.bus, table, last, signal, rt.logger);
    rt.ready('routes', () => rendered);
    // A render also retries a reload that failed, and picks up certificates added since.
    rt.every('full read of the routes', c.ROUTER_RESYNC_INTERVAL_MS, async () => {
      table.requestFullRead();
      await renderSoon();
    });
    rt.onClose('routes', 'intake', async () => {
      stopping.abort();
      clearTimeout(renderTimer);
      await Promise.allSettled([worker, following, rendering]);
    });
    return { table } satisfies RouterParts;
  },
});

export type RouterService = RunningService<RouterConfig, RouterParts>;

/** Starts the router in this process (tests); `close()` stops it. */
export async function startRouterService(config: RouterConfig, logger?: Logger): Promise<RouterService> {
  return await runService(routerService, config, logger ? { logger } : {});
}
