export {
  type CommonConfig,
  ConfigError,
  type ConfigSchema,
  commonConfig,
  loadConfig,
  redactConfig,
} from './config.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { connectNats, type NatsHandle } from './nats.ts';
export { opsRoutes, startOpsServer } from './ops.ts';
export { createShutdown, handleSignals, type Shutdown, type ShutdownStep } from './shutdown.ts';
export type { ReadinessCheck } from './types.ts';
