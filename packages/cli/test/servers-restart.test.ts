import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { freePorts, waitFor } from '@ocp/testkit';
import { createPlatform, loadConfig } from '../src/index.ts';
import { cleanups, memoryLog, tempDir } from './helpers.ts';

async function readyzStatus(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return undefined;
  }
}

/**
 * Takes `port` on every address, so that a server restarted there cannot listen until `release`,
 * and drops each connection at once, so that a client fails fast instead of waiting.
 */
async function holdPort(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  server.listen(port);
  await once(server, 'listening');
  return server;
}

test('a nats-server or embedded PostgreSQL killed with SIGKILL is logged and restarted; the services answer 503 on /readyz meanwhile, and 200 again after', async (t) => {
  const defer = cleanups(t);
  const dataDir = await tempDir(defer, 'ocp-cli-restart-');
  // As root the embedded PostgreSQL runs as the postgres OS user, which must enter the directory.
  await chmod(dataDir, 0o755);
  // Distinct ports: separate freePort() calls can answer the same one.
  const [postgres, nats, gateway, tenant, audit, billing, backup, quota, router, notifier, nothing] =
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
  const ports = { postgres, nats, gateway, tenant, audit, billing, backup, quota, router, notifier };
  const config = loadConfig({
    OCP_DATA_DIR: dataDir,
    // Nothing answers there: the embedded PostgreSQL is started.
    OCP_POSTGRES_URL: `postgres://nobody@127.0.0.1:${nothing}/postgres`,
    OCP_EMBEDDED_PG_PORT: String(ports.postgres),
    OCP_NATS_URL: `nats://127.0.0.1:${ports.nats}`,
    OCP_HTTP_PORT: String(ports.gateway),
    OCP_TENANT_HTTP_PORT: String(ports.tenant),
    OCP_AUDIT_HTTP_PORT: String(ports.audit),
    OCP_BILLING_HTTP_PORT: String(ports.billing),
    OCP_BACKUP_HTTP_PORT: String(ports.backup),
    OCP_QUOTA_HTTP_PORT: String(ports.quota),
    OCP_ROUTER_HTTP_PORT: String(ports.router),
    OCP_NOTIFIER_HTTP_PORT: String(ports.notifier),
    OCP_LOG_LEVEL: 'warn',
    PATH: process.env.PATH,
  });
  const { log, lines } = memoryLog();
  // The real services, from source: this checks what their /readyz says, not a stand-in's.
  const platform = createPlatform(config, log, {
    readyTimeoutMs: 240_000,
    stopGraceMs: 15_000,
    services: 'source',
    // Long enough that the test takes the port before the first restart.
    backoff: { initialMs: 3_000, maxMs: 3_000 },
  });
  defer(() => platform.stop());
  await platform.start(new AbortController().signal).catch((err) => {
    throw new Error(`${err.message}\n${lines.slice(-60).join('\n')}`);
  });

  const readyz = ['gateway', 'tenant', 'audit', 'billing', 'backup', 'quota'].map(
    (name) => [name, `http://127.0.0.1:${ports[name as keyof typeof ports]}/readyz`] as const,
  );
  const everyServiceAnswers = (status: number, what: string) =>
    waitFor(
      what,
      async () => {
        for (const [, url] of readyz) if ((await readyzStatus(url)) !== status) return undefined;
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    ).catch((err) => {
      throw new Error(`${err.message}\n${lines.slice(-60).join('\n')}`);
    });
  await everyServiceAnswers(200, 'every service to be ready');

  for (const [server, title] of [
    ['nats', 'nats-server'],
    ['postgres', 'The embedded PostgreSQL'],
  ] as const) {
    const pid = platform.pidOf(server);
    assert.ok(pid, `${server} runs under the platform`);
    process.kill(pid, 'SIGKILL');
    await waitFor(`${server} to be gone`, async () => (platform.pidOf(server) !== pid ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const held = await holdPort(ports[server]);
    try {
      assert.ok(
        lines.some((l) => l.startsWith(`[start] ${title} was killed by SIGKILL; restarting it in 3.0 s.`)),
        `the death of ${server} is logged`,
      );
      await everyServiceAnswers(503, `every service to answer 503 while ${server} is down`);
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
    await everyServiceAnswers(200, `every service to be ready again after ${server} came back`);
    const now = platform.pidOf(server);
    assert.ok(now && now !== pid, `${server} runs again, as a new process`);
  }
});
