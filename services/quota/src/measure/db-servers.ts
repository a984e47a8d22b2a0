import { parseServerUrls } from '@ocp/service-kit';

/**
 * QUOTA_DB_SERVERS: the admin URLs of the tenant database servers other than the default one
 * (QUOTA_DB_ADMIN_URL), by the server's name as registered with the tenant service, or its id.
 * The same shape as the backup service's BACKUP_DB_SERVERS, as both reach a tenant's server by
 * the name `tenant.backup.source` gives. Spread into the service's config schema.
 */
export const dbServersConfig = {
  QUOTA_DB_SERVERS: {
    type: 'string',
    default: '{}',
    secret: true,
    description:
      "JSON object from a database server's name (as registered with the tenant service) or id to the admin URL the quota service measures its tenants with, for servers other than the default.",
  },
} as const;

/** The admin URLs by server name or id, and what is wrong with the setting. */
export function parseDbServers(raw: string): { map: ReadonlyMap<string, string>; problems: string[] } {
  return parseServerUrls('QUOTA_DB_SERVERS', raw, {
    key: 'server name',
    consequence: 'its tenants could not be measured',
  });
}
