export {
  type BatchConsumerSpec,
  type BatchContext,
  type BatchHandler,
  type Bus,
  type BusHooks,
  type BusOptions,
  type ConsumerSpec,
  type Consumption,
  createBus,
  type DeliveryContext,
  type DurableSpec,
  type EventHandler,
  type RpcHandler,
} from './bus.ts';
export { PermanentError, RpcError, RpcUnavailableError, TransientError } from './errors.ts';
export { childTraceparent, traceIdOf } from './trace.ts';
