import type { Pool } from '@ocp/db';
import type { Logger } from 'pino';
import { resealTenantPasswords } from '../db/sealed.ts';
import type { Keyring } from '../domain/secrets.ts';
import type { DbServers } from './registry.ts';

/** Tenants whose provisioning finished: their database and role are theirs whatever their marks. */
const PROVISIONED = ['active', 'suspended', 'restoring', 'migrating', 'deleting'];

/**
 * Brings what is stored up to date at start, before any work runs: server credentials kept in
 * clear or under an older key are sealed (again), tenant passwords too, and the databases and
 * roles of tenants provisioned before ownership marks existed get their mark.
 */
export async function updateStoredSecretsAndMarks(
  pool: Pool,
  servers: DbServers,
  ring: Keyring,
  logger: Logger,
): Promise<void> {
  await servers.sealStoredCredentials();
  await resealTenantPasswords(pool, ring, logger);
  const { rows } = await pool.query<{ server: string; id: string; name: string }>(
    `SELECT database_server_id AS server, id, database_name AS name FROM tenants
     WHERE database_server_id IS NOT NULL AND state = ANY($1)`,
    [PROVISIONED],
  );
  const byServer = new Map<string, typeof rows>();
  for (const r of rows) byServer.set(r.server, [...(byServer.get(r.server) ?? []), r]);
  for (const [server, tenants] of byServer) {
    const marked = await (await servers.admin(server)).markProvisioned(tenants);
    if (marked > 0) logger.info({ server, marked }, 'marked the databases and roles of earlier tenants');
  }
}
