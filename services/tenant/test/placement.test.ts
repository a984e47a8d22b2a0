import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RpcError } from '@ocp/bus';
import { createPool, migrate, type Pool } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import { pino } from 'pino';
import { placeTenant } from '../src/runtime/placement.ts';

const migrations = fileURLToPath(new URL('../src/db/migrations', import.meta.url));
const logger = pino({ level: 'warn' });

describe('placement of a new tenant', { timeout: 60_000 }, () => {
  let pool: Pool;
  let drop: () => Promise<void>;
  let server: string;
  before(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    await migrate({ databaseUrl: db.url, dir: migrations, logger });
    pool = createPool({ url: db.url, name: 'placement-test', logger });
    server = randomUUID();
    await pool.query(
      "INSERT INTO database_servers (id, name, admin_url_sealed) VALUES ($1, 'default', 'x')",
      [server],
    );
  });
  after(async () => {
    await pool?.end();
    await drop?.();
  });

  const refusal = async (p: Promise<unknown>) =>
    await p.then(
      () => assert.fail('placed'),
      (e: unknown) => {
        assert.ok(e instanceof RpcError, String(e));
        return e;
      },
    );

  async function runtime(name: string, opts: { version?: string; state?: string; max?: number } = {}) {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO odoo_runtimes (id, name, odoo_version, rpc_url, master_password_sealed, database_server_id,
         db_role, filestore_path, max_tenants, state, template_database)
       VALUES ($1, $2, $3, 'http://odoo:8069', 'sealed', $4, $5, '/srv/filestore', $6, $7, $8)`,
      [
        id,
        name,
        opts.version ?? '18.0',
        server,
        `${name.replaceAll('-', '_')}_role`,
        opts.max ?? 10,
        opts.state ?? 'ready',
        opts.state === 'preparing' ? null : `ocp_tpl_${id.slice(0, 8)}_1`,
      ],
    );
    return id;
  }

  async function tenants(runtimeId: string, n: number) {
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      await pool.query(
        `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, database_server_id, runtime_id)
         VALUES ($1, $2, 'T', 'starter', 'active', $2, $3, $4)`,
        [id, `t${id.slice(0, 8)}`, server, runtimeId],
      );
    }
  }

  test('with no runtime registered: the default server, the default role', async () => {
    assert.deepEqual(await placeTenant(pool, {}, 'odoo'), {
      kind: 'default',
      serverId: server,
      owner: 'odoo',
    });
    const other = await refusal(placeTenant(pool, { odooVersion: '16.0' }, 'odoo'));
    assert.equal(other.code, 'NO_RUNTIME');
  });

  test('the ready runtime of the version asked for with the fewest tenants; one asked for by id must be ready', async () => {
    const busy = await runtime('busy');
    const quiet = await runtime('quiet');
    const old = await runtime('old', { version: '17.0' });
    const preparing = await runtime('preparing', { state: 'preparing' });
    await tenants(busy, 3);
    await tenants(quiet, 1);
    const placed = await placeTenant(pool, { odooVersion: '18.0' }, 'odoo');
    assert.equal(placed.kind, 'runtime');
    assert.equal(placed.kind === 'runtime' && placed.runtime.id, quiet);
    assert.equal(placed.owner, 'quiet_role');
    // No version asked for: any ready runtime, the emptiest first.
    const any = await placeTenant(pool, {}, 'odoo');
    assert.equal(any.kind === 'runtime' && any.runtime.id, old);
    const v17 = await placeTenant(pool, { odooVersion: '17.0' }, 'odoo');
    assert.equal(v17.kind === 'runtime' && v17.runtime.id, old);
    const asked = await placeTenant(pool, { runtimeId: busy }, 'odoo');
    assert.equal(asked.kind === 'runtime' && asked.runtime.id, busy);

    const notReady = await refusal(placeTenant(pool, { runtimeId: preparing }, 'odoo'));
    assert.equal(notReady.code, 'INVALID_STATE');
    assert.match(notReady.message, /"preparing" is preparing/);
    const missing = await refusal(placeTenant(pool, { runtimeId: randomUUID() }, 'odoo'));
    assert.equal(missing.code, 'RUNTIME_NOT_FOUND');
    const none = await refusal(placeTenant(pool, { odooVersion: '16.0' }, 'odoo'));
    assert.equal(none.code, 'NO_CAPACITY');
    assert.match(none.message, /no runtime of Odoo 16\.0 is ready with room/);
  });

  test('full runtimes and servers that accept no tenants are passed over, and the refusal says why', async () => {
    await pool.query("UPDATE odoo_runtimes SET max_tenants = 3 WHERE name = 'busy'");
    await pool.query("UPDATE odoo_runtimes SET state = 'disabled' WHERE name IN ('quiet', 'old')");
    const full = await refusal(placeTenant(pool, {}, 'odoo'));
    assert.equal(full.code, 'NO_CAPACITY');
    assert.match(full.message, /"busy": full \(3 of 3\)/);
    assert.match(full.message, /"quiet": disabled/);
    await pool.query("UPDATE odoo_runtimes SET max_tenants = 10 WHERE name = 'busy'");
    await pool.query('UPDATE database_servers SET accepting = false');
    const closed = await refusal(placeTenant(pool, {}, 'odoo'));
    assert.match(closed.message, /"busy": its database server accepts no new tenants/);
  });
});
