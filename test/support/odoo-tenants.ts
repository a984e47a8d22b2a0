import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Bus, RpcError } from '@ocp/bus';
import type { Operation, Runtime } from '@ocp/contracts';
import { adminQuery, adminUrl, waitFor } from '@ocp/testkit';
import { createRuntimeRole, type OdooDouble, startOdooDouble } from './odoo-double/index.ts';

/** Helpers of the tests of tenants on an Odoo runtime (the protocol double). */

/** The operation once it has ended, followed as the gateway follows it. */
export async function ended(bus: Bus, operationId: string): Promise<Operation> {
  return await waitFor(
    `operation ${operationId} to end`,
    async () => {
      const { operation } = await bus.request('operation.get.v1', { operationId });
      return operation.state === 'succeeded' || operation.state === 'failed' ? operation : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
}

/** Files under a filestore directory, relative to it, sorted. */
export async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * Drops the databases the runtime's role owns whose names are not the test's (the runtime's
 * template), so that the platform's disposal can drop the role.
 */
export async function dropOwnedDatabases(role: string): Promise<void> {
  const { rows } = await adminQuery<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)',
    [role],
  );
  for (const { datname } of rows) {
    const db = `"${datname.replaceAll('"', '""')}"`;
    await adminQuery(`ALTER DATABASE ${db} IS_TEMPLATE false`);
    await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

/** The RpcError a request was refused with. */
export async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  return await p.then(
    () => assert.fail('the request was accepted'),
    (e: unknown) => {
      assert.ok(e instanceof RpcError, String(e));
      return e;
    },
  );
}

/**
 * An Odoo runtime served by the protocol double, registered through `bus` (as the gateway) and
 * ready: a runtime role of the test's prefix, a data directory of its own (`<dataDir>/filestore`);
 * its gevent port at `websocketUrl` when given.
 * The caller closes `odoo`, drops the role's databases and removes `dataDir`.
 */
export async function startDoubleRuntime(
  bus: Bus,
  prefix: string,
  opts: { websocketUrl?: string } = {},
): Promise<{ odoo: OdooDouble; role: string; dataDir: string; filestore: string; runtime: Runtime }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ocp-odoo-runtime-'));
  const filestore = path.join(dataDir, 'filestore');
  await mkdir(filestore, { recursive: true });
  const { role, url } = await createRuntimeRole(`${prefix}rt_odoo`, adminUrl());
  const odoo = await startOdooDouble({
    databaseUrl: url,
    masterPassword: 'masterpw',
    dataDir,
    version: '18.0',
  });
  const { runtime } = await bus.request('tenant.runtime.register.v1', {
    name: 'main',
    odooVersion: '18.0',
    rpcUrl: odoo.url,
    ...(opts.websocketUrl ? { websocketUrl: opts.websocketUrl } : {}),
    masterPassword: 'masterpw',
    dbRole: role,
    filestorePath: filestore,
  });
  const ready = await waitFor(
    'the runtime to be ready',
    async () => {
      const { runtime: r } = await bus.request('tenant.runtime.get.v1', { runtime: runtime.id });
      assert.notEqual(r.state, 'failed', r.templateError ?? '');
      return r.state === 'ready' ? r : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return { odoo, role, dataDir, filestore, runtime: ready };
}
