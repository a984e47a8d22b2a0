import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** A NATS connection that reconnects forever, with its state for readiness. */
export interface NatsHandle {
  nc: NatsConnection;
  connected(): boolean;
}

/** Connects (retrying until the server answers) and keeps reconnecting after any loss. */
export async function connectNats(opts: { url: string; name: string; logger: Logger }): Promise<NatsHandle> {
  const log = opts.logger.child({ component: 'nats' });
  const nc = await connect({
    servers: opts.url.split(',').map((s) => s.trim()),
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
  });
  let up = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        up = false;
        log.warn('disconnected from NATS; reconnecting');
      } else if (s.type === 'reconnect') {
        up = true;
        log.info('reconnected to NATS');
      }
    }
  })();
  return { nc, connected: () => up && !nc.isClosed() };
}
