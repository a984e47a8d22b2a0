import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { waitFor } from '@ocp/testkit';
import type { Log } from '../src/index.ts';

/** A `Log` that keeps every line it was given, prefixed as on the terminal. */
export interface MemoryLog {
  log: Log;
  lines: string[];
  /** Resolves the first line matching `pattern`, waiting for it if need be. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  const keep = (source: string, text: string) => {
    for (const line of text.split('\n')) lines.push(`[${source}] ${line}`);
  };
  return {
    log: {
      info: (message) => keep('start', message),
      error: (message) => keep('start', message),
      banner: (message) => keep('start', message),
      line: (source, text) => keep(source, text),
    },
    lines,
    waitForLine: (pattern, timeoutMs = 15_000) =>
      waitFor(`a line matching ${pattern}`, async () => lines.find((l) => pattern.test(l)), { timeoutMs }),
  };
}

/** A fresh directory of the test's own, removed by `defer` (see `cleanups`). */
export async function tempDir(defer: (step: () => unknown) => void, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Registers clean-up steps that run last-registered-first after the test, so services stop before
 * the servers they use.
 */
export function cleanups(t: TestContext): (step: () => unknown) => void {
  const steps: Array<() => unknown> = [];
  t.after(async () => {
    for (const step of steps.reverse()) await step();
  });
  return (step) => {
    steps.push(step);
  };
}
