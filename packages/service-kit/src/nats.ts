import { readFile } from 'node:fs/promises';
import { type NatsConnection, nkeyAuthenticator } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { inboxPrefixOf } from '@ocp/bus';
import type { Logger } from 'pino';

/** A NATS connection that reconnects forever, with its state for readiness. */
export interface NatsHandle {
  nc: NatsConnection;
  connected(): boolean;
}

/** How a service proves who it is to NATS: an NKEY seed, given directly or in a file. */
export interface NatsCredentials {
  /** The seed itself (`SU...`). */
  seed?: string | undefined;
  /** A file holding the seed (a Kubernetes secret mount), read at start. */
  seedFile?: string | undefined;
}

/**
 * The seed of `creds`, or undefined when none is configured (an open development server). A file
 * that cannot be read or holds no user seed fails the start, naming the file, never its content.
 */
export async function natsSeed(creds: NatsCredentials): Promise<string | undefined> {
  let seed = creds.seed?.trim();
  if (!seed && creds.seedFile) {
    try {
      seed = (await readFile(creds.seedFile, 'utf8')).trim();
    } catch (err) {
      throw new Error(
        `NATS_NKEY_SEED_FILE ${creds.seedFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); mount the service's NKEY seed there or unset it`,
      );
    }
  }
  if (!seed) return undefined;
  if (!/^SU[A-Z2-7]{56}$/.test(seed))
    throw new Error(
      `the NATS NKEY seed${creds.seedFile && !creds.seed ? ` in ${creds.seedFile}` : ''} is not a user seed (SU followed by 56 characters)`,
    );
  return seed;
}

/**
 * Connects (retrying until the server answers) and keeps reconnecting after any loss. With a seed,
 * the service signs in with its NKEY; replies come to its own inbox prefix, the only one its
 * permissions let it read.
 */
export async function connectNats(opts: {
  url: string;
  name: string;
  logger: Logger;
  credentials?: NatsCredentials;
}): Promise<NatsHandle> {
  const log = opts.logger.child({ component: 'nats' });
  const seed = await natsSeed(opts.credentials ?? {});
  if (!seed)
    log.warn('no NATS credentials configured (NATS_NKEY_SEED, NATS_NKEY_SEED_FILE): connecting without');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: opts.url.split(',').map((s) => s.trim()),
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: true,
      pingInterval: 10_000,
      inboxPrefix: inboxPrefixOf(opts.name),
      ...(seed ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) } : {}),
    });
  } catch (err) {
    // A refusal of the credentials is a configuration problem: say which, never the seed itself.
    if (/authorization/i.test((err as Error)?.message ?? ''))
      throw new Error(
        seed
          ? `NATS at ${opts.url} refused the ${opts.name} service's NKEY: give it the seed whose public key the server's authorization block lists for ${opts.name}`
          : `NATS at ${opts.url} requires credentials: set NATS_NKEY_SEED or NATS_NKEY_SEED_FILE to the ${opts.name} service's NKEY seed`,
        { cause: err },
      );
    throw err;
  }
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
