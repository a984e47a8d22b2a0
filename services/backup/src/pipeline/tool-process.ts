import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';

/** The last lines a child wrote to stderr, bounded so a chatty tool cannot grow memory. */
export class StderrTail {
  #text = '';
  constructor(private readonly maxChars = 8192) {}

  push(chunk: Buffer | string): void {
    this.#text += chunk.toString();
    if (this.#text.length > this.maxChars * 2) this.#text = this.#text.slice(-this.maxChars);
  }

  /** The last `lines` lines. */
  lines(lines = 20): string {
    return this.#text.slice(-this.maxChars).trimEnd().split('\n').slice(-lines).join('\n');
  }
}

export interface ToolProcess {
  child: ChildProcess;
  stderr: StderrTail;
  /** Resolves with the exit code (null when killed by a signal); rejects when it cannot start. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the process (SIGTERM, then SIGKILL after 5 s) if it is still running. */
  kill(): void;
}

/** Starts a PostgreSQL client program with arguments that hold no secret and `env` that may. */
export function startTool(
  path: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
): ToolProcess {
  const child = spawn(path, args, { env, stdio });
  const stderr = new StderrTail();
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  exited.catch(() => {});
  return {
    child,
    stderr,
    exited,
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
      hard.unref();
      child.once('close', () => clearTimeout(hard));
    },
  };
}
