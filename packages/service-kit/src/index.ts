export {
  baseConfig,
  type CommonConfig,
  ConfigError,
  type ConfigOf,
  type ConfigSchema,
  commonConfig,
  databaseConfig,
  loadConfig,
  redactConfig,
} from './config.ts';
export { type ConsumerLagOptions, type OwnedDurable, registerConsumerLag } from './consumer-lag.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { connectNats, type NatsHandle } from './nats.ts';
export {
  createOperationMetrics,
  type EndedOperation,
  type OperationMetrics,
} from './operation-metrics.ts';
export { opsRoutes, startOpsServer } from './ops.ts';
export { registerOutboxMetrics } from './outbox-metrics.ts';
export { pauseUnlessAborted } from './pause.ts';
export {
  defineService,
  loadServiceConfig,
  type PoolOf,
  type RunningService,
  type RunServiceOptions,
  runMain,
  runService,
  type ServiceDefinition,
  type ServiceRuntime,
} from './runtime.ts';
export { parseServerUrls } from './server-urls.ts';
export {
  createShutdown,
  handleSignals,
  SHUTDOWN_PHASES,
  type Shutdown,
  type ShutdownPhase,
  type ShutdownStep,
} from './shutdown.ts';
export {
  resourceAttributesOf,
  samplerOf,
  startTracing,
  type Tracing,
  type TracingConfig,
  TracingError,
  type TracingOptions,
  tracingEnabled,
  tracingStarted,
} from './tracing.ts';
export type { ReadinessCheck } from './types.ts';
