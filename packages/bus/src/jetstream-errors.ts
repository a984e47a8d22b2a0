import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/**
 * The JetStream API error codes (`err_code`) the bus acts on. nats.js names the first two; the others
 * are the server's own numbers (nats-server `server/errors.json`), which do not change between releases.
 */
export const ApiCode = {
  StreamNotFound: JetStreamApiCodes.StreamNotFound,
  ConsumerNotFound: JetStreamApiCodes.ConsumerNotFound,
  /** JSStreamNameExistErr: the name is taken by a stream with other settings. */
  StreamNameInUse: 10058,
  /** JSConsumerNameExistErr: the durable name is taken by a consumer with other settings. */
  ConsumerNameInUse: 10013,
  /** JSConsumerAlreadyExists (nats-server 2.10+): a create-only request met an existing consumer. */
  ConsumerAlreadyExists: 10148,
  /** JSStreamReplicasNotSupportedErr: more than one replica asked of a server outside a cluster. */
  ReplicasNotSupported: 10074,
  /** JSClusterNoPeersErrF: the cluster has fewer servers than the replicas asked for. */
  NoSuitablePeers: 10005,
} as const;

export type ApiCode = (typeof ApiCode)[keyof typeof ApiCode];

/** Whether `e` is a JetStream API error with one of `codes`, told by its typed code, never its text. */
export function isApiError(e: unknown, ...codes: readonly ApiCode[]): e is JetStreamApiError {
  return e instanceof JetStreamApiError && (codes as readonly number[]).includes(e.code);
}
