#!/usr/bin/env node
// Runs every test file of the tree in one node:test run, so the summary covers the whole suite.
// Test files talk to real PostgreSQL and NATS; see test/README.md for what they expect.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'services'];
const files = [];
for (const root of roots) {
  for (const name of readdirSync(root)) {
    const dir = join(root, name, 'test');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.test.ts')) files.push(join(dir, f));
  }
}
for (const f of existsSync('test/e2e') ? readdirSync('test/e2e') : []) {
  if (f.endsWith('.test.ts')) files.push(join('test/e2e', f));
}
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected.sort()],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
