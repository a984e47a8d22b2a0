import type { Bus } from '@ocp/bus';
import type { CloudEvent } from '@ocp/contracts';
import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import type { BackupConfig } from '../config.ts';
import type { RetentionPolicy } from '../domain/retention.ts';
import type { BackupKeyring, ObjectStore, PgConnection, PgTools } from '../pipeline/index.ts';

/** What every handler and runner of the backup service is given. */
export interface BackupContext {
  pool: Pool;
  bus: Bus;
  config: BackupConfig;
  logger: Logger;
  store: ObjectStore;
  keyring: BackupKeyring;
  /**
   * An admin connection to `database` on a tenant database server, by its name or id (its key in
   * BACKUP_DB_SERVERS; anything else, or null: the default server, BACKUP_DB_ADMIN_URL).
   */
  connection(server: string | null, database: string): PgConnection;
  /** pg_dump, pg_restore and psql of that server's major version or newer (found once per server). */
  tools(server: string | null): Promise<PgTools & { serverVersion: string }>;
  retention(plan: string | null): RetentionPolicy;
  /** Publishes a committed work command at once (the outbox publishes it again; JetStream drops the copy). */
  dispatch(command: CloudEvent): void;
  now(): Date;
}

/** The object key of a backup: under its tenant's prefix, by month, so a listing stays short. */
export function backupKey(tenantId: string, backupId: string, at: Date): string {
  const month = at.toISOString().slice(0, 7).replace('-', '/');
  return `tenants/${tenantId}/backups/${month}/${backupId}.ocpbak`;
}

/** The key of a target's server in BACKUP_DB_SERVERS: its name, else its id. */
export const serverOf = (t: { databaseServerName: string | null; databaseServerId: string | null }) =>
  t.databaseServerName ?? t.databaseServerId;
