import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createTestDatabase, waitFor } from '@ocp/testkit';
// The outbox is proven against a real JetStream through the bus that services wire it to.
import { type BusRig, startBus, storedMessages, tenantCreated, testLogger } from '../../bus/test/helpers.ts';
import {
  createOutboxRelay,
  createPool,
  enqueueEvent,
  migrate,
  type OutboxRelay,
  type Pool,
  type Publish,
  type Queryable,
} from '../src/index.ts';

export const limit = { timeout: 20_000 };
export const logger = testLogger();
export const EVENTS = 'EVENTS_TENANT';

/** A service's migration directory with one SQL migration in node-pg-migrate's format. */
export async function serviceMigrations(defer: (step: () => unknown) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocp-migrations-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, '1800000000000_widgets.sql'),
    [
      '-- Up Migration',
      'CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL);',
      '',
      '-- Down Migration',
      'DROP TABLE widgets;',
      '',
    ].join('\n'),
  );
  return dir;
}

export interface Db {
  url: string;
  pool: Pool;
}

/** A migrated database of the test's own, with a pool; dropped after the test. */
export async function migratedDatabase(defer: (step: () => unknown) => void): Promise<Db> {
  const db = await createTestDatabase();
  defer(() => db.drop());
  await migrate({ databaseUrl: db.url, dir: await serviceMigrations(defer), logger });
  const pool = createPool({ url: db.url, name: 'outbox-test', logger });
  defer(() => pool.end());
  return { url: db.url, pool };
}

export const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

export interface Queued {
  eventId: string;
  traceparent: string;
}

/** Writes one `ocp.tenant.created.v1` event with a trace context, as a service does. */
export async function queueEvent(c: Queryable): Promise<Queued> {
  const { subject, data } = tenantCreated();
  const tp = traceparent();
  const event = await enqueueEvent(c, 'ocp.tenant.created.v1', { subject, data, traceparent: tp });
  return { eventId: event.id, traceparent: tp };
}

export async function queueEvents(c: Queryable, n: number): Promise<Queued[]> {
  const out: Queued[] = [];
  for (let i = 0; i < n; i++) out.push(await queueEvent(c));
  return out;
}

/** Leadership short enough that a takeover in a test takes about a second. */
export const LEASE_MS = 2000;

/** A relay publishing through `publish`, polling often so a test does not wait on the fallback. */
export function relay(
  rig: BusRig,
  db: Db,
  publish: Publish = rig.bus.publishRaw,
  extra: Partial<Parameters<typeof createOutboxRelay>[0]> = {},
): OutboxRelay {
  const r = createOutboxRelay({ pool: db.pool, publish, logger, pollMs: 100, leaseMs: LEASE_MS, ...extra });
  rig.defer(() => r.stop());
  return r;
}

export async function published(
  jsm: BusRig['jsm'],
): Promise<Array<{ msgId: string; eventId: string; traceparent: string }>> {
  return (await storedMessages(jsm, EVENTS)).map((m) => ({
    msgId: m.header.get('Nats-Msg-Id'),
    eventId: m.json<{ id: string }>().id,
    traceparent: m.header.get('traceparent'),
  }));
}

export async function drained(r: OutboxRelay): Promise<void> {
  await waitFor('the outbox to drain', async () => ((await r.pending()) === 0 ? true : undefined));
}

export async function setup(t: TestContext): Promise<{ rig: BusRig; db: Db }> {
  const rig = await startBus(t, 'outbox-test');
  const db = await migratedDatabase(rig.defer);
  return { rig, db };
}
