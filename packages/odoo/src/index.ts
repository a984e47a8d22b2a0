export {
  type ActUrl,
  type CallOptions,
  type CreateDatabaseInput,
  createOdooClient,
  type ExecuteKwArgs,
  type Kwargs,
  type ModuleRecord,
  type ModuleState,
  type OdooAuth,
  type OdooClient,
  type OdooClientOptions,
  type OdooDbClient,
  type OdooVersion,
} from './client.ts';
export {
  OdooError,
  type OdooErrorEnvelope,
  OdooTimeoutError,
  OdooTransportError,
  type OdooTransportFailure,
} from './errors.ts';
export {
  isScheduledActionLock,
  type RetryOptions,
  retryScheduledActionLock,
  SCHEDULED_ACTION_LOCK_MESSAGE,
  type Sleep,
} from './retry.ts';
export {
  createJsonRpcTransport,
  type JsonRpcCallOptions,
  type JsonRpcTransport,
  type OdooService,
} from './transport.ts';
