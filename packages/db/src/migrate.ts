import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';

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
