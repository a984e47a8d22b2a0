import { execFile } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { PgToolsMissingError } from './errors.ts';

const run = promisify(execFile);

/** Where and as whom to connect. The password only ever travels in a child's environment. */
export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** A `postgres://` URL as a PgConnection; `database` overrides the URL's path. */
export function connectionFromUrl(url: string, database?: string): PgConnection {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new Error(`not a PostgreSQL URL: ${u.protocol}//${u.host}`);
  const db = database ?? decodeURIComponent(u.pathname.replace(/^\//, ''));
  const c: PgConnection = {
    host: u.searchParams.get('host') ?? (u.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost'),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    database: db || decodeURIComponent(u.username) || 'postgres',
  };
  if (u.password) c.password = decodeURIComponent(u.password);
  return c;
}

/**
 * The environment for pg_dump, pg_restore and psql: where to connect and the password, which on a
 * command line would show in `ps` to every user of the machine. Nothing is inherited from this
 * process, so a stray PGSERVICE or PGOPTIONS cannot change what is dumped or where it goes.
 */
export function pgEnv(c: PgConnection): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PGHOST: c.host,
    PGPORT: String(c.port),
    PGUSER: c.user,
    PGDATABASE: c.database,
    PGAPPNAME: 'ocp-backup',
    PGCONNECT_TIMEOUT: '15',
    // No ~/.pgpass or service file of whoever runs the service.
    PGPASSFILE: '/dev/null',
    PGSYSCONFDIR: '/nonexistent',
    // Messages in English, which is what DumpFailedError shows and operators search for.
    LC_MESSAGES: 'C',
    LANG: 'C.UTF-8',
  };
  if (c.password !== undefined) env.PGPASSWORD = c.password;
  return env;
}

/** The client programs used for a backup, all from one installation. */
export interface PgTools {
  pgDump: string;
  pgRestore: string;
  psql: string;
  /** pg_dump's major version. */
  major: number;
  /** pg_dump's full version, e.g. "15.20". */
  version: string;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" -> "15.20". */
export function parseToolVersion(output: string): { major: number; version: string } | null {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!m?.[1]) return null;
  return { major: Number(m[1]), version: m[2] === undefined ? m[1] : `${m[1]}.${m[2]}` };
}

async function candidateDirs(binDir: string | undefined): Promise<string[]> {
  const dirs: string[] = [];
  if (binDir) dirs.push(binDir);
  try {
    const versions = (await readdir('/usr/lib/postgresql'))
      .filter((n) => /^\d+$/.test(n))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) dirs.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // No Debian-style installation.
  }
  // PATH is the process's own, read where the tools are looked for: it is what the shell would use.
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d) dirs.push(d);
  return [...new Set(dirs)];
}

/**
 * Finds pg_dump/pg_restore/psql whose major version is at least the server's (an older pg_dump
 * refuses a newer server): `binDir` first (PG_BIN_DIR), then /usr/lib/postgresql/<N>/bin newest
 * first, then PATH. The three come from one directory so that they agree on the dump format.
 */
export async function findPgTools(serverMajor: number, binDir?: string): Promise<PgTools> {
  const seen: string[] = [];
  for (const dir of await candidateDirs(binDir)) {
    const pgDump = join(dir, 'pg_dump');
    const pgRestore = join(dir, 'pg_restore');
    const psql = join(dir, 'psql');
    if (!(await executable(pgDump))) continue;
    let found: { major: number; version: string } | null = null;
    try {
      const { stdout } = await run(pgDump, ['--version'], { timeout: 10_000, env: { LC_MESSAGES: 'C' } });
      found = parseToolVersion(stdout);
    } catch {
      // Not runnable here; look further.
    }
    if (!found) continue;
    seen.push(`${pgDump} ${found.version}`);
    if (found.major < serverMajor) continue;
    if (!(await executable(pgRestore)) || !(await executable(psql))) {
      seen.push(`(${dir} lacks pg_restore or psql)`);
      continue;
    }
    return { pgDump, pgRestore, psql, ...found };
  }
  throw new PgToolsMissingError(
    `the database server runs PostgreSQL ${serverMajor}, and no pg_dump ${serverMajor} or newer with ` +
      `pg_restore and psql beside it was found (${seen.length > 0 ? `found ${seen.join(', ')}` : 'found none'}); ` +
      `install the Debian package postgresql-client-${serverMajor} or set PG_BIN_DIR to its bin directory`,
  );
}
