import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePorts, waitFor } from '@ocp/testkit';
import { canConnect, repoRoot } from '../src/index.ts';
import { cleanups, tempDir } from './helpers.ts';

/** A service that answers /readyz and exits on SIGTERM; plain JavaScript, to run built or not. */
const STAND_IN = `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  res.statusCode = req.url === '/readyz' ? 200 : 404;
  res.end();
}).listen(Number(process.env.HTTP_PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/**
 * A copy of the start command in a repository of its own, whose services are stand-ins, so the
 * real `start.ts` and its runner can be run and signalled as `./run start` runs them.
 */
async function startCommandRepo(defer: (step: () => unknown) => void): Promise<string> {
  const root = await tempDir(defer, 'ocp-cli-repo-');
  // As root the embedded PostgreSQL runs as the postgres OS user, which must enter the data directory.
  await chmod(root, 0o755);
  await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  await mkdir(join(root, 'packages', 'cli'), { recursive: true });
  await cp(join(repoRoot, 'packages', 'cli', 'src'), join(root, 'packages', 'cli', 'src'), {
    recursive: true,
  });
  await symlink(
    join(repoRoot, 'packages', 'cli', 'node_modules'),
    join(root, 'packages', 'cli', 'node_modules'),
  );
  await writeFile(join(root, 'package.json'), '{"type":"module"}\n');
  for (const name of ['tenant', 'audit', 'billing', 'backup', 'quota', 'router', 'notifier', 'gateway']) {
    for (const entry of ['src/main.ts', 'dist/main.js']) {
      await mkdir(join(root, 'services', name, entry, '..'), { recursive: true });
      await writeFile(join(root, 'services', name, entry), STAND_IN);
    }
  }
  return root;
}

test('a Ctrl-C is logged as the SIGINT it is, and the platform stops in order and exits with 0', async (t) => {
  const defer = cleanups(t);
  const root = await startCommandRepo(defer);
  // Distinct ports: separate freePort() calls can answer the same one.
  const [pg, nats, gateway, tenant, audit, billing, backup, quota, router, notifier, nothing] =
    (await freePorts(11)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
  const ports = { pg, nats, gateway, tenant, audit, billing, backup, quota, router, notifier };
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'packages/cli/src/start.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      OCP_DATA_DIR: join(root, 'data'),
      OCP_POSTGRES_URL: `postgres://nobody@127.0.0.1:${nothing}/postgres`,
      OCP_EMBEDDED_PG_PORT: String(ports.pg),
      OCP_NATS_URL: `nats://127.0.0.1:${ports.nats}`,
      OCP_HTTP_PORT: String(ports.gateway),
      OCP_TENANT_HTTP_PORT: String(ports.tenant),
      OCP_AUDIT_HTTP_PORT: String(ports.audit),
      OCP_BILLING_HTTP_PORT: String(ports.billing),
      OCP_BACKUP_HTTP_PORT: String(ports.backup),
      OCP_QUOTA_HTTP_PORT: String(ports.quota),
      OCP_ROUTER_HTTP_PORT: String(ports.router),
      OCP_NOTIFIER_HTTP_PORT: String(ports.notifier),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit');
  // Not a terminal: one JSON record per line.
  const messages = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { service: string; msg: string });

  await waitFor(
    'the banner',
    async () => (messages().some((m) => m.msg.startsWith('The platform is running.')) ? true : undefined),
    { timeoutMs: 120_000 },
  ).catch((err) => {
    throw new Error(`${err.message}\n${output}`);
  });
  child.kill('SIGINT');
  const [code] = await exited;

  const ours = messages()
    .filter((m) => m.service === 'start')
    .map((m) => m.msg);
  assert.ok(ours.includes('Received SIGINT; stopping the platform.'), ours.join('\n'));
  assert.ok(!ours.some((m) => m.includes('SIGTERM')), 'no other signal is named');
  const at = (msg: string) => ours.indexOf(msg);
  assert.ok(at('Stopping the services.') < at('Stopping nats-server.'));
  assert.ok(at('Stopping nats-server.') < at('Stopping the embedded PostgreSQL.'));
  assert.ok(at('Stopping the embedded PostgreSQL.') < at('Stopped.'));
  assert.equal(code, 0);
  for (const port of Object.values(ports)) assert.equal(await canConnect('127.0.0.1', port), false);
});
