#!/usr/bin/env node
// The built program when there is one; inside the workspace without a build, the TypeScript source.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const built = new URL('../dist/main.js', import.meta.url);
// OCPCTL_FROM_SOURCE=1 runs the source even beside a build (the tests do: a build can be stale).
if (existsSync(built) && process.env.OCPCTL_FROM_SOURCE !== '1') {
  // The workspace packages export their built code under the `production` condition (their default
  // is TypeScript source): resolve as `node --conditions=production` would, without a flag to pass.
  register(
    'data:text/javascript,export function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "production"] }); }',
  );
  await import(built.href);
} else {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
