import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPool, migrate } from '@ocp/db';
import { createTestDatabase } from '@ocp/testkit';
import { pino } from 'pino';
import { IDEMPOTENCY_KEY_RETENTION_MS, pruneIdempotencyKeys } from '../src/db/idempotency.ts';

const migrations = fileURLToPath(new URL('../src/db/migrations', import.meta.url));
const logger = pino({ level: 'warn' });

test('idempotency keys older than their retention are pruned and recent ones stay', {
  timeout: 30_000,
}, async (t) => {
  const db = await createTestDatabase();
  t.after(() => db.drop());
  await migrate({ databaseUrl: db.url, dir: migrations, logger });
  const pool = createPool({ url: db.url, name: 'idempotency-test', logger });
  t.after(() => pool.end());
  const tenantId = randomUUID();
  const operationId = randomUUID();
  await pool.query(
    `INSERT INTO tenants (id, slug, display_name, plan, state, database_name, db_password_sealed)
     VALUES ($1, 'acme', 'Acme', 'starter', 'pending', 't_acme', 'sealed')`,
    [tenantId],
  );
  await pool.query(
    "INSERT INTO operations (id, kind, tenant_id, state) VALUES ($1, 'tenant.provision', $2, 'queued')",
    [operationId, tenantId],
  );
  await pool.query(
    `INSERT INTO idempotency_keys (key, request_hash, tenant_id, operation_id, created_at)
     SELECT k, 'hash', $1, $2, now() - age * interval '1 hour'
     FROM unnest(ARRAY['two-days', 'a-day-and-a-minute', 'an-hour', 'now'], ARRAY[48, 24.02, 1, 0]) AS x(k, age)`,
    [tenantId, operationId],
  );

  const pruned = await pruneIdempotencyKeys(pool, IDEMPOTENCY_KEY_RETENTION_MS);

  assert.equal(pruned, 2);
  const { rows } = await pool.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key');
  assert.deepEqual(
    rows.map((r) => r.key),
    ['an-hour', 'now'],
  );
});
