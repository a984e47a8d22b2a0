import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `ocpctl` program of the workspace. */
export const bin = fileURLToPath(new URL('../../packages/ctl/bin/ocpctl.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON output loosely.
  json(): any;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  lines(): any[];
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  problem(): any;
}

/** Runs the real `ocpctl` bin as a child process, with its config in `configDir`, and answers what it did. */
export function ocpctl(
  args: string[],
  opts: { configDir: string; input?: string; env?: Record<string, string> },
): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OCPCTL_CONFIG_DIR: opts.configDir,
    OCPCTL_FROM_SOURCE: '1',
    ...opts.env,
  };
  for (const k of ['OCP_URL', 'OCP_TOKEN'] as const) if (!opts.env?.[k]) delete env[k];
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const parse = (text: string, what: string) => {
        try {
          return JSON.parse(text);
        } catch {
          throw new Error(`ocpctl ${args.join(' ')}: ${what} is not JSON: ${text}\nstderr: ${stderr}`);
        }
      };
      resolve({
        code,
        stdout,
        stderr,
        json: () => parse(stdout, 'stdout'),
        lines: () =>
          stdout
            .split('\n')
            .filter(Boolean)
            .map((l) => parse(l, 'a line of stdout')),
        problem: () => parse(stderr.trim(), 'stderr'),
      });
    });
  });
}
