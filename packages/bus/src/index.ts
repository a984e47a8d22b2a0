/** The type of `BusOptions.tracer` (OpenTelemetry's), for code that hands a tracer on. */
export type { Tracer } from '@opentelemetry/api';
export { type Bus, type BusOptions, createBus } from './bus.ts';
export type { EventConsumer } from './consume.ts';
export type { BatchConsumer } from './consume-batch.ts';
export type { DeadLetterRecord } from './dead-letter.ts';
export type { FailureClassifier } from './delivery.ts';
export {
  BusClosedError,
  DeadLetterError,
  PermanentError,
  RpcError,
  RpcUnavailableError,
  StreamSetupError,
  TransientError,
} from './errors.ts';
export type { FollowedMessage, FollowOptions, StreamBounds, StreamFollower } from './follow.ts';
export {
  type NatsAuthorization,
  type NatsUser,
  natsAuthorization,
  renderAuthorization,
  renderServerConfig,
  type ServerConfigOptions,
} from './nats-server-config.ts';
export {
  ADMIN,
  catalogServices,
  DESTRUCTIVE_JS_API,
  durablesOf,
  eventStreams,
  identities,
  inboxPrefixOf,
  type NatsPermissions,
  OBSERVER,
  observerPermissions,
  permissionsOf,
  servicePermissions,
  streamsOf,
} from './permissions.ts';
export type { Publisher } from './publish.ts';
export type { RpcClient, RpcServer } from './rpc.ts';
export type { StreamAdmin } from './streams.ts';
export {
  childTraceparent,
  extractMessageContext,
  injectMessageContext,
  natsHeaderGetter,
  natsHeaderSetter,
  parentContext,
  runInTrace,
  traceIdOf,
  traceparentOf,
} from './trace.ts';
export type {
  BatchConsumerSpec,
  BatchContext,
  BatchHandler,
  BusHooks,
  Consumption,
  DeliveryContext,
  DurableSpec,
  EventHandler,
  HandledOutcome,
  RpcHandler,
} from './types.ts';
