import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import { applyRuntimeGrants, GrantsError, type RuntimeGrants, roleOfUrl } from './grants.ts';

const kitMigrations = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Brings a service's database up to date: first the tables this package owns (outbox, inbox),
 * then the service's own SQL migrations in `dir`. Each set has its own history table; a lock
 * keeps two replicas from migrating at once.
 */
export async function migrate(opts: { databaseUrl: string; dir: string; logger: Logger }): Promise<void> {
  const log = (msg: string) => opts.logger.debug({ migration: msg }, 'migration');
  for (const [dir, table] of [
    [kitMigrations, 'ocp_kit_migrations'],
    [opts.dir, 'migrations'],
  ] as const) {
    const done = await runner({
      databaseUrl: opts.databaseUrl,
      dir,
      migrationsTable: table,
      direction: 'up',
      count: Number.POSITIVE_INFINITY,
      checkOrder: true,
      // Another replica migrating at the same moment is waited for, not an error: it then finds nothing to do.
      advisoryLockMode: 'wait',
      log,
      logger: { debug: log, info: log, warn: log, error: (m: string) => opts.logger.error(m) },
    });
    if (done.length > 0) opts.logger.info({ applied: done.map((m) => m.name), table }, 'database migrated');
  }
}

/** SQLSTATEs of a role that may not do what a migration asks (no privilege, not the owner). */
const REFUSED = new Set(['42501']);

function refused(e: unknown): boolean {
  for (let err = e as { code?: string; cause?: unknown } | undefined; err; err = err.cause as typeof err) {
    if (err.code && REFUSED.has(err.code)) return true;
    if (err instanceof Error && /permission denied|must be owner/i.test(err.message)) return true;
  }
  return false;
}

/**
 * Makes a service's database ready for it: migrations over `migrationUrl` (the owner role's, which
 * the running service does not hold), then the runtime role of `databaseUrl` gets exactly `grants`.
 * Without `migrationUrl` (a development setup where one role does everything) migrations run over
 * `databaseUrl` and no grants are set; a runtime role that may not migrate is told to set
 * `DATABASE_MIGRATION_URL`.
 */
export async function prepareDatabase(opts: {
  databaseUrl: string;
  migrationUrl?: string | undefined;
  dir: string;
  grants: RuntimeGrants;
  logger: Logger;
}): Promise<void> {
  const { databaseUrl, migrationUrl, logger } = opts;
  try {
    await migrate({ databaseUrl: migrationUrl ?? databaseUrl, dir: opts.dir, logger });
  } catch (e) {
    if (migrationUrl || !refused(e)) throw e;
    throw new GrantsError(
      `the role of DATABASE_URL may not run the migrations (${(e as Error).message}). It is the ` +
        "service's runtime role: set DATABASE_MIGRATION_URL to the URL of the role that owns the service's tables",
      { cause: e },
    );
  }
  if (!migrationUrl) return;
  const runtimeRole = roleOfUrl(databaseUrl);
  if (!runtimeRole)
    throw new GrantsError(
      'DATABASE_URL names no user; with DATABASE_MIGRATION_URL set it must name the runtime role',
    );
  await applyRuntimeGrants({ ownerUrl: migrationUrl, runtimeRole, grants: opts.grants });
  logger.debug({ role: runtimeRole, tables: Object.keys(opts.grants).length }, 'runtime grants applied');
}
