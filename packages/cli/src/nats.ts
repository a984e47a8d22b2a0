import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { type ConnectionOptions, connect, nkeyAuthenticator } from '@nats-io/transport-node';
// The permissions are made from the contracts catalog by @ocp/bus, as the services' own are.
import {
  ADMIN,
  catalogServices,
  identities,
  inboxPrefixOf,
  type NatsUser,
  renderServerConfig,
} from '@ocp/bus';
import { isLoopbackHost } from './config.ts';
import { StartError } from './errors.ts';
import { type Log, recordingLog } from './log.ts';
import { readOrCreateSecret } from './secret-file.ts';
import { type BackoffOptions, supervise } from './supervisor.ts';
import { canConnect, waitUntil } from './wait.ts';

/** The NATS server the platform uses. */
export interface NatsHandle {
  url: string;
  /** True when we started this nats-server, so `stop()` ends it. */
  startedHere: boolean;
  /** Where JetStream keeps its data, when we started the server. */
  storeDir: string | undefined;
  /** The process id of the nats-server we run, while one runs. */
  readonly pid: number | undefined;
  /**
   * The file holding each identity's NKEY seed (`<identity>.nk`), handed to the services as
   * `NATS_NKEY_SEED_FILE`; undefined when the server is used without credentials.
   */
  seedFiles: Record<string, string> | undefined;
  /** Stops the nats-server if we started it; leaves one that was already running alone. */
  stop(): Promise<void>;
  /** Sends SIGTERM without waiting, for a start command that is exiting itself. */
  abandon(): void;
}

/** Options of `ensureNats`. */
export interface EnsureNatsOptions {
  url: string;
  /** The JetStream store of a nats-server we start. */
  storeDir: string;
  /** Directories searched for the nats-server binary (the `PATH`). */
  searchPath: string[];
  log: Log;
  signal?: AbortSignal;
  /** Restart timing of a nats-server we start, when it dies. */
  backoff?: BackoffOptions;
  /**
   * Where the seeds of a nats-server we start are made on its first start and kept (one
   * `<identity>.nk` file each, 0600), beside its configuration (default: `nats-credentials` beside
   * `storeDir`).
   */
  credentialsDir?: string;
  /**
   * `OCP_NATS_SEEDS_DIR`: the seeds (`<identity>.nk`) to sign in to a NATS server we did not start;
   * unset, the services connect to it without credentials.
   */
  externalSeedsDir?: string | undefined;
}

/** The seed file of `identity` in `dir`. */
export const seedFileOf = (dir: string, identity: string) => join(dir, `${identity}.nk`);

/**
 * The seed of every identity of the catalog in `dir`, each made on the first call and kept; the
 * users (public keys only) for the server's configuration.
 */
export async function ensureNatsSeeds(
  dir: string,
): Promise<{ users: NatsUser[]; seedFiles: Record<string, string> }> {
  const users: NatsUser[] = [];
  const seedFiles: Record<string, string> = {};
  // The seeds are the identities themselves: the directory is its owner's alone when made here.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const identity of identities()) {
    const file = seedFileOf(dir, identity);
    const seed = await readOrCreateSecret(file, () => new TextDecoder().decode(createUser().getSeed()));
    users.push({ identity, nkey: fromSeed(new TextEncoder().encode(seed)).getPublicKey() });
    seedFiles[identity] = file;
  }
  return { users, seedFiles };
}

/** The seed in `file`, or undefined when there is none (read only: it may be a mounted secret). */
async function seedIn(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The seed files of the services in `dir` (the admin's too, when there), each checked to be there. */
async function externalSeeds(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const missing: string[] = [];
  for (const identity of [...catalogServices(), ADMIN]) {
    const file = seedFileOf(dir, identity);
    if ((await seedIn(file)) !== undefined) files[identity] = file;
    else if (identity !== ADMIN) missing.push(file);
  }
  if (missing.length > 0)
    throw new StartError(
      'CLI_NATS_FAILED',
      `OCP_NATS_SEEDS_DIR is ${dir}, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ` +
        "Put each service's NKEY seed there (<service>.nk, readable by this user only), or unset OCP_NATS_SEEDS_DIR " +
        'to connect without credentials.',
    );
  return files;
}

/**
 * Connection options signing in as the first of `identities` with a seed in `files`, with its own
 * inbox prefix (the only inbox its permissions let it read); none: without credentials.
 */
async function signedIn(
  files: Record<string, string> | undefined,
  ...identities: string[]
): Promise<Partial<ConnectionOptions>> {
  for (const identity of identities) {
    const file = files?.[identity];
    const seed = file ? await seedIn(file) : undefined;
    if (seed)
      return {
        authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
        inboxPrefix: inboxPrefixOf(identity),
      };
  }
  return {};
}

/** Whether the server at `url` lets in a connection that gives no credentials. */
async function acceptsAnonymous(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 5_000, reconnect: false });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

const NOT_FOUND =
  'nats-server was not found on the PATH. Install it (Debian/Ubuntu: `sudo apt-get install nats-server`; ' +
  'or download it from the NATS project) and run `pnpm start` again.';

/** The nats-server binary in `searchPath`, or undefined. */
export async function findOnPath(name: string, searchPath: string[]): Promise<string | undefined> {
  for (const dir of searchPath) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * Fails when the NATS server at `url` has no JetStream, which the services need. Debian's
 * nats-server package, for one, starts a server on 127.0.0.1:4222 without it.
 */
async function checkJetStream(url: string, as: Partial<ConnectionOptions> = {}): Promise<void> {
  let problem: string | undefined;
  try {
    const nc = await connect({ ...as, servers: url, timeout: 5_000, reconnect: false });
    try {
      const reply = await nc.request('$JS.API.INFO', '', { timeout: 5_000 });
      const info = JSON.parse(new TextDecoder().decode(reply.data)) as { error?: { description?: string } };
      if (info.error) problem = info.error.description ?? 'JetStream answered with an error';
    } catch (err) {
      problem = (err as Error).message;
    } finally {
      await nc.close();
    }
  } catch (err) {
    throw new StartError(
      'CLI_NATS_FAILED',
      `NATS at ${url} accepts connections but: ${(err as Error).message}.`,
    );
  }
  if (problem !== undefined) {
    throw new StartError(
      'CLI_NATS_FAILED',
      `NATS at ${url} has no JetStream (${problem}), which the services need. Enable it on that server ` +
        "(nats-server -js, or `jetstream: enabled` in its configuration; for the service of Debian's " +
        'package, `sudo systemctl disable --now nats-server` lets the start command run its own), or ' +
        'set OCP_NATS_URL to a free port, e.g. nats://127.0.0.1:4223, to have one started there.',
    );
  }
}

/**
 * Uses the NATS server at `url` when it accepts a TCP connection and has JetStream; otherwise starts a nats-server
 * with JetStream on that port, storing into `storeDir`, and waits until it listens. A nats-server
 * started here that dies is logged and started again, as the services are.
 */
export async function ensureNats(opts: EnsureNatsOptions): Promise<NatsHandle> {
  const { url, storeDir, searchPath, log, signal, backoff } = opts;
  const { hostname, port: portText } = new URL(url);
  const port = Number(portText || 4222);
  if (await canConnect(hostname, port)) {
    const seedFiles = opts.externalSeedsDir ? await externalSeeds(opts.externalSeedsDir) : undefined;
    // Any identity may ask for JetStream's account info; the admin's seed is optional.
    await checkJetStream(url, await signedIn(seedFiles, ADMIN, 'gateway'));
    if (await acceptsAnonymous(url))
      log.error(
        `Warning: NATS at ${url} accepts connections without credentials: anyone who reaches it can read, forge and delete the platform's messages. ` +
          'Give it the authorization block of `pnpm nats:config` and set OCP_NATS_SEEDS_DIR (see deploy/README.md).',
      );
    return {
      url,
      startedHere: false,
      storeDir: undefined,
      seedFiles,
      pid: undefined,
      stop: async () => {},
      abandon: () => {},
    };
  }
  if (!isLoopbackHost(hostname)) {
    throw new StartError(
      'CLI_NATS_FAILED',
      `NATS at ${url} does not answer, and a nats-server can only be started on this machine. ` +
        'Start that server, or unset OCP_NATS_URL to have one started here.',
    );
  }
  const binary = await findOnPath('nats-server', searchPath);
  if (!binary) throw new StartError('CLI_NATS_NOT_FOUND', NOT_FOUND);

  await mkdir(storeDir, { recursive: true });
  // Each identity's seed is made on the first start and kept: the server's configuration holds only
  // the public keys and the permissions the catalog gives each identity.
  const credentialsDir = opts.credentialsDir ?? join(dirname(storeDir), 'nats-credentials');
  const { users, seedFiles } = await ensureNatsSeeds(credentialsDir);
  const configFile = join(credentialsDir, 'nats-server.conf');
  await writeFile(configFile, renderServerConfig({ host: '127.0.0.1', port, storeDir, users }), {
    mode: 0o600,
  });
  // Kept so that a server that refuses to start can say why in the error.
  const recent: string[] = [];
  const recording = recordingLog(log, recent);
  // Supervised like the services: a nats-server that dies is started again, on the same store.
  const server = supervise(
    {
      name: 'nats',
      title: 'nats-server',
      command: binary,
      args: ['-c', configFile],
      cwd: storeDir,
      env: {},
    },
    recording,
    backoff,
  );

  const stop = async () => server.stop(10_000);
  try {
    const up = await waitUntil(
      async () => server.lastExit === undefined && (await canConnect('127.0.0.1', port)),
      { timeoutMs: 15_000, intervalMs: 100, signal },
    );
    if (!up || server.lastExit !== undefined) {
      throw new StartError(
        'CLI_NATS_FAILED',
        `nats-server did not start listening on 127.0.0.1:${port}` +
          `${server.lastExit ? ` (it ${server.lastExit})` : ''}. Its last lines:\n${recent.join('\n')}`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    startedHere: true,
    storeDir,
    seedFiles,
    get pid() {
      return server.pid;
    },
    stop,
    abandon: () => server.abandon(),
  };
}
