import type { UsageSample } from '@ocp/contracts';
import type { Queryable } from '@ocp/db';
import { backupFigures } from './backup-usage.ts';
import { type MeasureError, measureDatabase } from './database-figures.ts';
import { FilestoreError, filestoreBytes } from './filestore-size.ts';
import type { ServerConnections } from './server-connections.ts';

/** Where a tenant's database and filestore are (`tenant.backup.source`'s target). */
export interface TenantPlace {
  databaseName: string;
  /** The server's name or id (its key among the admin URLs); null: the default server. */
  server: string | null;
  /** `<filestore root>/<database>`; null: the tenant has no filestore. */
  filestoreDir: string | null;
}

export interface MeasureDeps {
  /** The quota database (backup storage figures). */
  db: Queryable;
  connections: ServerConnections;
  /** Where the tenant's data is; throws a `TenantPlaceError` (or anything) when it cannot be told. */
  locate(tenantId: string): Promise<TenantPlace>;
  now(): Date;
  /** Directories of one filestore read at once. */
  filestoreConcurrency?: number;
}

/** The tenant's place could not be found out: `code` goes into the sample. */
export class TenantPlaceError extends Error {
  override name = 'TenantPlaceError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 1000);

/** Several errors of one sample: the first one's code, every message. */
function joined(errors: MeasureError[]): MeasureError | undefined {
  if (errors.length === 0) return undefined;
  return {
    code: errors[0]!.code,
    message: errors
      .map((e) => e.message)
      .join('; ')
      .slice(0, 2000),
  };
}

/**
 * Measures one tenant: users and database size through one connection to its database (within
 * its server's connection bound), its filestore walked meanwhile, and its backup storage as the
 * backup events told it. Never throws for a tenant's fault: what could not be measured is null,
 * with the error saying why, so that a scan goes on to the next tenant.
 */
export async function measureTenant(deps: MeasureDeps, tenantId: string): Promise<UsageSample> {
  const measuredAt = deps.now().toISOString();
  const backups = await backupFigures(deps.db, tenantId);
  let place: TenantPlace;
  try {
    place = await deps.locate(tenantId);
  } catch (e) {
    return {
      tenantId,
      measuredAt,
      activeUsers: null,
      databaseBytes: null,
      filestoreBytes: null,
      ...backups,
      error: { code: e instanceof TenantPlaceError ? e.code : 'TENANT_UNLOCATED', message: messageOf(e) },
    };
  }
  const [database, filestore] = await Promise.all([
    measureDatabase(deps.connections, place.server, place.databaseName),
    place.filestoreDir === null
      ? Promise.resolve({ bytes: 0 })
      : filestoreBytes(place.filestoreDir, deps.filestoreConcurrency).then(
          (bytes) => ({ bytes }),
          (e: unknown) => ({
            bytes: null,
            error: {
              code: e instanceof FilestoreError ? e.code : 'FILESTORE_UNREADABLE',
              message: messageOf(e),
            },
          }),
        ),
  ]);
  const errors = [database.error, 'error' in filestore ? filestore.error : undefined].filter(
    (e): e is MeasureError => e !== undefined,
  );
  const error = joined(errors);
  return {
    tenantId,
    measuredAt,
    activeUsers: database.activeUsers,
    databaseBytes: database.databaseBytes,
    filestoreBytes: filestore.bytes,
    ...backups,
    ...(error ? { error } : {}),
  };
}
