import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { adminAppDir } from '@ocp/admin-app';

const appRoot = join(adminAppDir, '..');

/** The newest modification time of the files the build reads. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['src', 'public']) walk(join(appRoot, dir));
  for (const file of ['index.html', 'vite.config.ts'])
    newest = Math.max(newest, statSync(join(appRoot, file)).mtimeMs);
  return newest;
}

/**
 * Builds the web app (`vite build`, about a second) when its build is missing or older than its
 * sources, so that the gateway of a browser test serves the code under test. The whole suite
 * builds it once before any test file starts (test/run-all.ts), so test files running side by side
 * never rebuild it under each other.
 */
export function ensureAdminAppBuilt(): void {
  let built = 0;
  try {
    built = statSync(join(adminAppDir, 'index.html')).mtimeMs;
  } catch {}
  if (built >= newestSource()) return;
  // The package's own build: the bundle, then the one module the gateway loads (dist-path).
  const steps: [string, string[]][] = [
    [join(appRoot, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn']],
    [join(appRoot, '..', '..', 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json']],
  ];
  for (const [program, args] of steps) {
    const res = spawnSync(program, args, { cwd: appRoot, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`the web app did not build:\n${res.stdout}${res.stderr}`);
  }
}
