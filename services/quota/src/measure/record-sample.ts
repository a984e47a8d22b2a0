import type { UsageSample } from '@ocp/contracts';
import type { PoolClient } from '@ocp/db';

/** Adds a sample to the tenant's usage history. */
export async function recordSample(client: PoolClient, s: UsageSample): Promise<void> {
  await client.query(
    `INSERT INTO usage_samples (tenant_id, measured_at, active_users, database_bytes, filestore_bytes,
       backup_bytes, backup_generations, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      s.tenantId,
      s.measuredAt,
      s.activeUsers,
      s.databaseBytes,
      s.filestoreBytes,
      s.backupBytes,
      s.backupGenerations,
      s.error ? JSON.stringify(s.error) : null,
    ],
  );
}
