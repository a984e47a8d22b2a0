import { chmod, lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { ConfigError } from './errors.ts';

/** What `ocpctl login` keeps: where the API is and the token to call it with. */
export interface StoredLogin {
  url: string;
  token: string;
  /** session: from `login` with a password (logout revokes it); token: an API token given as is. */
  kind: 'session' | 'token';
  /** Who logged in, to show; not used for anything else. */
  who?: string;
}

/** Reads, writes and removes the stored login, a file only its owner may read. */
export interface ConfigStore {
  readonly file: string;
  read(): Promise<StoredLogin | undefined>;
  write(login: StoredLogin): Promise<void>;
  remove(): Promise<boolean>;
}

/** The config directory: `OCPCTL_CONFIG_DIR`, else the user's config directory (`~/.config/ocpctl` on Linux). */
export function configDirOf(env: NodeJS.ProcessEnv): string {
  return env.OCPCTL_CONFIG_DIR || envPaths('ocpctl', { suffix: '' }).config;
}

const checksModes = process.platform !== 'win32';

/**
 * Tightens `path` to `mode` when others may read it and the current user owns it; refuses when
 * another user owns it (it cannot be trusted to hold a token).
 */
async function ensureMode(path: string, mode: number, what: string): Promise<void> {
  if (!checksModes) return;
  const st = await lstat(path);
  if (st.isSymbolicLink()) throw new ConfigError(`${what} ${path} is a symbolic link: refusing to use it`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new ConfigError(`${what} ${path} belongs to another user (uid ${st.uid}): refusing to use it`);
  if ((st.mode & 0o777) !== mode) await chmod(path, mode);
}

function parse(text: string, file: string): StoredLogin {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${file} is not JSON: remove it and log in again`, { cause });
  }
  const v = value as Partial<StoredLogin> | null;
  if (!v || typeof v.url !== 'string' || typeof v.token !== 'string')
    throw new ConfigError(`${file} lacks url or token: remove it and log in again`);
  return {
    url: v.url,
    token: v.token,
    kind: v.kind === 'token' ? 'token' : 'session',
    ...(typeof v.who === 'string' ? { who: v.who } : {}),
  };
}

/** The store of the login under `dir` (made with mode 0700 when missing), in `login.json` (mode 0600). */
export function createConfigStore(dir: string): ConfigStore {
  const file = join(dir, 'login.json');
  return {
    file,
    async read() {
      let text: string;
      try {
        await ensureMode(dir, 0o700, 'the config directory');
        await ensureMode(file, 0o600, 'the login file');
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      return parse(text, file);
    },
    async write(login) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await ensureMode(dir, 0o700, 'the config directory');
      // Written beside and renamed over, so a reader never sees half a file; created 0600, never wider.
      const temp = `${file}.${process.pid}.tmp`;
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(login, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
      await ensureMode(file, 0o600, 'the login file');
    },
    async remove() {
      try {
        await lstat(file);
      } catch {
        return false;
      }
      await rm(file, { force: true });
      return true;
    },
  };
}
