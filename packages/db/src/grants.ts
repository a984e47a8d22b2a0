import pg from 'pg';
import { quoteIdent } from './pool.ts';

/** What a running service may do with the rows of one table. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * The runtime role's rights, per table of the service's database (schema `public`). Every table
 * the migrations make must be named, with `[]` for a table the running service never touches: a
 * table nobody declared stops the start, so grants cannot drift from the schema. Sequences are
 * never declared: USAGE follows INSERT on the table whose column owns the sequence.
 */
export type RuntimeGrants = Readonly<Record<string, readonly TablePrivilege[]>>;

/**
 * The tables of this package (migrations `packages/db/migrations`) as a service with an outbox
 * uses them: the relay publishes, retries, moves to `ocp_outbox_dead` and prunes `ocp_inbox`;
 * its leader holds `ocp_lease`; consumers claim their events in `ocp_inbox`.
 */
export const OUTBOX_GRANTS: RuntimeGrants = {
  ocp_outbox: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  ocp_outbox_dead: ['SELECT', 'INSERT'],
  ocp_lease: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  ocp_inbox: ['SELECT', 'INSERT', 'DELETE'],
};

/** The same tables for a service without an outbox: they exist, it never touches them. */
export const NO_OUTBOX_GRANTS: RuntimeGrants = {
  ocp_outbox: [],
  ocp_outbox_dead: [],
  ocp_lease: [],
  ocp_inbox: [],
};

/** The migration history tables: the owner's alone. */
const HISTORY_TABLES = new Set(['migrations', 'ocp_kit_migrations']);

/** The grants of a service's database do not fit its schema, or its runtime role is unfit. */
export class GrantsError extends Error {
  override name = 'GrantsError';
}

/** The user name in a PostgreSQL URL (what the server will see), or undefined when it names none. */
export function roleOfUrl(url: string): string | undefined {
  const user = decodeURIComponent(new URL(url).username);
  return user === '' ? undefined : user;
}

/**
 * Sets the runtime role's rights in the database `ownerUrl` opens to exactly `grants`: CONNECT
 * on the database, USAGE on schema `public`, the declared privileges on each table, USAGE on the
 * sequences of tables it may insert into; any other right it held there is revoked. Runs as the
 * owner of the tables, in one transaction, serialised across replicas; safe to run at every start.
 *
 * Refuses (GrantsError) a table of the schema that `grants` does not name, a name in `grants`
 * that is no table, and a runtime role that is a superuser or owns anything in the database.
 */
export async function applyRuntimeGrants(opts: {
  ownerUrl: string;
  runtimeRole: string;
  grants: RuntimeGrants;
}): Promise<void> {
  const client = new pg.Client({ connectionString: opts.ownerUrl, application_name: 'ocp-grants' });
  client.on('error', () => {});
  await client.connect();
  const role = quoteIdent(opts.runtimeRole);
  try {
    await client.query('BEGIN');
    // Two replicas granting at once would collide on the same catalog rows ("tuple concurrently updated").
    await client.query("SELECT pg_advisory_xact_lock(hashtext('ocp_runtime_grants'))");
    const { rows: who } = await client.query<{ superuser: boolean; owned: string[]; me: string }>(
      `SELECT r.rolsuper AS superuser, current_user AS me,
              ARRAY(SELECT c.relname::text FROM pg_class c WHERE c.relowner = r.oid
                    UNION ALL SELECT d.datname::text FROM pg_database d
                    WHERE d.datdba = r.oid AND d.datname = current_database()) AS owned
         FROM pg_roles r WHERE r.rolname = $1`,
      [opts.runtimeRole],
    );
    const found = who[0];
    if (!found) throw new GrantsError(`the runtime role "${opts.runtimeRole}" does not exist`);
    if (found.me === opts.runtimeRole)
      throw new GrantsError(
        `the migration URL and DATABASE_URL both log in as "${opts.runtimeRole}"; the migration URL must be the owner role's`,
      );
    if (found.superuser)
      throw new GrantsError(
        `the runtime role "${opts.runtimeRole}" is a superuser, which no grant can limit; give the service a role of its own (NOSUPERUSER)`,
      );
    if (found.owned.length > 0)
      throw new GrantsError(
        `the runtime role "${opts.runtimeRole}" owns ${found.owned.join(', ')}; hand them to the owner role ` +
          '(ALTER ... OWNER TO, or REASSIGN OWNED) so that the running service cannot change the schema',
      );

    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
    );
    const present = new Set(tables.map((t) => t.name).filter((t) => !HISTORY_TABLES.has(t)));
    const undeclared = [...present].filter((t) => !Object.hasOwn(opts.grants, t)).sort();
    const absent = Object.keys(opts.grants)
      .filter((t) => !present.has(t))
      .sort();
    const problems = [
      ...(undeclared.length > 0
        ? [
            `tables without a declared runtime grant: ${undeclared.join(', ')} (add each to the service's ` +
              '`grants`, with [] if the running service never touches it)',
          ]
        : []),
      ...(absent.length > 0 ? [`grants name tables that do not exist: ${absent.join(', ')}`] : []),
    ];
    if (problems.length > 0)
      throw new GrantsError(`runtime grants do not fit the schema: ${problems.join('; ')}`);

    await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(await currentDatabase(client))} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`);
    for (const [table, privileges] of Object.entries(opts.grants)) {
      if (privileges.length === 0) continue;
      const list = [...new Set(privileges)].join(', ');
      await client.query(`GRANT ${list} ON TABLE public.${quoteIdent(table)} TO ${role}`);
    }
    const inserted = Object.entries(opts.grants)
      .filter(([, p]) => p.includes('INSERT'))
      .map(([t]) => t);
    const { rows: sequences } = await client.query<{ name: string }>(
      `SELECT s.relname AS name FROM pg_depend d
         JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         JOIN pg_class t ON t.oid = d.refobjid
         JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.deptype IN ('a', 'i') AND t.relname = ANY($1::text[])`,
      [inserted],
    );
    for (const { name } of sequences) {
      await client.query(`GRANT USAGE ON SEQUENCE public.${quoteIdent(name)} TO ${role}`);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await client.end().catch(() => {});
  }
}

async function currentDatabase(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
  return rows[0]!.db;
}
