import { type ApiClient, createApiClient } from '@ocp/api-client';
import type { Command } from 'commander';
import { type ConfigStore, configDirOf, createConfigStore, type StoredLogin } from './config-store.ts';
import { ApiUnreachableError, InterruptedError, NotLoggedInError, UsageError } from './errors.ts';
import { createOutput, type Output, type OutputFormat } from './output.ts';

/** Where the API is when nothing says otherwise: the gateway of `./run start`. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** The process's streams and environment, handed in so that a test can run the program in-process. */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: requests and downloads stop, and the program exits 130. */
  signal: AbortSignal;
}

/** The global options, as every command sees them. */
export interface GlobalOptions {
  url?: string;
  token?: string;
  output?: OutputFormat;
  color: boolean;
}

/** What a command runs with: its output, the stored login and the API. */
export interface Context {
  io: Io;
  out: Output;
  store: ConfigStore;
  /** Whether a person is at the terminal to answer a prompt. */
  interactive: boolean;
  /** The API's base URL: --url, else OCP_URL, else the stored login's, else the default. */
  url(): Promise<string>;
  /** A client of the API, with the token of --token, OCP_TOKEN or the stored login. */
  api(): Promise<ApiClient>;
  /** A client of the API at `url` with `token` (or none), as `login` needs before anything is stored. */
  apiAt(url: string, token?: string): ApiClient;
  /** The stored login, if any. */
  stored(): Promise<StoredLogin | undefined>;
}

/** Trims a trailing slash and `/api/v1`, so that either form of the address works. */
export function normalizeUrl(url: string): string {
  const trimmed = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/api\/v1$/, '');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new UsageError(`--url ${url} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`--url ${url} must be http or https`);
  return trimmed;
}

export function createContext(io: Io, command: Command): Context {
  const opts = command.optsWithGlobals<GlobalOptions>();
  const stdoutTty = Boolean(io.stdout.isTTY);
  const format: OutputFormat = opts.output ?? (stdoutTty ? 'table' : 'json');
  const color = opts.color && stdoutTty && !io.env.NO_COLOR;
  const out = createOutput({ format, color, stdout: io.stdout, stderr: io.stderr });
  const store = createConfigStore(configDirOf(io.env));
  let storedLogin: Promise<StoredLogin | undefined> | undefined;
  const stored = () => {
    storedLogin ??= store.read();
    return storedLogin;
  };

  const apiAt = (url: string, token?: string): ApiClient =>
    createApiClient({
      baseUrl: url,
      ...(token ? { token } : {}),
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        try {
          return await fetch(input, { ...init, signal: io.signal });
        } catch (e) {
          if (io.signal.aborted) throw new InterruptedError();
          throw new ApiUnreachableError(url, e);
        }
      },
    });

  const url = async () => {
    const given = opts.url ?? io.env.OCP_URL;
    if (given) return normalizeUrl(given);
    return (await stored())?.url ?? DEFAULT_URL;
  };

  return {
    io,
    out,
    store,
    interactive: Boolean(io.stdin.isTTY && io.stderr.isTTY),
    url,
    stored,
    apiAt,
    async api() {
      const base = await url();
      let token = opts.token ?? io.env.OCP_TOKEN;
      if (!token) {
        const login = await stored();
        // The stored token goes only to the API it was issued by, never to another --url.
        if (login && login.url === base) token = login.token;
        else if (login)
          throw new NotLoggedInError(
            `not logged in to ${base} (the stored login is for ${login.url}): run \`ocpctl login --url ${base}\` or pass --token`,
          );
      }
      if (!token) throw new NotLoggedInError();
      return apiAt(base, token);
    },
  };
}
