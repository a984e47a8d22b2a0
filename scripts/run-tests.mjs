#!/usr/bin/env node
// Runs every test file of the tree in one node:test run, so the summary covers the whole suite.
// Test files talk to real PostgreSQL and NATS; see test/README.md for what they expect.
import { spawn } from 'node:child_process';
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
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected.sort()],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
// The spec reporter's totals, repeated as one plain line that any CI can read.
const totals = {};
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = tail + chunk.toString();
  const lines = text.split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^\S*\s*(pass|fail|skipped|cancelled|todo) (\d+)$/.exec(line.trim());
    if (m) totals[m[1]] = Number(m[2]);
  }
});
child.on('close', (code) => {
  const failed = (totals.fail ?? 0) + (totals.cancelled ?? 0);
  console.log(`\ntests: ${totals.pass ?? 0} passed, ${failed} failed, ${totals.skipped ?? 0} skipped`);
  process.exit(code ?? 1);
});
