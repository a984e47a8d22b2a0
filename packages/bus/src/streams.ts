import {
  type ConsumerConfig,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { streams as allStreams, type StreamDef } from '@ocp/contracts';
import { StreamSetupError } from './errors.ts';
import { ApiCode, isApiError } from './jetstream-errors.ts';

/** Creates and updates streams and durable consumers; every call is safe from every replica at every start. */
export interface StreamAdmin {
  /** Creates or updates the streams (the whole catalog by default). */
  ensureStreams(defs?: readonly StreamDef[]): Promise<void>;
  ensureStream(def: StreamDef): Promise<void>;
  /** Creates or updates a durable consumer; `deliver_policy` is kept as it was made. */
  ensureConsumer(stream: string, cfg: Partial<ConsumerConfig> & { durable_name: string }): Promise<void>;
}

export interface StreamAdminOptions {
  /** Replicas of every stream made or updated (1 on a single server, 3 on a 3-node cluster). */
  replicas: number;
}

const DAY_NS = nanos(24 * 60 * 60 * 1000);
const DUPLICATE_WINDOW_NS = nanos(2 * 60 * 1000);

/** The stream administration of one connection. */
export function streamAdmin(nc: NatsConnection, opts: StreamAdminOptions): StreamAdmin {
  let jsmPromise: Promise<JetStreamManager> | undefined;
  const jsm = () => {
    jsmPromise ??= jetstreamManager(nc).catch((e: unknown) => {
      jsmPromise = undefined;
      throw e;
    });
    return jsmPromise;
  };

  const refused = (what: string, e: unknown) => {
    const hint = isApiError(e, ApiCode.ReplicasNotSupported, ApiCode.NoSuitablePeers)
      ? '; streamReplicas must not exceed the servers in the cluster (1 on a single server, 3 on a 3-node cluster)'
      : '';
    return new StreamSetupError(`could not ${what}: ${(e as Error)?.message ?? String(e)}${hint}`, {
      cause: e,
    });
  };

  async function ensureStream(def: StreamDef): Promise<void> {
    const m = await jsm();
    const cfg: Partial<StreamConfig> & { name: string } = {
      name: def.name,
      subjects: [...def.subjects],
      description: def.description,
      retention: def.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: DAY_NS * def.maxAgeDays,
      duplicate_window: DUPLICATE_WINDOW_NS,
      num_replicas: opts.replicas,
      // Once on, the server refuses to turn these off again (an update fails, naming the setting).
      ...(def.denyDelete ? { deny_delete: true } : {}),
      ...(def.denyPurge ? { deny_purge: true } : {}),
    };
    const replicas = `${opts.replicas} ${opts.replicas === 1 ? 'replica' : 'replicas'}`;
    let exists = true;
    try {
      await m.streams.info(def.name);
    } catch (e) {
      if (!isApiError(e, ApiCode.StreamNotFound)) throw e;
      exists = false;
    }
    if (!exists) {
      try {
        await m.streams.add(cfg);
        return;
      } catch (e) {
        // Another replica made it first, with settings of its own: ours are applied below.
        if (!isApiError(e, ApiCode.StreamNameInUse))
          throw refused(`create stream ${def.name} with ${replicas}`, e);
      }
    }
    try {
      await m.streams.update(def.name, cfg);
    } catch (e) {
      throw refused(`update stream ${def.name} to ${replicas}`, e);
    }
  }

  return {
    ensureStream,
    async ensureStreams(defs = Object.values(allStreams)) {
      for (const def of defs) await ensureStream(def);
    },
    async ensureConsumer(stream, cfg) {
      const m = await jsm();
      let exists = true;
      try {
        await m.consumers.info(stream, cfg.durable_name);
      } catch (e) {
        if (!isApiError(e, ApiCode.ConsumerNotFound)) throw e;
        exists = false;
      }
      if (!exists) {
        try {
          await m.consumers.add(stream, cfg);
          return;
        } catch (e) {
          // Another replica made it first: ours are applied below.
          if (!isApiError(e, ApiCode.ConsumerAlreadyExists, ApiCode.ConsumerNameInUse))
            throw refused(`create consumer ${cfg.durable_name} on ${stream}`, e);
        }
      }
      const { deliver_policy: _d, durable_name: _n, ...updatable } = cfg;
      try {
        await m.consumers.update(stream, cfg.durable_name, updatable);
      } catch (e) {
        throw refused(`update consumer ${cfg.durable_name} on ${stream}`, e);
      }
    },
  };
}
