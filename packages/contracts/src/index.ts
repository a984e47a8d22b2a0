export { buildAsyncApi } from './asyncapi.ts';
export {
  type DurableDef,
  durables,
  type MessageDataMap,
  type MessageDef,
  type MessageType,
  messages,
  type RpcDef,
  type RpcMap,
  type RpcName,
  rpcs,
  type StreamDef,
  schemaBase,
  streams,
} from './catalog.ts';
export {
  type CloudEvent,
  checkEvent,
  type EventCheck,
  InvalidEventError,
  makeCheckedEvent,
  makeEvent,
  sourceOf,
} from './cloudevent.ts';
export { encodeCursor, filtersFingerprint, readCursor, UUID_PATTERN } from './cursor.ts';
export { errorCodes, httpStatusOf, isErrorCode } from './error-codes.ts';
export { schemaFiles } from './generated/schemas.ts';
export type * from './generated/types.ts';
export { createAjv, loadSchemaFiles, type SchemaFile } from './load.ts';
export { formatIssues, type SchemaKey, type Validation, type ValidationIssue, validate } from './validate.ts';
