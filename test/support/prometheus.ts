import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ScrapeTarget } from './observability.ts';

const PROMETHEUS = '/usr/bin/prometheus';

/** A free TCP port on the loopback interface, as the system hands it out. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const address = srv.address();
  await new Promise((r) => srv.close(r));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** A Prometheus server of a test's own, and its HTTP API. */
export interface TestPrometheus {
  url: string;
  /** What the server has written to its output so far (its errors). */
  output(): string;
  /** `GET /api/v1/<path>`; the `data` of a success, else throws with Prometheus's error. */
  api<T>(path: string, params?: Record<string, string>): Promise<T>;
  /** Stops the server and removes its configuration and TSDB. */
  close(): Promise<void>;
}

/**
 * Starts Debian's Prometheus with a configuration of its own: every target scraped each second
 * under a job named after its service, `ruleFiles` evaluated each second, a TSDB in a temporary
 * directory, the web API on a free port.
 */
export async function startPrometheus(targets: ScrapeTarget[], ruleFiles: string[]): Promise<TestPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: targets.map((t) => ({
      job_name: t.name,
      metrics_path: '/metrics',
      static_configs: [{ targets: [new URL(t.url).host], labels: { service: t.name } }],
    })),
  };
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout?.on('data', (d) => {
    out += d;
  });
  proc.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success')
      throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  };
  // Ready once its API answers; an early exit (a bad configuration) is reported with its output.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await close();
      throw new Error(`prometheus exited with ${proc.exitCode}:\n${out}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`prometheus did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, output: () => out, api, close };
}
