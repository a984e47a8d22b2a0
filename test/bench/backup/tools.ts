import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';

/** What is undone at the end of a run, last made first undone, each whatever the others do. */
export interface Scratch {
  defer(what: string, undo: () => Promise<unknown>): void;
  /** Undoes everything deferred so far; failures are reported on `report`, not thrown. */
  cleanup(): Promise<void>;
}

export function createScratch(report: (line: string) => void): Scratch {
  const undos: Array<{ what: string; undo: () => Promise<unknown> }> = [];
  return {
    defer(what, undo) {
      undos.push({ what, undo });
    },
    async cleanup() {
      for (let u = undos.pop(); u; u = undos.pop())
        await u.undo().catch((e: unknown) => report(`cleaning up ${u?.what}: ${e}`));
    },
  };
}

/**
 * Runs a PostgreSQL client program to its end: stdin from the file `stdinFrom`, stdout to the file
 * `stdoutTo` (both opened here, so no byte passes through this process). Rejects with its last
 * words when it fails. Resolves with its wall time in ms, from spawn to exit.
 */
export async function runTool(
  path: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  o: { stdinFrom?: string; stdoutTo?: string; signal: AbortSignal },
): Promise<number> {
  const stdin = o.stdinFrom ? await open(o.stdinFrom, 'r') : undefined;
  const stdout = o.stdoutTo ? await open(o.stdoutTo, 'w') : undefined;
  try {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(path, args, {
        env,
        stdio: [stdin?.fd ?? 'ignore', stdout?.fd ?? 'ignore', 'pipe'],
        signal: o.signal,
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (s: string) => {
        stderr = (stderr + s).slice(-4000);
      });
      child.once('error', reject);
      child.once('close', (code, sig) =>
        code === 0
          ? resolve()
          : reject(
              new Error(`${path} ${sig ? `was ended by ${sig}` : `exited with ${code}`}: ${stderr.trim()}`),
            ),
      );
    });
    return performance.now() - started;
  } finally {
    await stdin?.close();
    await stdout?.close();
  }
}
