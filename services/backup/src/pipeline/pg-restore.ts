import type { Readable, Writable } from 'node:stream';
import { RestoreFailedError } from './errors.ts';
import { type PgConnection, type PgTools, pgEnv } from './pg-tools.ts';
import { clientFor, countRows } from './snapshot.ts';
import { startTool } from './tool-process.ts';

/** A libpq connection-string value, quoted: a database name may hold spaces, quotes or '='. */
export const conninfoValue = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Loads a pg_dump custom-format stream into `target` (existing and empty) in one transaction, as
 * `ownerRole`: pg_restore --no-owner --role --exit-on-error --single-transaction, reading stdin.
 */
export async function restoreCustomDump(o: {
  tools: PgTools;
  target: PgConnection;
  ownerRole: string;
  input: Readable;
  signal?: AbortSignal;
}): Promise<void> {
  o.signal?.throwIfAborted();
  const restore = startTool(
    o.tools.pgRestore,
    [
      '--no-owner',
      `--role=${o.ownerRole}`,
      '--exit-on-error',
      '--single-transaction',
      '--no-password',
      `--dbname=dbname=${conninfoValue(o.target.database)}`,
    ],
    pgEnv(o.target),
    ['pipe', 'ignore', 'pipe'],
  );
  const stdin = restore.child.stdin as Writable;
  let inputError: unknown;
  // pg_restore may stop reading once it has what it needs, or fail: the rest of the input is
  // drained so the archive's reader can go on (and verify it) either way.
  stdin.on('error', () => {
    o.input.unpipe(stdin);
    o.input.resume();
  });
  o.input.once('error', (err) => {
    inputError = err;
    restore.kill();
  });
  const onAbort = () => restore.kill();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  o.input.pipe(stdin);
  try {
    const exit = await restore.exited;
    if (inputError !== undefined) throw inputError;
    if (exit.code !== 0) {
      const tail = restore.stderr.lines();
      const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new RestoreFailedError(`pg_restore ${how}${tail ? `: ${tail}` : ''}`, exit.code, tail);
    }
    if (!o.input.readableEnded) {
      o.input.resume();
      await new Promise<void>((resolve, reject) => {
        o.input.once('end', resolve);
        o.input.once('error', reject);
        o.input.once('close', () =>
          o.input.readableEnded ? resolve() : reject(new Error('input closed early')),
        );
      });
    }
  } catch (err) {
    restore.kill();
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** Tables whose row count in `target` differs from `expected` (or that are missing or extra). */
export async function verifyRowCounts(
  target: PgConnection,
  expected: Record<string, number>,
): Promise<string[]> {
  const client = clientFor(target);
  await client.connect();
  try {
    const found = await countRows(client);
    const problems: string[] = [];
    for (const [table, n] of Object.entries(expected)) {
      const got = found[table];
      if (got === undefined) problems.push(`table ${table} is missing`);
      else if (got !== n) problems.push(`table ${table} has ${got} rows, not ${n}`);
    }
    for (const table of Object.keys(found))
      if (!(table in expected)) problems.push(`table ${table} is not in the backup`);
    return problems;
  } finally {
    await client.end().catch(() => {});
  }
}
