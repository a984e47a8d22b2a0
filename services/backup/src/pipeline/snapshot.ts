import { quoteIdent } from '@ocp/db';
import pg from 'pg';
import type { PgConnection } from './pg-tools.ts';

/**
 * A read-only REPEATABLE READ transaction whose snapshot pg_dump joins (`--snapshot`), so that what
 * is counted here is exactly what pg_dump dumps. It must stay open until pg_dump has started.
 */
export interface SourceSnapshot {
  snapshotId: string;
  serverVersion: string;
  serverMajor: number;
  /** Exact row counts of every ordinary table outside the system schemas and extensions. */
  countRows(): Promise<Record<string, number>>;
  /** Installed Odoo modules -> latest_version; {} without an ir_module_module table. */
  installedModules(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export function clientFor(c: PgConnection): pg.Client {
  const client = new pg.Client({
    host: c.host,
    port: c.port,
    user: c.user,
    database: c.database,
    application_name: 'ocp-backup',
    ...(c.password !== undefined ? { password: c.password } : {}),
  });
  // A dropped connection answers through the pending query; it must not crash the process.
  client.on('error', () => {});
  return client;
}

/** Tables whose rows pg_dump dumps: ordinary tables (and partitions), not extension members. */
const TABLES_SQL = `
  SELECT n.nspname AS schema, c.relname AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r'
     AND n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
   ORDER BY 1, 2`;

/** Counts run this many tables to a statement: one round trip per table is slow for Odoo's ~1000. */
const COUNT_BATCH = 100;

/** Rows in each table, as `tables` on the server `client` is connected to, in its current snapshot. */
export async function countRows(client: pg.Client): Promise<Record<string, number>> {
  const tables = (await client.query<{ schema: string; name: string }>(TABLES_SQL)).rows;
  const counts: Record<string, number> = {};
  for (let i = 0; i < tables.length; i += COUNT_BATCH) {
    const batch = tables.slice(i, i + COUNT_BATCH);
    const sql = batch
      .map(
        (t, j) =>
          `SELECT ${j} AS i, count(*)::bigint AS n FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)}`,
      )
      .join(' UNION ALL ');
    for (const row of (await client.query<{ i: number; n: string }>(sql)).rows) {
      const t = batch[row.i];
      if (t) counts[`${t.schema}.${t.name}`] = Number(row.n);
    }
  }
  return counts;
}

export async function openSourceSnapshot(source: PgConnection): Promise<SourceSnapshot> {
  const client = clientFor(source);
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ snapshot: string; version: string; num: string }>(
      `SELECT pg_export_snapshot() AS snapshot, current_setting('server_version') AS version,
              current_setting('server_version_num') AS num`,
    );
    const row = rows[0];
    let closed = false;
    if (!row) throw new Error('the server returned no snapshot');
    return {
      snapshotId: row.snapshot,
      serverVersion: row.version,
      serverMajor: Math.floor(Number(row.num) / 10000),
      countRows: () => countRows(client),
      async installedModules() {
        const found = await client.query<{ t: string | null }>(
          `SELECT to_regclass('public.ir_module_module')::text AS t`,
        );
        if (!found.rows[0]?.t) return {};
        const mods = await client.query<{ name: string; latest_version: string | null }>(
          `SELECT name, latest_version FROM public.ir_module_module WHERE state = 'installed' ORDER BY name`,
        );
        return Object.fromEntries(mods.rows.map((m) => [m.name, m.latest_version ?? '']));
      },
      async close() {
        if (closed) return;
        closed = true;
        await client.query('ROLLBACK').catch(() => {});
        await client.end().catch(() => {});
      },
    };
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}
