/**
 * Runs every test file of the tree in one node:test run, so the summary covers the whole suite.
 *
 * Tests need a PostgreSQL superuser and `nats-server` on the PATH (each test file starts its own
 * NATS). PostgreSQL is `TEST_DATABASE_URL`, else the server on 127.0.0.1:5432 as `root`; when that
 * does not answer, an embedded PostgreSQL is started under `.data/test` for the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createLog, ensurePostgres, findOnPath, repoRoot } from '@ocp/cli';
import { ensureAdminAppBuilt } from './support/admin-app.ts';

const log = createLog(process.stdout, process.stderr);
const files: string[] = [];
for (const root of ['packages', 'services']) {
  for (const name of readdirSync(join(repoRoot, root))) {
    const dir = join(root, name, 'test');
    if (!existsSync(join(repoRoot, dir))) continue;
    for (const f of readdirSync(join(repoRoot, dir))) if (f.endsWith('.test.ts')) files.push(join(dir, f));
  }
}
for (const dir of ['test/e2e', 'test/hostile'])
  for (const f of readdirSync(join(repoRoot, dir))) if (f.endsWith('.test.ts')) files.push(join(dir, f));
const only = process.argv.slice(2);
const selected = (only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files).sort();

if (!(await findOnPath('nats-server', (process.env.PATH ?? '').split(delimiter)))) {
  log.error(
    'The tests start their own nats-server, and none is on the PATH. Install it (Debian/Ubuntu: `sudo apt-get install nats-server`) and run the tests again.',
  );
  process.exit(1);
}
const postgres = await ensurePostgres({
  url: process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres',
  dataDir: join(repoRoot, '.data/test'),
  embeddedPort: 54330,
  log,
});

// The browser tests' gateways serve the web app's build: made once here, never by two files at once.
if (selected.some((f) => f.includes('admin-app'))) ensureAdminAppBuilt();

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected],
  {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TEST_DATABASE_URL: postgres.adminUrl },
  },
);
// The spec reporter's totals, repeated as one plain line that any CI can read.
const totals: Record<string, number> = {};
let tail = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  const lines = (tail + chunk.toString()).split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^\S*\s*(pass|fail|skipped|cancelled|todo) (\d+)$/.exec(line.trim());
    if (m?.[1] && m[2]) totals[m[1]] = Number(m[2]);
  }
});
const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await postgres.stop();
const failed = (totals.fail ?? 0) + (totals.cancelled ?? 0);
console.log(`\ntests: ${totals.pass ?? 0} passed, ${failed} failed, ${totals.skipped ?? 0} skipped`);
process.exit(code);
