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
  // STAND-IN until the service skeleton's migrations make these.
  await pool.query(`CREATE TABLE IF NOT EXISTS known_tenants (tenant_id uuid PRIMARY KEY, state text NOT NULL);
    CREATE TABLE IF NOT EXISTS usage_samples (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, measured_at timestamptz NOT NULL,
      active_users integer, database_bytes bigint, filestore_bytes bigint, backup_bytes bigint, backup_generations integer,
      error_code text, error_message text)`);
  return {
    pool,
    async drop() {
      await pool.end();
      await db.drop();
    },
  };
}

/** Enters a tenant in the quota service's copy of the tenants, as its tenant events would. */
export async function knowTenant(pool: Pool, tenantId: string, state = 'active'): Promise<void> {
  await pool.query('INSERT INTO known_tenants (tenant_id, state) VALUES ($1, $2)', [tenantId, state]);
}
