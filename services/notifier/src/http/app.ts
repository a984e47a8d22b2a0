import { opsRoutes, type ServiceRuntime } from '@ocp/service-kit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { NotifierConfig } from '../config.ts';
import type { Dispatcher } from '../dispatcher.ts';
import { alertmanagerRoute } from './alertmanager.ts';
import { problemHandlers } from './problems.ts';

/** The notifier's HTTP: the ops routes and, with a token configured, Alertmanager's webhook. */
export async function buildHttp(
  rt: ServiceRuntime<NotifierConfig>,
  dispatcher: Dispatcher,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: rt.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  });
  problemHandlers(app);
  await app.register(opsRoutes, { registry: rt.registry, checks: rt.checks });
  const token = rt.config.NOTIFY_ALERTMANAGER_TOKEN;
  if (token) await app.register(alertmanagerRoute, { token, dispatcher, stopping: rt.stopping });
  else rt.logger.info('POST /alertmanager is off: NOTIFY_ALERTMANAGER_TOKEN is not set');
  return app;
}
