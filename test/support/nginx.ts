import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@ocp/testkit';

const run = promisify(execFile);
const NGINX = '/usr/sbin/nginx';

/** The repository's NGINX files: the static configuration and the tenants' pages. */
export const DEPLOY_NGINX_DIR = fileURLToPath(new URL('../../deploy/nginx/', import.meta.url)).replace(
  /\/$/,
  '',
);

/**
 * Debian's NGINX run from the repository's `deploy/nginx/nginx.conf`, copied into a directory of
 * the test's own, so that its `include ocp/*.conf` reads `<dir>/ocp`, where the router renders.
 * What the file leaves to the deployment is given on the command line: the pid file, the error
 * log, and (as root) `user root`, since the workers read the test's own 0700 directories.
 */
export interface TestNginx {
  dir: string;
  /** Where the router writes (its ROUTER_OUTPUT_DIR). */
  outputDir: string;
  pidFile: string;
  /** `nginx -t` of the configuration as it is now. */
  check(): Promise<{ ok: boolean; output: string }>;
  /** Starts NGINX (once the router has rendered); resolves once it accepts connections on `port`. */
  start(port: number): Promise<void>;
  /** What NGINX wrote (its error log and stderr). */
  output(): Promise<string>;
  /** Stops NGINX and removes the directory. */
  close(): Promise<void>;
}

export async function prepareNginx(): Promise<TestNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-nginx-'));
  const conf = join(dir, 'nginx.conf');
  const outputDir = join(dir, 'ocp');
  const pidFile = join(dir, 'nginx.pid');
  const errorLog = join(dir, 'error.log');
  await copyFile(join(DEPLOY_NGINX_DIR, 'nginx.conf'), conf);
  await mkdir(outputDir);
  const globals = `pid ${pidFile};${process.getuid?.() === 0 ? ' user root;' : ''}`;
  const args = ['-p', `${dir}/`, '-c', conf, '-e', errorLog];
  let proc: ChildProcess | undefined;
  let stderr = '';
  return {
    dir,
    outputDir,
    pidFile,
    async check() {
      try {
        const { stderr: out } = await run(NGINX, [...args, '-g', globals, '-t']);
        return { ok: true, output: out };
      } catch (e) {
        return { ok: false, output: String((e as { stderr?: string }).stderr ?? e) };
      }
    },
    async start(port) {
      const p = spawn(NGINX, [...args, '-g', `daemon off; ${globals}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      proc = p;
      p.stderr?.on('data', (d) => {
        if (stderr.length < 100_000) stderr += d;
      });
      await waitFor(
        'NGINX to accept connections',
        async () => {
          if (p.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
          return await new Promise<true | undefined>((resolve) => {
            const s = netConnect(port, '127.0.0.1');
            s.once('connect', () => {
              s.destroy();
              resolve(true);
            });
            s.once('error', () => resolve(undefined));
          });
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
    },
    async output() {
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      return `${log}${stderr}`;
    },
    async close() {
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc?.once('exit', r));
        // QUIT: a graceful stop, its workers gone with it.
        proc.kill('SIGQUIT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A self-signed certificate and its key for `names` (the first is the subject), made by openssl. */
export async function selfSignedCertificate(
  dir: string,
  file: string,
  names: readonly string[],
): Promise<{ certificate: string; key: string }> {
  const certificate = join(dir, `${file}.crt`);
  const key = join(dir, `${file}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${names[0]}`,
    '-addext',
    `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    '-keyout',
    key,
    '-out',
    certificate,
  ]);
  return { certificate, key };
}

export interface ProxiedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Over HTTPS: the subject's common name of the certificate NGINX presented. */
  certificateName?: string;
}

/**
 * A request to NGINX on 127.0.0.1 for `host` (its Host header, and over HTTPS its SNI name), on a
 * connection of its own: a reload's old workers never answer it.
 */
export async function requestVia(
  port: number,
  host: string,
  path: string,
  opts: { tls?: boolean; headers?: Record<string, string>; method?: string; body?: string } = {},
): Promise<ProxiedAnswer> {
  return await new Promise((resolve, reject) => {
    const common = {
      host: '127.0.0.1',
      port,
      path,
      method: opts.method ?? 'GET',
      agent: false as const,
      headers: { host, connection: 'close', ...opts.headers },
    };
    const req = opts.tls
      ? httpsRequest({ ...common, servername: host, rejectUnauthorized: false })
      : httpRequest(common);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from NGINX for ${host}${path}`)));
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      const socket = res.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } };
      const certificateName = opts.tls ? socket.getPeerCertificate?.().subject?.CN : undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ...(certificateName !== undefined ? { certificateName } : {}),
        }),
      );
    });
    req.end(opts.body);
  });
}
