import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connectionFromUrl, type PgConnection, type PgTools, pgEnv } from '@ocp/backup/pipeline';
import { adminQuery, urlFor } from '@ocp/testkit';
import pg from 'pg';
import { runTool, type Scratch } from './tools.ts';

const q = pg.escapeIdentifier;

export interface BenchDatabase {
  name: string;
  connection: PgConnection;
  /** pg_database_size. */
  bytes: number;
  rows: number;
}

async function databaseSize(name: string, adminUrl: string): Promise<number> {
  const { rows } = await adminQuery<{ b: string }>('SELECT pg_database_size($1) AS b', [name], adminUrl);
  return Number(rows[0]?.b);
}

/**
 * A tenant-sized database made by `pgbench -i -s <scale>` (four tables, 100,000 accounts per scale
 * unit, primary keys, vacuumed), dropped with the run.
 */
export async function createPgbenchDatabase(o: {
  name: string;
  scale: number;
  tools: PgTools;
  adminUrl: string;
  scratch: Scratch;
  signal: AbortSignal;
}): Promise<BenchDatabase> {
  await adminQuery(`CREATE DATABASE ${q(o.name)}`, [], o.adminUrl);
  o.scratch.defer(`the database ${o.name}`, () =>
    adminQuery(`DROP DATABASE IF EXISTS ${q(o.name)} WITH (FORCE)`, [], o.adminUrl),
  );
  const connection = connectionFromUrl(urlFor(o.name, o.adminUrl));
  // pgbench ships beside pg_dump in the same installation.
  const pgbench = join(dirname(o.tools.pgDump), 'pgbench');
  await runTool(pgbench, ['-i', '-q', '-s', String(o.scale)], pgEnv(connection), { signal: o.signal });
  return { name: o.name, connection, bytes: await databaseSize(o.name, o.adminUrl), rows: o.scale * 100_000 };
}

export interface TargetDatabase {
  name: string;
  connection: PgConnection;
  /** The role that owns the database and what is restored into it (NOLOGIN), as a tenant's. */
  ownerRole: string;
}

/** An empty database owned by a role of its own, as the backup service restores into; dropped with the run. */
export async function createTargetDatabase(
  name: string,
  adminUrl: string,
  scratch: Scratch,
): Promise<TargetDatabase> {
  const ownerRole = `${name}_owner`;
  await adminQuery(`CREATE ROLE ${q(ownerRole)} NOLOGIN`, [], adminUrl);
  scratch.defer(`the role ${ownerRole}`, () =>
    adminQuery(`DROP ROLE IF EXISTS ${q(ownerRole)}`, [], adminUrl),
  );
  await adminQuery(`CREATE DATABASE ${q(name)} OWNER ${q(ownerRole)}`, [], adminUrl);
  scratch.defer(`the database ${name}`, () =>
    adminQuery(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`, [], adminUrl),
  );
  return { name, connection: connectionFromUrl(urlFor(name, adminUrl)), ownerRole };
}

/** Drops a database made by createTargetDatabase before the run ends, to free its disk. */
export async function dropDatabase(name: string, adminUrl: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`, [], adminUrl);
}

/**
 * `count` files of random bytes (which do not compress, like the images and PDFs of a filestore)
 * adding up to `totalBytes`, of sizes spread evenly on a log scale over three decades (about 0.7 KB
 * to 700 KB for 200 MB in 2,000 files), stored as Odoo does: `<first 2 hex of sha1>/<sha1>`.
 */
export async function createFilestore(
  dir: string,
  totalBytes: number,
  count: number,
): Promise<{ files: number; bytes: number }> {
  const weights = Array.from({ length: count }, () => 1000 ** Math.random());
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / sum) * totalBytes)));
  // The rounding's remainder goes to the last file, so the total is exact.
  const rest = totalBytes - sizes.reduce((a, b) => a + b, 0);
  sizes[sizes.length - 1] = (sizes.at(-1) ?? 0) + Math.max(0, rest);
  let bytes = 0;
  for (const size of sizes) {
    const body = randomBytes(size);
    const sha1 = createHash('sha1').update(body).digest('hex');
    await mkdir(join(dir, sha1.slice(0, 2)), { recursive: true });
    await writeFile(join(dir, sha1.slice(0, 2), sha1), body);
    bytes += size;
  }
  return { files: sizes.length, bytes };
}
