import { fileURLToPath } from 'node:url';
import { createPool, migrate, type Pool } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import { pino } from 'pino';

const migrations = fileURLToPath(new URL('../../src/db/migrations', import.meta.url));

/** A quota database of the test's own, migrated; `drop` ends the pool and drops it. */
export async function createQuotaDatabase(): Promise<{ pool: Pool; drop(): Promise<void> }> {
  const db = await createTestDatabase('ocp_qm_quota_');
  const logger = pino({ level: 'warn' });
  await migrate({ databaseUrl: db.url, dir: migrations, logger });
  const pool = createPool({ url: db.url, name: 'quota-measure-test', logger });
  return {
    pool,
    async drop() {
      await pool.end();
      await db.drop();
    },
  };
}

/**
 * Enters a tenant in the quota service's copy of the tenants, as its tenant events would, with
 * where its data is as `tenant.backup.source` would have said (`located_at` set).
 */
export async function knowTenant(
  pool: Pool,
  t: { id: string; databaseName: string; filestoreDir: string | null; server?: string | null },
  state = 'active',
): Promise<void> {
  await pool.query(
    `INSERT INTO known_tenants (tenant_id, slug, plan, state, database_name, database_server_name, filestore_dir,
       located_at, event_time)
     VALUES ($1, $2, 'starter', $3, $4, $5, $6, now(), now())`,
    [t.id, `t${t.id.slice(0, 8)}`, state, t.databaseName, t.server ?? null, t.filestoreDir],
  );
}
