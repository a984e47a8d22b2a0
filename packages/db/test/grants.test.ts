import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminQuery, createServiceDatabase } from '@ocp/testkit';
import pg from 'pg';
import pino from 'pino';
import { GrantsError, NO_OUTBOX_GRANTS, prepareDatabase, type RuntimeGrants } from '../src/index.ts';
import { serviceMigrations } from './helpers.ts';

const logger = pino({ level: 'silent' });

const as = (url: string, sql: string): Promise<pg.QueryResult> => adminQuery(sql, [], url);

const widgets: RuntimeGrants = { ...NO_OUTBOX_GRANTS, widgets: ['SELECT', 'INSERT'] };

test('the runtime role gets exactly the declared grants, and loses what is no longer declared', async (t) => {
  const db = await createServiceDatabase('ocp_test_grants_');
  t.after(() => db.drop());
  const dir = await serviceMigrations((step) => t.after(step));
  await prepareDatabase({ databaseUrl: db.url, migrationUrl: db.migrationUrl, dir, grants: widgets, logger });

  // INSERT brings USAGE on the serial's sequence with it.
  await as(db.url, "INSERT INTO widgets (name) VALUES ('a')");
  assert.equal((await as(db.url, 'SELECT count(*)::int AS n FROM widgets')).rows[0].n, 1);
  await assert.rejects(as(db.url, 'DELETE FROM widgets'), /permission denied for table widgets/);
  await assert.rejects(as(db.url, 'SELECT * FROM ocp_outbox'), /permission denied for table ocp_outbox/);
  await assert.rejects(as(db.url, 'SELECT * FROM migrations'), /permission denied for table migrations/);
  await assert.rejects(as(db.url, 'CREATE TABLE mine (v text)'), /permission denied for schema public/);

  // A privilege taken out of the declaration is revoked at the next start.
  await prepareDatabase({
    databaseUrl: db.url,
    migrationUrl: db.migrationUrl,
    dir,
    grants: { ...NO_OUTBOX_GRANTS, widgets: ['SELECT'] },
    logger,
  });
  await assert.rejects(as(db.url, "INSERT INTO widgets (name) VALUES ('b')"), /permission denied/);
  assert.equal((await as(db.url, 'SELECT count(*)::int AS n FROM widgets')).rows[0].n, 1);
});

test('a table without a declared grant, or a declared table that does not exist, stops the start, naming them', async (t) => {
  const db = await createServiceDatabase('ocp_test_grants_');
  t.after(() => db.drop());
  const dir = await serviceMigrations((step) => t.after(step));
  await assert.rejects(
    prepareDatabase({
      databaseUrl: db.url,
      migrationUrl: db.migrationUrl,
      dir,
      grants: { ...NO_OUTBOX_GRANTS, gadgets: ['SELECT'] },
      logger,
    }),
    (e: Error) => {
      assert.ok(e instanceof GrantsError, String(e));
      assert.match(e.message, /tables without a declared runtime grant: widgets/);
      assert.match(e.message, /grants name tables that do not exist: gadgets/);
      return true;
    },
  );
  // Nothing was granted.
  await assert.rejects(as(db.url, 'SELECT * FROM widgets'), /permission denied for table widgets/);
});

test('a runtime role that owns something or is a superuser is refused', async (t) => {
  const db = await createServiceDatabase('ocp_test_grants_');
  t.after(() => db.drop());
  const dir = await serviceMigrations((step) => t.after(step));
  await prepareDatabase({ databaseUrl: db.url, migrationUrl: db.migrationUrl, dir, grants: widgets, logger });
  await adminQuery(
    `ALTER TABLE widgets OWNER TO ${pg.escapeIdentifier(db.runtimeRole)}`,
    [],
    db.superuserUrl,
  );
  await assert.rejects(
    prepareDatabase({ databaseUrl: db.url, migrationUrl: db.migrationUrl, dir, grants: widgets, logger }),
    new RegExp(`the runtime role "${db.runtimeRole}" owns widgets`),
  );
  await assert.rejects(
    prepareDatabase({
      databaseUrl: db.superuserUrl,
      migrationUrl: db.migrationUrl,
      dir,
      grants: widgets,
      logger,
    }),
    /is a superuser, which no grant can limit/,
  );
});

test('without a migration URL, a runtime role that may not migrate is told to set DATABASE_MIGRATION_URL', async (t) => {
  const db = await createServiceDatabase('ocp_test_grants_');
  t.after(() => db.drop());
  const dir = await serviceMigrations((step) => t.after(step));
  await assert.rejects(prepareDatabase({ databaseUrl: db.url, dir, grants: widgets, logger }), (e: Error) => {
    assert.ok(e instanceof GrantsError, String(e));
    assert.match(e.message, /set DATABASE_MIGRATION_URL/);
    return true;
  });
  // Once migrated by its owner, a start without the migration URL finds nothing to do... and
  // still cannot read the history as the runtime role: the same clear refusal, never a half start.
  await prepareDatabase({ databaseUrl: db.url, migrationUrl: db.migrationUrl, dir, grants: widgets, logger });
  await assert.rejects(
    prepareDatabase({ databaseUrl: db.url, dir, grants: widgets, logger }),
    /DATABASE_MIGRATION_URL/,
  );
});
